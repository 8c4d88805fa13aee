"""What the app shows: interview engine steps, grades and reports as chat messages,
feedback, status lines, chart data and history rows.

Pure functions, no Gradio import, so everything here is unit-tested with fakes. The
report's Markdown comes from ``agent.interview.report_markdown`` (the CLI's renderer
too); a browser session's own state is ``agent.ui.session.UISession``.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

from pydantic import ValidationError

from agent.bank import Bank, topic_label
from agent.errors import UserError
from agent.grading.models import Grade
from agent.interview.report_labels import VERDICT_MARK
from agent.interview.report_markdown import score_text, speech_line, verdict_of
from agent.interview.report_types import Report
from agent.interview.state import InterviewConfig, Turn, replies
from agent.interview.store import SessionRecord
from agent.profile.company import companies
from agent.ui.session import Message, UISession

#: The typed commands the interviewer understands; the app's buttons send these words.
COMMAND_WORDS: dict[str, str] = {"hint": "提示", "repeat": "重复", "skip": "跳过", "end": "结束"}


class StepLike(Protocol):
    """What the adapter reads from ``agent.engine.Step``."""

    session_id: str
    say: str | None
    turn: int
    main_index: int
    done: bool
    report: Report | None
    transcript: list[dict[str, str]]
    at: str | None


# ------------------------------------------------------------- config, session


def build_config(
    role: str,
    level: str,
    topics: Sequence[str] | None,
    questions: float,
    mode: str,
    lang: str,
    follow_ups: float,
    candidate: str | None,
    focus: Sequence[str] | None = None,
    company: str | None = None,
    intro: bool = False,
) -> InterviewConfig:
    """The setup panel's values as an ``InterviewConfig``, or ``UserError`` saying why not."""
    try:
        return InterviewConfig(
            role=role,
            level=level,
            topics=list(topics or []),
            questions=int(questions),
            mode=mode,
            lang=lang,
            max_follow_ups=int(follow_ups),
            candidate=(candidate or "").strip() or "default",
            focus=focus_weights(focus or []),
            company=company,
            intro=intro,
        )
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err.get("loc", ()))
        raise UserError(f"设置有误 invalid setting {where}: {err['msg']}") from exc


def company_choices(bank: Bank) -> list[tuple[str, str]]:
    """The companies the bank's questions are tagged with, with how many each."""
    counts = Counter(c for e in bank.entries for c in e.companies)
    return [(f"{c}（{n} 题）", c) for c in companies(bank) for n in [counts[c]]]


def stopwatch(seconds: float) -> str:
    """Elapsed time for a status line (nothing under a second)."""
    return f"（{seconds:.0f} s）" if seconds >= 1 else ""


def focus_weights(topics: Sequence[str]) -> dict[str, float]:
    """The focus topics in the candidate's order as weights: 1.0, 0.8, 0.6, then 0.4."""
    return {t: max(0.4, round(1.0 - 0.2 * i, 1)) for i, t in enumerate(topics)}


def session_for(
    step: StepLike, config: InterviewConfig, feedback_shown: Iterable[int] = ()
) -> UISession:
    """A browser session's view of an interview just started or resumed;
    ``feedback_shown``: grades whose feedback is not to be shown (again)."""
    return UISession(
        session_id=step.session_id,
        mode=config.mode,
        lang=config.lang,
        questions=config.questions,
        main_index=step.main_index,
        messages=opening_messages(step),
        feedback_shown=set(feedback_shown),
        done=step.done,
        report=step.report,
        at=step.at,
    )


# ------------------------------------------------------------------ messages


def chat_role(transcript_role: str) -> str:
    return "user" if transcript_role == "candidate" else "assistant"


def transcript_messages(transcript: Iterable[Mapping[str, str]]) -> list[Message]:
    return [
        {"role": chat_role(line.get("role", "")), "content": line.get("content", "")}
        for line in transcript
        if line.get("content")
    ]


def opening_messages(step: StepLike) -> list[Message]:
    """The first screen of an interview: the opening line(s) and the first question."""
    out = transcript_messages(step.transcript)
    if step.say:
        out.append({"role": "assistant", "content": step.say})
    return out


def reply_messages(step: StepLike) -> list[Message]:
    """What the interviewer says after an answer (the answer itself is already shown).

    ``step.transcript`` starts with the question just answered and the answer (both on
    screen already); what follows are the interviewer's own lines (skip/end
    acknowledgements, a hint, the closing). A hint is also part of ``step.say``, so
    lines that the next question repeats are not shown twice.
    """
    out: list[Message] = [
        {"role": "assistant", "content": text} for text in replies(step.transcript, step.say)
    ]
    if step.say:
        out.append({"role": "assistant", "content": step.say})
    return out


def typed_message(text: str) -> Message:
    return {"role": "user", "content": text}


def spoken_message(text: str, metrics: Mapping[str, Any] | None, lang: str = "zh") -> Message:
    """A spoken answer as the candidate's message: the transcript, then its speech line
    (in the interview's language)."""
    line = speech_line(metrics, lang) if metrics else ""
    content = f"🎤 {text}" + (f"\n\n*{line}*" if line else "")
    return {"role": "user", "content": content}


def note_message(text: str) -> Message:
    """A system note in the chat (e.g. audio that could not be transcribed)."""
    return {"role": "assistant", "content": f"⚠️ {text}"}


# ------------------------------------------------------------- feedback, status


def feedback_message(turn: Turn | None, index: int, grade: Grade, lang: str = "zh") -> Message:
    """Practice-mode feedback for one graded answer, as an interviewer message, in the
    interview's language (the key points as the bank has them)."""
    follow_up = turn is not None and turn.kind == "follow_up"
    question = turn.question if turn else ""
    short = question if len(question) <= 40 else question[:39] + "…"
    score = score_text(grade.score)
    if lang == "en":
        kind = "follow-up" if follow_up else "main question"
        head = f"📝 **Feedback · turn {index + 1} ({kind}) · {score}/10**"
    else:
        kind = "追问" if follow_up else "主问题"
        head = f"📝 **反馈 Feedback · 第 {index + 1} 轮（{kind}）· {score}/10**"
    lines = [head]
    if short:
        lines.append(f"> {short}")
    if grade.points:
        marks = [f"- {VERDICT_MARK.get(verdict_of(p), '·')} {p.point}" for p in grade.points]
        lines.append("\n".join(marks))
    if grade.feedback:
        lines.append(grade.feedback)
    return {"role": "assistant", "content": "\n\n".join(lines)}


def new_feedback(
    session: UISession,
    grades: Mapping[int, Grade],
    turns: Sequence[Turn],
) -> list[Message]:
    """Feedback messages for grades that are ready and not shown yet (practice mode).

    Marks them shown. Skipped turns get none (the interviewer already acknowledged the
    skip) and pending grades (the model failed; retried at the end) wait.
    """
    if session.mode == "real":  # practice and review: feedback after every answer
        return []
    by_index = {t.index: t for t in turns}
    out: list[Message] = []
    with session.lock:
        for index in sorted(set(grades) | set(by_index)):
            grade = grades.get(index)
            if grade is None and index in by_index:
                break  # in question order: a later block waits for this one
            if grade is None or index in session.feedback_shown or grade.status != "graded":
                continue
            session.feedback_shown.add(index)
            if "skipped" in grade.flags:
                continue
            out.append(feedback_message(by_index.get(index), index, grade, session.lang))
    return out


def ungraded(turns: Sequence[Turn], grades: Mapping[int, Grade]) -> list[int]:
    """The answered turns whose grade has not come in yet (a grade the model failed to
    give is in, as pending: it is retried for the report, not waited for)."""
    return [t.index for t in turns if t.index not in grades]


def graded_count(grades: Mapping[int, Grade]) -> int:
    return sum(1 for g in grades.values() if g.status == "graded")


#: In the status line while voice mode hears the candidate's turn.
LISTENING = "🎙 在听 Listening"


def progress_status(
    session: UISession,
    answered: int,
    graded: int,
    *,
    waiting: str | None = None,
    ahead: int | None = None,
    listening: bool = False,
) -> str:
    """The status line: where the interview is, how far background grading got, and
    (``ahead``) how many grades of others are served before this session's next;
    ``listening``: voice mode hears the candidate's turn (the interviewer has finished)."""
    parts: list[str] = []
    if waiting:
        parts.append(f"⏳ {waiting}")
    elif session.done:
        parts.append("✅ 面试已结束，报告已生成 Interview finished — see the report tab")
    else:
        where = f"第 {session.main_index}/{session.questions} 题" if session.questions else ""
        if session.questions and not session.main_index:
            where = "自我介绍 Self-introduction"
        parts.append(f"🟢 请回答 Your turn {where}".rstrip())
        if listening:
            parts.append(LISTENING)
    if answered:
        parts.append(f"后台评分 grading {graded}/{answered}")
    if answered > graded and ahead:
        parts.append(f"评分排队中，前面还有 {ahead} 个 ({ahead} grade(s) ahead in the queue)")
    return " · ".join(parts)


def session_info(session: UISession) -> str:
    """The small print under the chat: which session this is and how to come back."""
    mode = {"practice": "练习 practice", "real": "实战 real", "review": "复习 review"}.get(
        session.mode, session.mode
    )
    info = (
        f"会话 Session `{session.session_id}` · {mode} · 中断后可在「历史 History」继续 "
        "(resume from the History tab)"
    )
    if session.turn_gaps:  # voice mode: how long the candidate waited for the reply
        info += f" · ⏱ 说完到面试官开口 reply after {session.turn_gaps[-1]:.1f} s"
    return info


# --------------------------------------------------------------------- report


def topic_rows(report: Report) -> list[dict[str, Any]]:
    """Per-topic scores as rows ``{"topic", "score"}`` (pending topics left out)."""
    by_topic = report.summary.by_topic
    return [
        {"topic": topic_label(t, report.lang), "score": s}
        for t, s in by_topic.items()
        if s is not None
    ]


def topic_frame(report: Report) -> Any:
    """Per-topic scores as a pandas DataFrame for ``gr.BarPlot``."""
    import pandas as pd

    return pd.DataFrame(topic_rows(report), columns=["topic", "score"])


# -------------------------------------------------------------------- history

HISTORY_HEADERS = ["会话 Session", "时间 Started", "状态 Status", "岗位 Role", "级别 Level",
                   "模式 Mode", "语言 Language", "题数 Questions", "总分 Score"]  # fmt: skip

#: A session's language as History shows it (``InterviewConfig.lang``).
LANGUAGE_NAMES = {"zh": "中文", "en": "English"}


def language_name(lang: str) -> str:
    return LANGUAGE_NAMES.get(lang, lang)


def _score(s: SessionRecord) -> str:
    score = s.report.summary.overall_score if s.report else None
    return score_text(score) if score is not None else ""


def _started(s: SessionRecord) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(s.created))


def _status(s: SessionRecord) -> str:
    return "已完成 finished" if s.status == "finished" else "未完成 unfinished"


def history_rows(sessions: Sequence[SessionRecord]) -> list[list[Any]]:
    """One row per session under ``HISTORY_HEADERS``: its language is the one it was
    held in (the report, a resume and the feedback follow it)."""
    return [
        [
            s.id,
            _started(s),
            _status(s),
            s.config.role,
            s.config.level,
            s.config.mode,
            language_name(s.config.lang),
            s.config.questions,
            _score(s),
        ]
        for s in sessions
    ]


def history_choices(sessions: Sequence[SessionRecord]) -> list[tuple[str, str]]:
    """Dropdown choices ``(label, session id)``, newest first."""
    out = []
    for s in sessions:
        status = _status(s).split()[0]
        label = f"{s.id} · {_started(s)} · {status} · {s.config.role}/{s.config.level}"
        label += f" · {language_name(s.config.lang)}"
        if _score(s):
            label += f" · {_score(s)}/10"
        out.append((label, s.id))
    return out
