"""The UI adapter (engine steps, grades, reports -> what the app shows), with fakes."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from agent.errors import UserError
from agent.ui.services import Services, report_progress, waiting
from agent.ui.views import (
    COMMAND_WORDS,
    UISession,
    build_config,
    feedback_message,
    graded_count,
    history_choices,
    history_rows,
    new_feedback,
    opening_messages,
    progress_status,
    reply_messages,
    report_details_markdown,
    report_headline_markdown,
    report_summary_markdown,
    resume_messages,
    speech_line,
    spoken_message,
    topic_frame,
    topic_rows,
    write_downloads,
)


@dataclass
class FakeStep:
    session_id: str = "s1"
    say: str | None = None
    turn: int = 0
    main_index: int = 0
    done: bool = False
    report: dict[str, Any] | None = None
    transcript: list[dict[str, str]] = field(default_factory=list)


def iv(text: str) -> dict[str, str]:
    return {"role": "interviewer", "content": text}


def cand(text: str) -> dict[str, str]:
    return {"role": "candidate", "content": text}


def grade(score: float | None = 7.5, status: str = "graded", **extra: Any) -> dict[str, Any]:
    return {
        "question_id": "q1",
        "score": score,
        "points": [
            {"point": "要点A", "verdict": "covered", "confidence": 0.9, "evidence": "提到了A"},
            {"point": "要点B", "verdict": "missing", "confidence": 0.8, "evidence": ""},
        ],
        "feedback": "A 答得好，B 没提到。",
        "flags": [],
        "status": status,
        **extra,
    }


METRICS = {
    "duration_s": 12.34,
    "speech_s": 10.0,
    "silence_ratio": 0.19,
    "chars_per_minute": 215.4,
    "words_per_minute": 0.0,
    "fillers": {"嗯": 2, "然后": 1},
    "filler_count": 3,
    "long_pauses": 1,
    "longest_pause_s": 2.6,
}


def report() -> dict[str, Any]:
    return {
        "session_id": "20260101-000000-abc123",
        "generated_at": "2026-01-01T00:10:00+0000",
        "config": {"role": "algorithm", "level": "mid", "mode": "practice", "questions": 2},
        "turns": [
            {
                "index": 0,
                "question_id": "q1",
                "kind": "main",
                "topic": "位置编码",
                "difficulty": 2,
                "question": "为什么需要位置编码？",
                "answer": "自注意力对顺序不敏感 | 所以要加位置",
                "skipped": False,
                "grade": grade(),
                "reference_answer": "参考答案……",
                "speech": None,
            },
            {
                "index": 1,
                "question_id": "q2",
                "kind": "follow_up",
                "topic": "Agent",
                "difficulty": 1,
                "question": "那 RoPE 呢？",
                "answer": "",
                "skipped": True,
                "grade": grade(None, status="pending"),
                "reference_answer": None,
                "speech": METRICS,
            },
        ],
        "summary": {
            "overall_score": 7.5,
            "by_topic": {"位置编码": 7.5, "Agent": None},
            "strengths": ["要点A"],
            "gaps": ["要点B"],
            "study_next": [{"topic": "位置编码", "reading": [{"title": "RoPE", "url": "u"}]}],
            "graded": 1,
            "pending": 1,
            "complete": False,
        },
    }


# ------------------------------------------------------------------- messages


def test_opening_shows_the_opening_and_the_first_question() -> None:
    step = FakeStep(say="第一题：什么是 RoPE？", transcript=[iv("你好，我是面试官。")])
    assert opening_messages(step) == [
        {"role": "assistant", "content": "你好，我是面试官。"},
        {"role": "assistant", "content": "第一题：什么是 RoPE？"},
    ]


def test_reply_skips_the_answered_pair_and_shows_the_next_question() -> None:
    step = FakeStep(say="好，下一题：Q2", transcript=[iv("Q1"), cand("我的回答")])
    assert reply_messages(step) == [{"role": "assistant", "content": "好，下一题：Q2"}]


def test_reply_shows_a_skip_acknowledgement_before_the_next_question() -> None:
    step = FakeStep(say="下一题：Q2", transcript=[iv("Q1"), cand("跳过"), iv("好的，这题先跳过。")])
    assert [m["content"] for m in reply_messages(step)] == ["好的，这题先跳过。", "下一题：Q2"]


def test_reply_does_not_repeat_a_hint_that_the_next_line_contains() -> None:
    step = FakeStep(
        say="提示：想想旋转。\nQ1", transcript=[iv("Q1"), cand("提示"), iv("提示：想想旋转。")]
    )
    assert [m["content"] for m in reply_messages(step)] == ["提示：想想旋转。\nQ1"]


def test_reply_at_the_end_shows_the_closing_lines() -> None:
    step = FakeStep(
        done=True,
        transcript=[iv("Q2"), cand("结束"), iv("好的，面试到此结束。"), iv("谢谢。")],
    )
    assert [m["content"] for m in reply_messages(step)] == ["好的，面试到此结束。", "谢谢。"]


def test_resume_replays_the_conversation_with_roles() -> None:
    step = FakeStep(say="Q2", transcript=[iv("开场"), iv("Q1"), cand("回答1")])
    roles = [m["role"] for m in resume_messages(step)]
    assert roles == ["assistant", "assistant", "user", "assistant"]


def test_spoken_message_carries_the_transcript_and_speech_metrics() -> None:
    msg = spoken_message("RoPE 通过旋转编码位置", METRICS)
    assert msg["role"] == "user"
    assert msg["content"].startswith("🎤 RoPE 通过旋转编码位置")
    assert "12.3 s" in msg["content"] and "口头禅 3" in msg["content"]


def test_speech_line_reports_pace_fillers_pauses_and_silence() -> None:
    line = speech_line(METRICS)
    assert "时长 12.3 s" in line
    assert "215 字/分钟" in line
    assert "嗯×2" in line and "然后×1" in line
    assert "长停顿 1（最长 2.6 s）" in line
    assert "静音 19%" in line
    assert "words/min" not in line  # no English words: not shown
    assert "口头禅 0" in speech_line({"duration_s": 3.0, "fillers": {}, "long_pauses": 0})


def test_command_words_are_what_the_interviewer_parses() -> None:
    from agent.interview.phrases import parse_command

    for command, word in COMMAND_WORDS.items():
        assert parse_command(word) == command


# ------------------------------------------------------------------- feedback


def test_feedback_message_has_the_score_and_the_verdicts() -> None:
    msg = feedback_message({"kind": "main", "question": "为什么需要位置编码？"}, 0, grade())
    assert msg["role"] == "assistant"
    title = msg["content"].splitlines()[0]
    assert "第 1 轮（主问题）" in title and "7.5/10" in title
    assert "> 为什么需要位置编码？" in msg["content"]
    assert "✅ 要点A" in msg["content"] and "❌ 要点B" in msg["content"]
    assert "A 答得好" in msg["content"]


def test_new_feedback_shows_each_ready_grade_once_in_practice() -> None:
    session = UISession("s1", mode="practice")
    turns = [{"index": 0, "kind": "main", "question": "Q1"}, {"index": 1, "question": "Q2"}]
    grades = {0: grade(), 1: grade(None, status="pending")}
    first = new_feedback(session, grades, turns)
    assert len(first) == 1 and "Q1" in first[0]["content"]
    assert new_feedback(session, grades, turns) == []  # shown once
    grades[1] = grade(6.0)
    second = new_feedback(session, grades, turns)
    assert len(second) == 1 and "6/10" in second[0]["content"]


def test_no_feedback_in_real_mode_or_for_skipped_turns() -> None:
    assert new_feedback(UISession("s", mode="real"), {0: grade()}, []) == []
    session = UISession("s", mode="practice")
    assert new_feedback(session, {0: grade(0.0, flags=["skipped"])}, []) == []
    assert 0 in session.feedback_shown


def test_progress_status() -> None:
    session = UISession("s", questions=5, main_index=2)
    assert "第 2/5 题" in progress_status(session, 3, 1)
    assert "grading 1/3" in progress_status(session, 3, 1)
    assert progress_status(session, 0, 0).endswith("第 2/5 题")
    assert "⏳ 评分中" in progress_status(session, 3, 1, waiting="评分中")
    session.done = True
    assert "finished" in progress_status(session, 3, 3)
    assert graded_count({0: grade(), 1: grade(status="pending")}) == 1


def test_session_claim_is_exclusive_across_threads() -> None:
    session = UISession("s")
    results: list[bool] = []
    barrier = threading.Barrier(8)

    def claim() -> None:
        barrier.wait()
        results.append(session.try_begin())

    threads = [threading.Thread(target=claim) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count(True) == 1
    session.end()
    assert session.try_begin()
    session.end()
    session.done = True
    assert not session.try_begin()


def test_snapshot_is_a_copy() -> None:
    session = UISession("s")
    session.add([{"role": "user", "content": "a"}])
    snap = session.snapshot()
    snap[0]["content"] = "changed"
    snap.append({"role": "user", "content": "b"})
    assert session.messages == [{"role": "user", "content": "a"}]


# ------------------------------------------------------------------ config


def test_build_config_from_the_setup_panel() -> None:
    cfg = build_config("algorithm", "senior", ["位置编码"], 3.0, "real", "en", 0.0, "  ")
    assert (cfg.role, cfg.level, cfg.topics, cfg.questions) == (
        "algorithm",
        "senior",
        ["位置编码"],
        3,
    )
    assert (cfg.mode, cfg.lang, cfg.max_follow_ups, cfg.candidate) == ("real", "en", 0, "default")


@pytest.mark.parametrize(
    "args",
    [
        ("algorithm", "mid", ["不存在的主题"], 3, "practice", "zh", 1, "me"),
        ("algorithm", "mid", [], 0, "practice", "zh", 1, "me"),
        ("chef", "mid", [], 3, "practice", "zh", 1, "me"),
    ],
)
def test_build_config_refuses_bad_values_with_a_user_error(args: tuple[Any, ...]) -> None:
    with pytest.raises(UserError, match="设置有误"):
        build_config(*args)


# ------------------------------------------------------------------ report


def test_report_views() -> None:
    rep = report()
    head = report_headline_markdown(rep)
    assert "总分 Overall: 7.5 / 10" in head and "1 个评分未完成" in head
    summary = report_summary_markdown(rep)
    assert "| 位置编码 | 7.5 |" in summary and "- 要点A" in summary and "[RoPE](u)" in summary
    details = report_details_markdown(rep, lambda topic: [{"title": f"读{topic}", "url": "x"}])
    assert "### 1. [主问题] 为什么需要位置编码？" in details
    assert "### 2. [追问] 那 RoPE 呢？" in details
    assert "| ✅ 答到 0.90 | 要点A | “提到了A” |" in details  # verdict, evidence
    assert "自注意力对顺序不敏感 | 所以要加位置" in details
    assert "**参考答案 Reference:** 参考答案……" in details
    assert "[读位置编码](x)" in details
    assert "（跳过 skipped）" in details and "pending" in details
    assert "时长 12.3 s" in details


def test_topic_chart_data_leaves_out_pending_topics() -> None:
    assert topic_rows(report()) == [{"topic": "位置编码", "score": 7.5}]
    frame = topic_frame(report())
    assert list(frame.columns) == ["topic", "score"] and len(frame) == 1
    assert topic_frame({"summary": {}}).empty


def test_downloads_are_the_json_report_and_its_markdown(tmp_path: Path) -> None:
    json_path, md_path = write_downloads(report(), tmp_path)
    assert json.loads(json_path.read_text(encoding="utf-8"))["session_id"] == report()["session_id"]
    assert md_path.suffix == ".md" and "Mianshi" in md_path.read_text(encoding="utf-8")


def test_history_rows_and_choices() -> None:
    sessions = [
        {
            "id": "a",
            "created": 0,
            "status": "finished",
            "config": {"role": "algorithm", "level": "mid", "mode": "real", "questions": 3},
            "report": {"summary": {"overall_score": 6.25}},
        },
        {"id": "b", "created": 0, "status": "active", "config": {}, "report": None},
    ]
    rows = history_rows(sessions)
    assert rows[0][0] == "a" and rows[0][2].startswith("已完成") and rows[0][7] == "6.2"
    assert rows[1][2].startswith("未完成") and rows[1][7] == ""
    choices = history_choices(sessions)
    assert [value for _, value in choices] == ["a", "b"]
    assert "6.2/10" in choices[0][0]


# ------------------------------------------------------------------ runtime


class FakeEngine:
    def __init__(self) -> None:
        self.closed = False

    def close(self) -> None:
        self.closed = True


def test_services_build_the_engine_once_lazily(isolated_settings: Any) -> None:
    built: list[int] = []

    def factory(settings: Any, bank: Any, store: Any) -> Any:
        built.append(1)
        return FakeEngine()

    services = Services(isolated_settings, engine_factory=factory)
    assert services.engine_if_ready() is None
    futures = [services.submit(services.engine) for _ in range(6)]
    engines = {id(f.result()) for f in futures}
    assert len(engines) == 1 and built == [1]
    assert services.engine_if_ready() is not None
    services.close()


def test_waiting_yields_until_the_work_is_done() -> None:
    from concurrent.futures import ThreadPoolExecutor

    gate = threading.Event()
    with ThreadPoolExecutor(1) as pool:
        future = pool.submit(gate.wait, 5)
        ticks = 0
        for _elapsed in waiting(future, interval=0.01):
            ticks += 1
            if ticks == 3:
                gate.set()
        assert ticks >= 3 and future.result() is True


def test_wrap_up_progress_reaches_only_the_caller_that_waits(isolated_settings: Any) -> None:
    services = Services(isolated_settings)  # the engine is never built here
    heard_a: list[tuple[int, int]] = []
    heard_b: list[tuple[int, int]] = []

    def wrap_up(n: int) -> int:  # what the engine does: report progress as grades finish
        for done in range(1, n + 1):
            report_progress(done, n)
        return n

    a = services.submit(wrap_up, 2, progress=lambda d, t: heard_a.append((d, t)))
    b = services.submit(wrap_up, 3, progress=lambda d, t: heard_b.append((d, t)))
    c = services.submit(wrap_up, 1)  # nobody listening: fine
    assert (a.result(), b.result(), c.result()) == (2, 3, 1)
    assert heard_a == [(1, 2), (2, 2)]
    assert heard_b == [(1, 3), (2, 3), (3, 3)]
    report_progress(1, 1)  # outside any call: ignored
    services.close()
