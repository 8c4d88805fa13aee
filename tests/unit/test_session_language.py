"""Language is a property of the session (issue 32 item 4): stored with it, kept when
it is resumed (in the app and by ``mianshi interview --resume``), shown in History and
``mianshi sessions list``, and its report rendered in it, whatever language the app's
setup or the command's flags are set to. A real SQLite store and the real engine and
graph; the grader is a stand-in that answers in the language it is asked for."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import pytest

from agent.bank.english_checks import CJK
from agent.cli.main import main
from agent.grading.models import Grade, PointGrade
from agent.interview.engine import Engine
from agent.interview.report_markdown import to_markdown
from agent.interview.state import InterviewConfig, Lang
from agent.interview.store import Store
from agent.settings import Settings
from agent.ui.handlers import MianshiUI
from agent.ui.services import Services
from agent.ui.session import UISession
from agent.ui.views import HISTORY_HEADERS

FEEDBACK = {"zh": "请补充要点。", "en": "Cover the points."}
ANSWER = {"zh": "我觉得和注意力有关。", "en": "I think it is about attention."}


def _grade(entry: Any, answer: str, *, lang: str = "zh", **_: Any) -> Grade:
    points = [PointGrade(point=p.point, verdict="missing", confidence=0.9) for p in entry.rubric]
    return Grade(question_id=entry.id, score=2.0, points=points, feedback=FEEDBACK[lang])


class StubEngine(Engine):
    """The real engine with the stand-in grader (no model in unit tests)."""

    def __init__(self, settings: Settings, llm: Any = None, **kwargs: Any) -> None:
        super().__init__(settings, None, **kwargs)
        self.queue._grade = _grade


def _config(lang: Lang) -> InterviewConfig:
    return InterviewConfig(
        questions=2, max_follow_ups=0, seed=3, lang=lang, mode="practice", candidate="me"
    )


def _half_done(settings: Settings, lang: Lang) -> str:
    """An interview in ``lang`` with its first question answered, left unfinished."""
    engine = StubEngine(settings)
    try:
        step = engine.start(_config(lang))
        engine.reply(step.session_id, ANSWER[lang], at=step.at)
        return step.session_id
    finally:
        engine.close()


def _finished(settings: Settings, lang: Lang) -> str:
    engine = StubEngine(settings)
    try:
        step = engine.start(_config(lang))
        step = engine.reply(step.session_id, ANSWER[lang], at=step.at)
        step = engine.reply(step.session_id, "end", at=step.at)
        assert step.done and step.report is not None
        return step.session_id
    finally:
        engine.close()


def _chinese(text: str) -> bool:
    """Chinese in ``text`` beyond the question bank's own (e.g. topic names)."""
    return bool(CJK.search(text))


# ------------------------------------------------------------------ the store


def test_the_store_keeps_each_session_language_and_its_report(isolated_settings: Any) -> None:
    en, zh = _finished(isolated_settings, "en"), _finished(isolated_settings, "zh")
    store = Store(isolated_settings.database)
    try:
        by_id = {s.id: s for s in store.sessions("me")}
    finally:
        store.close()
    assert by_id[en].config.lang == "en" and by_id[zh].config.lang == "zh"
    for sid, lang in ((en, "en"), (zh, "zh")):
        report = by_id[sid].report
        assert report is not None and report.lang == lang and report.config.lang == lang


# -------------------------------------------------------------------- the app


@pytest.fixture
def app(isolated_settings: Any) -> Iterator[MianshiUI]:
    services = Services(
        isolated_settings,
        engine_factory=lambda settings, bank, store: StubEngine(settings, bank=bank, store=store),
    )
    services.reports_dir = Path(isolated_settings.data_dir) / "reports"
    ui = MianshiUI(services)
    ui.create_app()
    yield ui
    services.close()


def _resumed(ui: MianshiUI, session_id: str) -> UISession:
    updates = list(ui.history_view.resume(session_id, "me", None))
    session = updates[-1][ui.c.state]
    assert isinstance(session, UISession)
    return session


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_history_shows_the_language_and_a_resume_keeps_it(
    isolated_settings: Any, app: MianshiUI, lang: Lang
) -> None:
    """Stored before this app started; the setup's own language (Chinese by default)
    plays no part: an English session comes back English, a Chinese one Chinese."""
    sid = _half_done(isolated_settings, lang)
    shown = app.history_view.history("me", None)
    [row] = [dict(zip(HISTORY_HEADERS, r, strict=True)) for r in shown[app.c.table]]
    assert row["语言 Language"] == {"en": "English", "zh": "中文"}[lang]
    [(label, value)] = shown[app.c.pick]["choices"]
    assert value == sid and row["语言 Language"] in label
    session = _resumed(app, sid)
    assert session.lang == lang and session.session_id == sid
    chat = "\n".join(m["content"] for m in session.snapshot())
    assert ANSWER[lang] in chat  # the conversation so far, in its own language
    assert _chinese(chat) == (lang == "zh"), chat
    ended = list(app.answer_text("end", session))
    assert ended and session.done and session.report is not None
    report = app.history_view.after_answer(session)
    headline = report[app.c.headline]
    assert headline.startswith("## Overall" if lang == "en" else "## 总分 Overall"), headline
    details = report[app.c.details]
    assert FEEDBACK[lang] in details and FEEDBACK["zh" if lang == "en" else "en"] not in details


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_stored_report_opens_in_its_own_language(
    isolated_settings: Any, app: MianshiUI, lang: Lang
) -> None:
    sid = _finished(isolated_settings, lang)
    shown = app.history_view.open_report(sid, "me", None)
    assert isinstance(shown, dict)
    headline, summary = shown[app.c.headline], shown[app.c.summary]
    if lang == "en":
        assert headline.startswith("## Overall") and "Strengths" in summary
        assert not _chinese(headline) and "优势" not in summary
    else:
        assert headline.startswith("## 总分 Overall") and "## 优势 Strengths" in summary
    markdown = Path(shown[app.c.dl_md]["value"]).read_text(encoding="utf-8")
    title = {"en": "# Mianshi interview report", "zh": "# Mianshi 面试报告"}[lang]
    assert markdown.startswith(title)


# -------------------------------------------------------------------- the CLI


def _cli(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *argv: str, stdin: str = ""
) -> tuple[int, str]:
    """``mianshi ARGV`` in this process, the model a no-op, the grader the stand-in."""
    monkeypatch.setattr("agent.llm.server.connect", lambda settings: nullcontext(None))
    monkeypatch.setattr("agent.interview.engine.Engine", StubEngine)
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(list(argv))
    return code, capsys.readouterr().out


def test_sessions_list_shows_each_session_language(
    isolated_settings: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    en, zh = _finished(isolated_settings, "en"), _half_done(isolated_settings, "zh")
    code, out = _cli(monkeypatch, capsys, "sessions", "list")
    assert code == 0
    lines = {line.split()[0]: line.split() for line in out.splitlines()}
    assert "en" in lines[en] and "zh" not in lines[en]
    assert "zh" in lines[zh] and "en" not in lines[zh]
    code, out = _cli(monkeypatch, capsys, "sessions", "list", "--json")
    assert {r["id"]: r["config"]["lang"] for r in json.loads(out)} == {en: "en", zh: "zh"}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_sessions_show_renders_a_report_in_its_own_language(
    isolated_settings: Any,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    lang: Lang,
) -> None:
    sid = _finished(isolated_settings, lang)
    code, out = _cli(monkeypatch, capsys, "sessions", "show", sid)
    assert code == 0
    if lang == "en":
        assert out.startswith("# Mianshi interview report") and "## Overall" in out
        assert "总分" not in out and "逐题" not in out
    else:
        assert out.startswith("# Mianshi 面试报告") and "## 总分 Overall" in out


@pytest.mark.parametrize(("lang", "flag"), [("en", "zh"), ("zh", "en")])
def test_interview_resume_keeps_the_session_language_not_the_flag(
    isolated_settings: Any,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    lang: Lang,
    flag: str,
) -> None:
    sid = _half_done(isolated_settings, lang)
    out_path = tmp_path / "resumed.json"
    argv = ("interview", "--resume", sid, "--lang", flag, "--report", str(out_path))
    code, out = _cli(monkeypatch, capsys, *argv, stdin=ANSWER[lang] + "\n")
    assert code == 0
    said = {"en": "Interviewer: ", "zh": "面试官: "}
    assert said[lang] in out and said[flag] not in out  # the terminal follows the session
    asked = [line for line in out.splitlines() if line.startswith(said[lang])]
    assert len(asked) >= 2 and all(_chinese(q) == (lang == "zh") for q in asked), asked
    assert ("[Feedback, turn" in out) == (lang == "en") and FEEDBACK[lang] in out
    report = json.loads(out_path.read_text(encoding="utf-8"))
    assert report["config"]["lang"] == lang
    assert [t["answer"] for t in report["turns"]] == [ANSWER[lang], ANSWER[lang]]
    markdown = out_path.with_suffix(".md").read_text(encoding="utf-8")
    assert markdown == to_markdown(_report(isolated_settings, sid))
    assert {"en": "\nInterview over. Overall", "zh": "\n面试结束。总分"}[lang] in out


def _report(settings: Settings, session_id: str) -> Any:
    store = Store(settings.database)
    try:
        row = store.session(session_id)
    finally:
        store.close()
    assert row is not None and row.report is not None
    return row.report
