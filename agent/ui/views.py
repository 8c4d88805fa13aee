"""The UI adapter: interview engine steps, grades and reports -> what the Gradio app shows.

Pure functions and one small per-browser-session object (``UISession``, kept in
``gr.State``); no Gradio import, so everything here is unit-tested with fakes.

Chat messages use Gradio 6's messages format: ``{"role": "user"|"assistant",
"content": str}``. The interviewer is the assistant, the candidate the user.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from pydantic import ValidationError

from agent.errors import UserError
from agent.interview.state import InterviewConfig

Message = dict[str, Any]

ROLE_CHOICES: list[tuple[str, str]] = [
    ("算法岗 Algorithm", "algorithm"),
    ("开发岗 Engineering", "engineering"),
    ("多模态 Multimodal", "multimodal"),
    ("通用 General", "general"),
]
LEVEL_CHOICES: list[tuple[str, str]] = [
    ("初级 Junior", "junior"),
    ("中级 Mid", "mid"),
    ("高级 Senior", "senior"),
]
MODE_CHOICES: list[tuple[str, str]] = [
    ("练习 Practice（每题后反馈）", "practice"),
    ("实战 Real（结束后统一反馈）", "real"),
]
LANG_CHOICES: list[tuple[str, str]] = [("中文", "zh"), ("English", "en")]

#: The typed commands the interviewer understands; the app's buttons send these words.
COMMAND_WORDS: dict[str, str] = {"hint": "提示", "repeat": "重复", "skip": "跳过", "end": "结束"}

VERDICT_MARK = {"covered": "✅", "partial": "🟡", "missing": "❌"}
VERDICT_NAME = {"covered": "答到", "partial": "部分", "missing": "缺失"}


class StepLike(Protocol):
    """What the adapter reads from ``agent.engine.Step``."""

    session_id: str
    say: str | None
    turn: int
    main_index: int
    done: bool
    report: dict[str, Any] | None
    transcript: list[dict[str, str]]


@dataclass
class UISession:
    """One browser session's interview: lives in ``gr.State``, never shared.

    ``messages`` is what the chat shows; handlers running at once for the same browser
    session (an answer being processed, the feedback timer) append under ``lock`` and
    render a snapshot, so neither loses the other's messages.
    """

    session_id: str
    mode: str = "practice"
    lang: str = "zh"
    questions: int = 0
    main_index: int = 0
    messages: list[Message] = field(default_factory=list)
    feedback_shown: set[int] = field(default_factory=set)
    done: bool = False
    busy: bool = False
    report: dict[str, Any] | None = None
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def add(self, messages: Iterable[Message]) -> None:
        with self.lock:
            self.messages.extend(messages)

    def snapshot(self) -> list[Message]:
        with self.lock:
            return [dict(m) for m in self.messages]

    def try_begin(self) -> bool:
        """Claim the session for one answer; False while another is being processed."""
        with self.lock:
            if self.busy or self.done:
                return False
            self.busy = True
            return True

    def end(self) -> None:
        with self.lock:
            self.busy = False


# ------------------------------------------------------------------- config


def build_config(
    role: str,
    level: str,
    topics: Sequence[str] | None,
    questions: float,
    mode: str,
    lang: str,
    follow_ups: float,
    candidate: str | None,
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
        )
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err.get("loc", ()))
        raise UserError(f"设置有误 invalid setting {where}: {err['msg']}") from exc


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


def resume_messages(step: StepLike) -> list[Message]:
    """A resumed interview: everything said so far, then the question on the table."""
    return opening_messages(step)


def reply_messages(step: StepLike) -> list[Message]:
    """What the interviewer says after an answer (the answer itself is already shown).

    ``step.transcript`` starts with the question just answered and the answer (both on
    screen already); what follows are the interviewer's own lines (skip/end
    acknowledgements, a hint, the closing). A hint is also part of ``step.say``, so
    lines that the next question repeats are not shown twice.
    """
    new = [dict(line) for line in step.transcript[2:] if line.get("role") == "interviewer"]
    say = step.say or ""
    lines = [line["content"] for line in new if line.get("content") and line["content"] not in say]
    out: list[Message] = [{"role": "assistant", "content": text} for text in lines]
    if say:
        out.append({"role": "assistant", "content": say})
    return out


def typed_message(text: str) -> Message:
    return {"role": "user", "content": text}


def spoken_message(text: str, metrics: Mapping[str, Any] | None) -> Message:
    """A spoken answer as the candidate's message: the transcript, then its speech line."""
    line = speech_line(metrics) if metrics else ""
    content = f"🎤 {text}" + (f"\n\n*{line}*" if line else "")
    return {"role": "user", "content": content}


def note_message(text: str) -> Message:
    """A system note in the chat (e.g. audio that could not be transcribed)."""
    return {"role": "assistant", "content": f"⚠️ {text}"}


def speech_line(metrics: Mapping[str, Any]) -> str:
    """Speech metrics in one short line: duration, pace, fillers, long pauses."""
    parts: list[str] = []
    duration = metrics.get("duration_s")
    if duration is not None:
        parts.append(f"时长 {float(duration):.1f} s")
    cpm = metrics.get("chars_per_minute")
    if cpm:
        parts.append(f"语速 {float(cpm):.0f} 字/分钟")
    wpm = metrics.get("words_per_minute")
    if wpm:
        parts.append(f"{float(wpm):.0f} words/min")
    fillers: Mapping[str, int] = metrics.get("fillers") or {}
    count = int(metrics.get("filler_count") or sum(fillers.values()))
    if count:
        detail = "、".join(f"{k}×{v}" for k, v in sorted(fillers.items(), key=lambda kv: -kv[1]))
        parts.append(f"口头禅 {count}" + (f"（{detail}）" if detail else ""))
    else:
        parts.append("口头禅 0")
    pauses = metrics.get("long_pauses")
    if pauses is not None:
        longest = float(metrics.get("longest_pause_s") or 0.0)
        parts.append(f"长停顿 {int(pauses)}" + (f"（最长 {longest:.1f} s）" if pauses else ""))
    silence = metrics.get("silence_ratio")
    if silence is not None:
        parts.append(f"静音 {float(silence):.0%}")
    return " · ".join(parts)


# ------------------------------------------------------------- feedback, status


def score_text(score: Any) -> str:
    if score is None:
        return "—"
    value = float(score)
    return f"{value:.1f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))


def feedback_message(
    turn: Mapping[str, Any] | None, index: int, grade: Mapping[str, Any]
) -> Message:
    """Practice-mode feedback for one graded answer, as an interviewer message."""
    kind = "追问" if turn and turn.get("kind") == "follow_up" else "主问题"
    question = str(turn.get("question", "")) if turn else ""
    short = question if len(question) <= 40 else question[:39] + "…"
    lines = [
        f"📝 **反馈 Feedback · 第 {index + 1} 轮（{kind}）· {score_text(grade.get('score'))}/10**"
    ]
    if short:
        lines.append(f"> {short}")
    points = grade.get("points") or []
    if points:
        lines.append(
            "\n".join(
                f"- {VERDICT_MARK.get(p.get('verdict', ''), '·')} {p.get('point', '')}"
                for p in points
            )
        )
    if grade.get("feedback"):
        lines.append(str(grade["feedback"]))
    return {"role": "assistant", "content": "\n\n".join(lines)}


def new_feedback(
    session: UISession,
    grades: Mapping[int, Mapping[str, Any]],
    turns: Sequence[Mapping[str, Any]],
) -> list[Message]:
    """Feedback messages for grades that are ready and not shown yet (practice mode).

    Marks them shown. Skipped turns get none (the interviewer already acknowledged the
    skip) and pending grades (the model failed; retried at the end) wait.
    """
    if session.mode != "practice":
        return []
    by_index = {int(t.get("index", i)): t for i, t in enumerate(turns)}
    out: list[Message] = []
    with session.lock:
        for index in sorted(grades):
            grade = grades[index]
            if index in session.feedback_shown or grade.get("status") != "graded":
                continue
            session.feedback_shown.add(index)
            if "skipped" in (grade.get("flags") or []):
                continue
            out.append(feedback_message(by_index.get(index), index, grade))
    return out


def graded_count(grades: Mapping[int, Mapping[str, Any]]) -> int:
    return sum(1 for g in grades.values() if g.get("status") == "graded")


def progress_status(
    session: UISession, answered: int, graded: int, *, waiting: str | None = None
) -> str:
    """The status line: where the interview is and how far background grading got."""
    parts: list[str] = []
    if waiting:
        parts.append(f"⏳ {waiting}")
    elif session.done:
        parts.append("✅ 面试已结束，报告已生成 Interview finished — see the report tab")
    else:
        where = f"第 {session.main_index}/{session.questions} 题" if session.questions else ""
        parts.append(f"🟢 请回答 Your turn {where}".rstrip())
    if answered:
        parts.append(f"后台评分 grading {graded}/{answered}")
    return " · ".join(parts)


def session_info(session: UISession) -> str:
    """The small print under the chat: which session this is and how to come back."""
    mode = "练习 practice" if session.mode == "practice" else "实战 real"
    return (
        f"会话 Session `{session.session_id}` · {mode} · 中断后可在「历史 History」继续 "
        "(resume from the History tab)"
    )


# --------------------------------------------------------------------- report


def topic_rows(report: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Per-topic scores as rows ``{"topic", "score"}`` (pending topics left out)."""
    by_topic: Mapping[str, Any] = report.get("summary", {}).get("by_topic") or {}
    return [
        {"topic": t, "score": float(s)} for t, s in by_topic.items() if isinstance(s, int | float)
    ]


def topic_frame(report: Mapping[str, Any]) -> Any:
    """Per-topic scores as a pandas DataFrame for ``gr.BarPlot``."""
    import pandas as pd

    return pd.DataFrame(topic_rows(report), columns=["topic", "score"])


def report_headline_markdown(report: Mapping[str, Any]) -> str:
    """The overall score and what the interview was."""
    s = report.get("summary", {})
    cfg = report.get("config", {})
    lines = [
        f"## 总分 Overall: {score_text(s.get('overall_score'))} / 10",
        "",
        f"会话 Session `{report.get('session_id')}` · 岗位 {cfg.get('role')} · "
        f"级别 {cfg.get('level')} · 模式 {cfg.get('mode')} · 已评分 {s.get('graded', 0)} 轮"
        f" · {report.get('generated_at', '')}",
    ]
    if not s.get("complete", True):
        lines += [
            "",
            f"⚠️ {s.get('pending')} 个评分未完成（模型不可用），未计入总分 — pending grades "
            "are not counted.",
        ]
    return "\n".join(lines)


def report_summary_markdown(report: Mapping[str, Any]) -> str:
    """Per-topic table, strengths, gaps and what to study next."""
    s = report.get("summary", {})
    lines: list[str] = []
    if s.get("by_topic"):
        lines += ["| 主题 Topic | 得分 Score |", "|---|---|"]
        lines += [f"| {t} | {score_text(v)} |" for t, v in s["by_topic"].items()]
    lines += ["", "**优势 Strengths**", ""]
    lines += [f"- {p}" for p in s.get("strengths") or []] or ["- （暂无）"]
    lines += ["", "**待加强 Gaps**", ""]
    lines += [f"- {p}" for p in s.get("gaps") or []] or ["- （暂无）"]
    study = s.get("study_next") or []
    if study:
        lines += ["", "**下一步学习 Study next**", ""]
        for item in study:
            links = ", ".join(f"[{r['title']}]({r['url']})" for r in item.get("reading", []))
            lines.append(f"- **{item['topic']}**: {links or '复习本主题的参考答案'}")
    return "\n".join(lines)


ReadingFn = Callable[[str], Sequence[Mapping[str, str]]]


def _cell(text: Any) -> str:
    """Text safe inside a Markdown table cell."""
    return str(text or "").replace("|", "\\|").replace("\n", " ")


def report_details_markdown(report: Mapping[str, Any], reading: ReadingFn | None = None) -> str:
    """Each question: answer, verdicts with evidence, feedback, reference answer, reading
    links and speech metrics."""
    out: list[str] = []
    for t in report.get("turns", []):
        g = t.get("grade") or {}
        kind = "主问题" if t.get("kind") == "main" else "追问"
        flags = f" · flags: {', '.join(g['flags'])}" if g.get("flags") else ""
        status = "" if g.get("status", "graded") == "graded" else " · ⏳ pending"
        out += [
            f"### {int(t.get('index', 0)) + 1}. [{kind}] {t.get('question', '')}",
            "",
            f"`{t.get('question_id')}` · {t.get('topic', '')} · 难度 {t.get('difficulty', '')} · "
            f"得分 **{score_text(g.get('score'))}/10**{flags}{status}",
            "",
        ]
        answer = t.get("answer") or ("（跳过 skipped）" if t.get("skipped") else "（空 empty）")
        out += [f"**回答 Answer:** {answer}", ""]
        points = g.get("points") or []
        if points:
            out += ["| 判定 Verdict | 要点 Key point | 证据 Evidence |", "|---|---|---|"]
            for p in points:
                verdict = p.get("verdict", "")
                evidence = _cell(p.get("evidence"))
                out.append(
                    f"| {VERDICT_MARK.get(verdict, '·')} {VERDICT_NAME.get(verdict, verdict)} "
                    f"{float(p.get('confidence') or 0):.2f} | {_cell(p.get('point'))} | "
                    f"{'“' + evidence + '”' if evidence else ''} |"
                )
            out.append("")
        if g.get("feedback"):
            out += [f"**反馈 Feedback:** {g['feedback']}", ""]
        if t.get("reference_answer"):
            out += [f"**参考答案 Reference:** {t['reference_answer']}", ""]
        links = list(reading(str(t.get("topic", "")))) if reading else []
        if links:
            out += [
                "**延伸阅读 Reading:** "
                + " · ".join(f"[{r['title']}]({r['url']})" for r in links[:3]),
                "",
            ]
        if t.get("speech"):
            out += [f"**语音 Speech:** {speech_line(t['speech'])}", ""]
        out += ["---", ""]
    return "\n".join(out).rstrip("-\n ") + "\n" if out else "（没有作答记录 no answers）"


def write_downloads(report: dict[str, Any], directory: Path) -> tuple[Path, Path]:
    """The report as JSON and Markdown files (for the download buttons)."""
    from agent.cli.interview import write_report

    sid = str(report.get("session_id") or "report")
    return write_report(report, directory / sid / f"mianshi-{sid}.json")


# -------------------------------------------------------------------- history

HISTORY_HEADERS = ["会话 Session", "时间 Started", "状态 Status", "岗位 Role", "级别 Level",
                   "模式 Mode", "题数 Questions", "总分 Score"]  # fmt: skip


def history_rows(sessions: Sequence[Mapping[str, Any]]) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for s in sessions:
        cfg = s.get("config") or {}
        summary = (s.get("report") or {}).get("summary") or {}
        score = summary.get("overall_score")
        rows.append(
            [
                s.get("id"),
                time.strftime("%Y-%m-%d %H:%M", time.localtime(float(s.get("created") or 0))),
                "已完成 finished" if s.get("status") == "finished" else "未完成 unfinished",
                cfg.get("role", ""),
                cfg.get("level", ""),
                cfg.get("mode", ""),
                cfg.get("questions", ""),
                score_text(score) if score is not None else "",
            ]
        )
    return rows


def history_choices(sessions: Sequence[Mapping[str, Any]]) -> list[tuple[str, str]]:
    """Dropdown choices ``(label, session id)``, newest first."""
    out = []
    for row, s in zip(history_rows(sessions), sessions, strict=True):
        label = f"{row[0]} · {row[1]} · {row[2].split()[0]} · {row[3]}/{row[4]}"
        if row[7] != "":
            label += f" · {row[7]}/10"
        out.append((label, str(s.get("id"))))
    return out
