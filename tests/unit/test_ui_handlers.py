"""The app's handlers (``MianshiUI``) on a fake engine: each returns a dict keyed by the
components it changes, all of them outputs of its event."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import gradio as gr
import pytest

from agent.bank import load_bank
from agent.errors import UserError
from agent.grading.models import Grade
from agent.interview.engine import Step
from agent.interview.report_types import Report
from agent.interview.state import InterviewConfig, Turn
from agent.ui.handlers import MianshiUI
from agent.ui.services import Services
from agent.ui.session import UISession

GRADE = Grade(question_id="q1", score=8.0, feedback="不错")
REPORT = Report.model_validate(
    {
        "session_id": "s1",
        "config": {"role": "algorithm", "level": "mid", "mode": "practice"},
        "turns": [{"index": 0, "question_id": "q1", "kind": "main", "question": "Q1",
                   "grade": GRADE}],
        "summary": {"overall_score": 8.0, "by_topic": {"位置编码": 8.0}, "graded": 1},
    }
)  # fmt: skip

#: ``MianshiUI.start``'s inputs: role, level, topics, questions, mode, lang, follow-ups,
#: candidate, focus, projects, cv, jd, company, intro
Setup = tuple[
    str, str, list[str], int, str, str, int, str, list[str], list[str] | None, str | None,
    str | None, str | None, bool,
]  # fmt: skip
SETUP: Setup = ("algorithm", "mid", [], 2, "practice", "zh", 0, "me", [], [], None, None, "", False)


class FakeEngine:
    """Two questions; "结束" ends the interview with ``REPORT``."""

    def __init__(self) -> None:
        self.ready: dict[int, Grade] = {}
        self.answered: list[Any] = []
        self.bank = load_bank()
        self.llm = None  # project questions come from the template

    def start(self, config: Any) -> Step:
        self.config = config
        return Step("s1", say="第一题：Q1", main_index=1, transcript=[iv("你好")])

    def reply(self, session_id: str, answer: Any, at: str | None = None) -> Step:
        if answer == "另一个窗口已经回答":
            raise UserError("this question was already answered in another window")
        self.answered.append(answer)
        said = [iv("Q1"), {"role": "candidate", "content": str(answer)}]
        if answer == "结束":
            return Step(session_id, done=True, report=REPORT, transcript=[*said, iv("谢谢。")])
        kind = "main" if answer == "主问题的回答" else None
        return Step(session_id, say="第二题：Q2", main_index=2, kind=kind, transcript=said)

    def turns(self, session_id: str) -> list[Turn]:
        return [Turn(index=i, question_id=f"q{i + 1}", kind="main", question="Q1")
                for i in range(len(self.answered))]  # fmt: skip

    def grades(self, session_id: str) -> dict[int, Grade]:
        return dict(self.ready)

    def queue_position(self, session_id: str) -> int | None:
        return 2

    def check_answer(self, answer: str) -> None:
        pass

    def close(self) -> None:
        pass


def iv(text: str) -> dict[str, str]:
    return {"role": "interviewer", "content": text}


@pytest.fixture
def app(isolated_settings: Any) -> Iterator[tuple[MianshiUI, Any, FakeEngine]]:
    engine = FakeEngine()
    transcript = SimpleNamespace(
        text="旋转位置编码", metrics=SimpleNamespace(model_dump=lambda: {"duration_s": 3.0}),
        note=None,
    )  # fmt: skip
    services = Services(
        isolated_settings,
        engine_factory=lambda settings, bank, store: cast(Any, engine),  # the fake
        transcriber_factory=lambda settings: cast(
            Any, SimpleNamespace(transcribe=lambda path, short=False, language=None: transcript)
        ),
    )
    services.reports_dir = Path(isolated_settings.data_dir) / "reports"
    ui = MianshiUI(services)
    demo = ui.create_app()
    yield ui, demo, engine
    services.close()


def outputs(demo: Any, handler: Callable[..., Any]) -> list[Any]:
    """The outputs of the event that runs ``handler``."""
    return next(f.outputs for f in demo.fns.values() if f.fn == handler)


def checked(demo: Any, handler: Callable[..., Any], updates: Any) -> list[dict[Any, Any]]:
    """``updates`` (one dict or a generator of them), each checked against the event's
    outputs: keyed by components, every one of them an output, never empty."""
    from gradio.blocks import convert_component_dict_to_list

    allowed = outputs(demo, handler)
    out = [updates] if isinstance(updates, dict) else list(updates)
    for update in out:
        assert update, "an empty dict reads as a missing value; gr.skip() changes nothing"
        if update != {"__type__": "update"}:  # gr.skip()
            convert_component_dict_to_list(allowed, update)  # raises on a stray key
    return out


def started(ui: MianshiUI, demo: Any) -> UISession:
    updates = checked(demo, ui.start, ui.start(*SETUP))
    session = updates[-1][ui.c.state]
    assert isinstance(session, UISession)
    return session


def test_start_shows_the_first_question_and_the_interview(app: Any) -> None:
    ui, demo, _ = app
    updates = checked(demo, ui.start, ui.start(*SETUP))
    assert updates[0] == {ui.c.status: "⏳ 正在准备面试 Preparing the interview…"}
    last = updates[-1]
    assert set(last) == set(outputs(demo, ui.start))
    assert [m["content"] for m in last[ui.c.chat]] == ["你好", "第一题：Q1"]
    assert "第 1/2 题" in last[ui.c.status] and "`s1`" in last[ui.c.info]
    assert last[ui.c.chat_col]["visible"] and not last[ui.c.setup_col]["visible"]


def test_voice_mode_chosen_at_setup_is_on_after_start_and_records_by_itself(app: Any) -> None:
    ui, demo, _ = app
    skip = {"__type__": "update"}
    assert ui.voice.voice_start(True, None) == skip  # the start failed: nothing to listen to
    session = started(ui, demo)
    assert ui.voice.voice_start(False, session) == skip
    assert ui.voice.voice_start(True, session) == {"__type__": "update", "value": True}
    assert outputs(demo, ui.voice.voice_start) == [ui.c.hands_free]
    record = [f for f in demo.fns.values() if f.fn is None and f.js and "#mic" in f.js]
    assert len(record) == 1 and record[0].inputs == [ui.c.hands_free]  # presses Record


def test_a_bad_setup_is_refused_on_the_status_line(app: Any) -> None:
    ui, demo, _ = app
    with pytest.warns(UserWarning, match="设置有误"):
        bad: tuple[str, str, list[str], int, str, str, int, str, list[str], None]
        bad = ("chef", "mid", [], 2, "x", "zh", 0, "", [], None)
        updates = checked(demo, ui.start, ui.start(*bad))
    assert list(updates[-1]) == [ui.c.status]


def test_a_typed_answer_clears_the_box_and_brings_the_next_question(app: Any) -> None:
    ui, demo, engine = app
    session = started(ui, demo)
    updates = checked(demo, ui.answer_text, ui.answer_text("  我的回答 ", session))
    assert updates[0][ui.c.answer] == ""  # cleared once the answer is taken
    assert all(ui.c.answer not in u for u in updates[1:])
    chat = [m["content"] for m in updates[-1][ui.c.chat]]
    assert chat[-2:] == ["我的回答", "第二题：Q2"] and engine.answered == ["我的回答"]
    assert "第 2/2 题" in updates[-1][ui.c.status] and not session.busy


def test_answers_that_are_refused_change_only_the_status_or_nothing(app: Any) -> None:
    ui, demo, engine = app
    session = started(ui, demo)
    assert checked(demo, ui.answer_text, ui.answer_text("  ", session)) == [
        {ui.c.status: "✍️ 请输入回答，或点「提示 / 跳过」 Type an answer first"}
    ]
    with pytest.warns(UserWarning, match="上限"):
        [update] = checked(demo, ui.answer_text, ui.answer_text("长" * 9000, session))
    assert list(update) == [ui.c.status] and "⚠️" in update[ui.c.status]
    with pytest.warns(UserWarning, match="Start an interview first"):
        assert checked(demo, ui.answer_text, ui.answer_text("答", None)) == [{"__type__": "update"}]
    session.try_begin()  # an answer is being processed
    with pytest.warns(UserWarning, match="still being processed"):
        checked(demo, ui.answer_text, ui.answer_text("答", session))
    assert engine.answered == []


def test_a_spoken_answer_is_transcribed_shown_and_answered(app: Any) -> None:
    ui, demo, engine = app
    session = started(ui, demo)
    updates = checked(demo, ui.answer_audio, ui.answer_audio("/tmp/a.wav", session))
    assert [u[ui.c.audio] for u in updates if ui.c.audio in u] == [None]  # cleared
    assert any(m["content"].startswith("🎤 旋转位置编码") for m in updates[-1][ui.c.chat])
    assert engine.answered == [{"text": "旋转位置编码", "speech": {"duration_s": 3.0}}]
    assert checked(demo, ui.answer_audio, ui.answer_audio(None, session)) == [
        {"__type__": "update"}
    ]


def test_a_recording_read_only_in_part_is_answered_with_a_note(app: Any) -> None:
    ui, demo, engine = app
    session = started(ui, demo)
    note = "About 0.8 s of the recording could not be read (damaged data) and was skipped"
    ui.services.transcriber().transcribe(None).note = note  # the fake's one transcript
    updates = checked(demo, ui.answer_audio, ui.answer_audio("/tmp/a.wav", session))
    chat = [m["content"] for m in updates[-1][ui.c.chat]]
    spoken = next(i for i, text in enumerate(chat) if text.startswith("🎤 旋转位置编码"))
    assert chat[spoken + 1] == f"⚠️ {note}"  # right under the answer it concerns
    assert engine.answered == [{"text": "旋转位置编码", "speech": {"duration_s": 3.0}}]


def test_the_end_shows_the_report_with_its_downloads(app: Any) -> None:
    ui, demo, _ = app
    session = started(ui, demo)
    assert ui.history_view.after_answer(session) == {"__type__": "update"}  # not over yet
    list(ui.command("结束")(session))
    assert session.done and session.report == REPORT
    [report] = checked(demo, ui.history_view.after_answer, ui.history_view.after_answer(session))
    assert set(report) == set(outputs(demo, ui.history_view.after_answer))
    assert report[ui.c.headline].startswith("## 总分 Overall: 8 / 10")
    assert "[主问题] Q1" in report[ui.c.details]
    json_file, md_file = Path(report[ui.c.dl_json]["value"]), Path(report[ui.c.dl_md]["value"])
    assert json_file.exists() and md_file.read_text(encoding="utf-8").startswith("# Mianshi")


def test_poll_shows_feedback_once_the_grade_is_ready(app: Any) -> None:
    ui, demo, engine = app
    assert ui.poll(None) == {"__type__": "update"}
    session = started(ui, demo)
    list(ui.answer_text("回答", session))
    engine.ready[0] = GRADE
    [update] = checked(demo, ui.poll, ui.poll(session))
    assert "📝" in update[ui.c.chat][-1]["content"] and "grading 1/1" in update[ui.c.status]
    assert list(ui.poll(session)) == [ui.c.status]  # the feedback is shown once


def test_a_new_interview_goes_back_to_the_setup(app: Any) -> None:
    ui, demo, _ = app
    [update] = checked(demo, ui.new_interview, ui.new_interview())
    assert set(update) == set(outputs(demo, ui.new_interview))
    assert update[ui.c.state] is None and update[ui.c.setup_col]["visible"]


def test_history_and_a_session_that_is_not_there(app: Any) -> None:
    ui, demo, _ = app
    [update] = checked(demo, ui.history_view.history, ui.history_view.history("me", None))
    assert update[ui.c.table] == [] and update[ui.c.pick]["choices"] == []
    with pytest.warns(UserWarning, match="Pick a session"):
        assert ui.history_view.open_report("nope", "me", None) == {"__type__": "update"}
    with pytest.warns(UserWarning, match="Pick a session"):
        assert list(ui.history_view.resume(None, "me", None)) == [{"__type__": "update"}]


def test_a_session_opens_only_for_its_candidate(app: tuple[MianshiUI, Any, FakeEngine]) -> None:
    """Without accounts, a session id alone opens nothing: the name must match too."""
    ui, _demo, _engine = app
    store = ui.services.store
    store.create_session("s-owner", "alice", InterviewConfig(mode="real"))
    store.finish_session("s-owner", REPORT.model_copy(update={"session_id": "s-owner"}))
    assert ui.history_view.open_report("s-owner", "mallory", None) == gr.skip()
    shown = ui.history_view.open_report("s-owner", "alice", None)
    assert isinstance(shown, dict) and ui.c.headline in shown


def test_a_cv_upload_fills_the_focus_the_candidate_then_starts_with(
    app: tuple[MianshiUI, Any, FakeEngine], tmp_path: Path
) -> None:
    ui, demo, engine = app
    cv = tmp_path / "cv.md"
    cv.write_text("技能：RAG、向量检索、重排、Milvus；LoRA 微调、SFT", encoding="utf-8")
    shown = ui.profile.read_profile(str(cv), None)
    assert set(shown) <= set(outputs(demo, ui.profile.read_profile))
    assert shown[ui.c.focus][:2] == ["RAG与检索", "微调与PEFT"]
    assert "Milvus" in shown[ui.c.focus_note]
    bad = ui.profile.read_profile(str(tmp_path / "missing.pdf"), None)
    assert "no such file" in bad[ui.c.focus_note]
    setup: Setup = (*SETUP[:8], ["微调与PEFT", "RAG与检索"], [], str(cv), None, "字节", False)
    checked(demo, ui.start, ui.start(*setup))
    assert engine.config.focus == {"微调与PEFT": 1.0, "RAG与检索": 0.8}
    assert engine.config.projects == []  # none in this CV
    assert engine.config.company == "字节"


def test_the_cv_projects_offered_and_the_chosen_one_asked_about(
    app: tuple[MianshiUI, Any, FakeEngine], tmp_path: Path
) -> None:
    ui, demo, engine = app
    cv = tmp_path / "cv.md"
    cv.write_text("## 项目经历\n- 知识库问答：RAG，向量检索加重排\n- 医疗对话：LoRA 微调 Qwen\n"
                  "- 个人博客：用 Hugo 写的\n", encoding="utf-8")  # fmt: skip
    offered = ui.profile.read_profile(str(cv), None)[ui.c.projects]
    assert offered["choices"] == ["知识库问答", "医疗对话"]  # the blog names no bank topic
    assert offered["value"] == ["知识库问答", "医疗对话"]
    setup: Setup = (*SETUP[:9], ["医疗对话"], str(cv), None, "", False)  # the candidate kept one
    checked(demo, ui.start, ui.start(*setup))
    [project] = engine.config.projects
    assert project.id.startswith("cv-") and "医疗对话" in project.question


def test_a_refused_answer_goes_back_to_the_answer_box(
    app: tuple[MianshiUI, Any, FakeEngine],
) -> None:
    ui, demo, _engine = app
    session = started(ui, demo)
    with pytest.warns(UserWarning, match="another window"):
        updates = checked(demo, ui.answer_text, ui.answer_text("另一个窗口已经回答", session))
    assert updates[0][ui.c.answer] == ""  # cleared while it was being sent
    assert updates[-1][ui.c.answer] == "另一个窗口已经回答"  # and nothing lost
    assert all(m["content"] != "另一个窗口已经回答" for m in session.snapshot())


def test_progress_tab_and_practise_my_weakest_topic(
    app: tuple[MianshiUI, Any, FakeEngine],
) -> None:
    ui, demo, _engine = app
    empty = ui.progress_view.progress("me", None)
    assert set(empty) <= set(outputs(demo, ui.progress_view.progress))
    assert "no finished interview yet" in empty[ui.c.progress_md]
    assert empty[ui.c.trend] is None  # no chart (another name's is not left standing)
    store = ui.services.store
    store.create_session("p1", "me", InterviewConfig())
    summary = REPORT.summary.model_copy(update={"by_topic": {"位置编码": 3.0, "Agent": 8.0}})
    store.finish_session("p1", REPORT.model_copy(update={"summary": summary}))
    shown = ui.progress_view.progress("me", None)
    chart = json.loads(shown[ui.c.trend].plot)  # one session: a mark per topic
    assert [v["topic"] for v in chart["data"]["values"]] == ["位置编码", "Agent"]
    assert "**位置编码**" in shown[ui.c.progress_md]
    picked = ui.progress_view.practise_weakest("me", None)
    assert set(picked) <= set(outputs(demo, ui.progress_view.practise_weakest))
    assert picked[ui.c.topics] == ["位置编码"]


def test_saying_done_ends_the_turn_once_as_soon_as_whisper_hears_it(
    isolated_settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Voice mode: the chunk that closes "…我说完了" waits for its words and ends the
    turn then (not at a later chunk); a chunk handled meanwhile does not end it again."""
    import threading
    import time
    from functools import partial

    import numpy as np

    from agent.speech.listening import SHORT_GAP_S, Listener
    from agent.speech.metrics import Segment, compute_metrics
    from agent.speech.transcriber import Transcript
    from agent.ui import voice_mode
    from tests.unit.test_listening import chunk, loud_spans

    monkeypatch.setattr(voice_mode, "Listener", partial(Listener, vad=loud_spans))

    def transcribe(audio: Any, short: bool = False, language: str | None = None) -> Transcript:
        time.sleep(0.4)  # Whisper at work while another chunk comes in
        seg = Segment(start=0.0, end=1.5, text="就是加权求和，我说完了")
        return Transcript(text=seg.text, segments=[seg], language="zh", duration_s=2.0,
                          metrics=compute_metrics([seg], 2.0))  # fmt: skip

    engine = FakeEngine()
    services = Services(
        isolated_settings,
        engine_factory=lambda settings, bank, store: cast(Any, engine),  # the fake
        transcriber_factory=lambda settings: cast(Any, SimpleNamespace(transcribe=transcribe)),
    )
    try:
        ui = MianshiUI(services)
        demo = ui.create_app()
        session = started(ui, demo)
        assert ui.voice.listen(chunk(2.0, True), session, False) == gr.skip()  # still talking
        results: list[Any] = []

        def hear(seconds: float) -> None:
            results.append(ui.voice.listen(chunk(seconds, False), session, False))

        first = threading.Thread(target=hear, args=(SHORT_GAP_S + 0.1,))  # closes the piece
        second = threading.Thread(target=hear, args=(0.2,))
        first.start()
        time.sleep(0.1)
        second.start()
        first.join(10)
        second.join(10)
        ended = [r for r in results if r != gr.skip()]
        assert len(ended) == 1 and ui.c.turn in ended[0]
        checked(demo, ui.voice.listen, ended[0])
        assert engine.answered == [{"text": "就是加权求和", "speech": engine.answered[0]["speech"]}]
        assert session.turn_ended_by == "said" and session.turn_said_done
        assert session.listener is None
        assert np.isclose(
            session.timeline["turn_end"] - session.timeline["last_piece_out"], 0, atol=0.3
        )
    finally:
        services.close()


def test_practice_feedback_comes_before_the_next_main_question(
    app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The next main question waits (the status says why) until the answer before it
    is graded; then its feedback, then the question — never the other way round."""
    import threading

    from agent.ui import handlers

    monkeypatch.setattr(handlers, "FEEDBACK_POLL_S", 0.05)
    ui, demo, engine = app
    session = started(ui, demo)
    threading.Timer(0.5, lambda: engine.ready.__setitem__(0, GRADE)).start()
    updates = checked(demo, ui.answer_text, ui.answer_text("主问题的回答", session))
    statuses = [u.get(ui.c.status, "") for u in updates]
    assert any("checking your answer" in s for s in statuses)  # it said why it waits
    contents = [m["content"] for m in session.snapshot()]
    feedback = next(i for i, c in enumerate(contents) if c.startswith("📝"))
    assert feedback < contents.index("第二题：Q2")
