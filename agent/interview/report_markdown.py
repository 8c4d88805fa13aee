"""The report as Markdown: the one renderer behind ``mianshi sessions show|export``, the
``--report`` twin, the app's download and the app's report tab.

The document is a title and four sections, each its own function so the app can show
them in separate components: ``headline`` (overall score, session, setup),
``summary`` (per-topic scores, strengths, gaps, study next, difficulty path),
``progress`` (the candidate's scores per topic over sessions, bank coverage, cards
due; recorded when the interview finished) and ``questions`` (each question: answer,
verdicts with evidence, feedback, reference answer, reading, speech). ``to_markdown`` is all of it.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from agent.bank import topic_label
from agent.bank.english_checks import CJK
from agent.grading.models import PointGrade
from agent.interview.report_labels import LABELS, VERDICT_MARK, VERDICT_NAME, VERDICT_NAME_EN
from agent.interview.report_types import Report, ReportTurn
from agent.review.progress import summary_markdown

#: Reading links for a topic (``{"title", "url"}``), e.g. from the bank.
ReadingFn = Callable[[str], Sequence[Mapping[str, str]]]


def to_markdown(report: Report, reading: ReadingFn | None = None) -> str:
    """The whole report; ``reading`` adds reading links to each question."""
    sections = [LABELS[report.lang]["title"], headline(report), summary(report),
                progress(report), intro(report), questions(report, reading)]  # fmt: skip
    return "\n\n".join(s.strip("\n") for s in sections if s.strip()) + "\n"


def progress(report: Report) -> str:
    """The candidate's progress over sessions, this one included (when recorded)."""
    found = report.progress
    if not found:
        return ""
    lang = report.lang
    title = f"## 历次进度 Progress over {found.get('sessions', 0)} interview(s)"
    if lang == "en":
        title = f"## Progress over {found.get('sessions', 0)} interview(s)"
    return "\n".join([title, "", *summary_markdown(found, lang)])


def intro(report: Report) -> str:
    """The candidate's self-introduction, quoted (not graded)."""
    if not report.intro:
        return ""
    title = "## Self-introduction" if report.lang == "en" else "## 自我介绍 Self-introduction"
    quoted = "\n".join(f"> {line}" if line.strip() else ">" for line in report.intro.splitlines())
    return f"{title}\n\n{quoted}"


# ------------------------------------------------------------------- pieces


def score_text(score: Any) -> str:
    """A 0–10 score as short text: ``7``, ``7.5``; ``—`` when there is none."""
    if score is None:
        return "—"
    value = float(score)
    return f"{value:.1f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))


def speech_line(metrics: Mapping[str, Any], lang: str = "zh") -> str:
    """Speech metrics in one short line: duration, pace, fillers, long pauses."""
    if lang == "en":
        return _speech_line_en(metrics)
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


def _speech_line_en(metrics: Mapping[str, Any]) -> str:
    parts: list[str] = []
    if metrics.get("duration_s") is not None:
        parts.append(f"duration {float(metrics['duration_s']):.1f} s")
    if metrics.get("chars_per_minute"):
        parts.append(f"{float(metrics['chars_per_minute']):.0f} characters/min")
    if metrics.get("words_per_minute"):
        parts.append(f"{float(metrics['words_per_minute']):.0f} words/min")
    fillers: Mapping[str, int] = metrics.get("fillers") or {}
    count = int(metrics.get("filler_count") or sum(fillers.values()))
    parts.append(f"fillers {count}")
    if metrics.get("long_pauses") is not None:
        parts.append(f"long pauses {int(metrics['long_pauses'])}")
    if metrics.get("silence_ratio") is not None:
        parts.append(f"silence {float(metrics['silence_ratio']):.0%}")
    return " · ".join(parts)


def speech_values(metrics: Mapping[str, Any]) -> str:
    """Every scalar speech metric as ``name=value`` (for readers of the raw numbers)."""
    return ", ".join(f"{k}={v}" for k, v in metrics.items() if not isinstance(v, dict | list))


def links(readings: Iterable[Mapping[str, str]], lang: str = "zh") -> str:
    """Reading links; in an English report a Chinese title gives way to the address."""
    return ", ".join(f"[{_title(r, lang)}]({r['url']})" for r in readings)


def _title(reading: Mapping[str, str], lang: str) -> str:
    if lang == "en" and CJK.search(reading["title"]):
        parts = urlsplit(reading["url"])
        return f"{parts.netloc}{parts.path}".rstrip("/") or reading["url"]
    return reading["title"]


# What the candidate wrote (or a model wrote from it) is shown as literal text: no HTML,
# no headings or score lines forged at a line start, no links (also bare URLs, which
# GitHub-flavoured Markdown links by itself), images, emphasis or math ($$ … $$).
_INLINE = re.compile(r"([\\`*_\[\]!|~$@])")
_LINE_START = re.compile(r"^(\s*)([#>+=-]|\d+(?=[.)]))")
_AUTOLINK = re.compile(r"(?i)(?<=[a-z]):(?=//)|(?<=\bwww)\.")


def inert(text: Any) -> str:
    """One line of untrusted text, rendered by any Markdown viewer exactly as written
    (line breaks of any kind become spaces)."""
    line = html.escape(" ".join(str(text or "").splitlines()), quote=False)
    line = _INLINE.sub(r"\\\1", line)
    line = _AUTOLINK.sub(lambda m: "\\" + m.group(0), line)
    return _LINE_START.sub(_escape_start, line)


def _escape_start(m: re.Match[str]) -> str:
    lead, mark = m.group(1), m.group(2)
    return f"{lead}{mark}\\" if mark[0].isdigit() else f"{lead}\\{mark}"


def quoted(text: Any) -> list[str]:
    """Untrusted text of several lines as a block quote of inert lines (indentation
    kept up to 3 spaces, so an indented line never turns into a code block)."""
    out = []
    for line in str(text).splitlines():
        body = line.expandtabs(4).lstrip(" ")
        lead = min(3, len(line.expandtabs(4)) - len(body))
        out.append(f"> {' ' * lead}{inert(body)}" if body.strip() else ">")
    return out


def _cell(text: Any) -> str:
    """Untrusted text safe inside a Markdown table cell."""
    return inert(text)


def _bullets(title: str, items: Iterable[str] | None, none: str = "（暂无）") -> list[str]:
    return ["", title, "", *([f"- {p}" for p in items or []] or [f"- {none}"])]


# ------------------------------------------------------------------ sections


def headline(report: Report) -> str:
    """The overall score, the session and its setup, and whether grades are missing."""
    s, cfg = report.summary, report.config
    t = LABELS[report.lang]
    setup = t["setup"].format(role=cfg.role, level=cfg.level, mode=cfg.mode, graded=s.graded)
    lines = [
        f"## {t['overall']}: {score_text(s.overall_score)} / 10",
        "",
        f"- {t['session']}: `{report.session_id}`  ·  {report.generated_at}",
        f"- {setup}",
    ]
    if not s.complete:
        lines.append(f"- ⚠️ {t['pending'].format(n=s.pending)}")
    if t["bank_note"]:
        lines += ["", t["bank_note"]]
    return "\n".join(lines)


def summary(report: Report) -> str:
    """Per-topic scores, strengths, gaps, what to study next and the difficulty path."""
    s = report.summary
    t = LABELS[report.lang]
    lines = [t["by_topic"], "", t["topic_cols"], "|---|---|"]
    lines += [f"| {_cell(topic_label(k, report.lang))} | {score_text(v)} |"
              for k, v in s.by_topic.items()]  # fmt: skip
    lines += _bullets(t["strengths"], s.strengths, t["none"])
    lines += _bullets(t["gaps"], s.gaps, t["none"])
    if s.study_next:
        lines += ["", t["study"], ""]
        for item in s.study_next:
            found = links(item.reading, report.lang)
            lines.append(
                f"- **{topic_label(item.topic, report.lang)}**: {found or t['study_default']}"
            )
    path = report.difficulty_path
    starts = [str(p["difficulty"]) for p in path if "difficulty" in p]
    steps = [str(p["next_difficulty"]) for p in path if "next_difficulty" in p]
    if starts:
        lines += [
            "",
            t["path"].format(path=" → ".join(starts))
            + (t["steps"].format(steps=" → ".join(steps)) if steps else ""),
        ]
    return "\n".join(lines)


def questions(report: Report, reading: ReadingFn | None = None) -> str:
    """Each question in order; ``reading`` adds the topic's reading links to each."""
    lang = report.lang
    lines = [LABELS[lang]["questions"], ""]
    for turn in report.turns:
        lines += question(turn, reading, lang)
    if not report.turns:
        lines.append(LABELS[lang]["no_answers"])
    return "\n".join(lines).rstrip() + "\n"


def question(turn: ReportTurn, reading: ReadingFn | None = None, lang: str = "zh") -> list[str]:
    """One question: what was asked and answered, the grade's verdicts with evidence,
    feedback, the reference answer, reading links and speech metrics."""
    t = LABELS[lang if lang in LABELS else "zh"]
    g = turn.grade
    kind = t["main"] if turn.kind == "main" else t["follow_up"]
    if turn.origin == "project":
        kind = f"{t['project']}{t['project_fu'] if turn.kind != 'main' else ''}"
    score = f"{score_text(g.score)}/10" if turn.graded else "pending"
    flags = f" · flags: {', '.join(g.flags)}" if g.flags else ""
    answer = quoted(turn.answer) or [t["skipped"] if turn.skipped else t["empty"]]
    lines = [
        f"### {turn.index + 1}. [{kind}] {inert(turn.question)}",
        "",
        f"`{turn.question_id}` · {topic_label(turn.topic, lang)} · {t['difficulty']} "
        f"{turn.difficulty} · {t['score']} **{score}**{flags}",
        "",
        *_provenance(turn, lang),
        t["answer"],
        "",
        *answer,
        "",
    ]
    lines += _verdicts(g.points, lang)
    if g.feedback:
        lines += [f"{t['feedback']} {inert(g.feedback)}", ""]
    if turn.reference_answer:
        lines += [f"{t['reference']} {turn.reference_answer}", ""]
    found = links(list(reading(turn.topic))[:3], lang) if reading else ""
    if found:
        lines += [f"{t['reading']} {found}", ""]
    if turn.speech:
        sp = turn.speech
        lines += [f"{t['speech']} {speech_line(sp, lang)}", "", f"`{speech_values(sp)}`", ""]
    return lines


def _provenance(turn: ReportTurn, lang: str = "zh") -> list[str]:
    """Where the question and its key points come from, when not the curated bank."""
    if lang == "en":
        if turn.origin == "project" and turn.rubric_source != "derived":
            return [
                f"> Project question from your CV (“{inert(turn.project or '')}”), built "
                "from a curated template and your CV's words; its key points are curated, "
                "none written by a model.",
                "",
            ]
        if turn.origin == "project":
            return [
                f"> Project question from your CV (“{inert(turn.project or '')}”); its "
                "key points are *derived* by the model, not curated.",
                "",
            ]
        if turn.rubric_source == "derived":
            return ["> Key points derived by the model, not curated.", ""]
        return []
    if turn.origin == "project" and turn.rubric_source != "derived":
        return [
            "> 项目问题：用整理好的模板和你简历里项目"
            f"「{inert(turn.project or '')}」的原话出题；"
            "评分要点来自模板和题库，不由模型编写。 Project question from your CV, built from a "
            "curated template; its key points are curated, none written by a model.",
            "",
        ]
    if turn.origin == "project":
        return [
            f"> 项目问题：根据你简历里的项目「{inert(turn.project or '')}」生成；"
            "评分要点由模型从简历、JD 和题库相关题推导，**非人工整理**。 "
            "Project question from your CV; its key points are *derived* by the model, "
            "not curated.",
            "",
        ]
    if turn.rubric_source == "derived":
        return ["> 评分要点由模型推导，非人工整理 (derived key points, not curated).", ""]
    return []


def verdict_of(p: PointGrade) -> str:
    """A point's verdict as shown: ``contradicted`` when it states a misconception."""
    return "contradicted" if p.contradicted else p.verdict


def _verdicts(points: Sequence[PointGrade], lang: str = "zh") -> list[str]:
    """The key points as a table: verdict and confidence, point (and the misconception
    the answer stated), quoted evidence."""
    if not points:
        return []
    t = LABELS[lang if lang in LABELS else "zh"]
    names = VERDICT_NAME_EN if lang == "en" else VERDICT_NAME
    lines = [t["verdict_cols"], "|---|---|---|"]
    for p in points:
        verdict = verdict_of(p)
        evidence = _cell(p.evidence)
        point = _cell(p.point)
        if p.misconception:
            point += f" ⟵ {t['misconception']}: {_cell(p.misconception)}"
        lines.append(
            f"| {VERDICT_MARK.get(verdict, '·')} {names.get(verdict, verdict)} "
            f"{p.confidence:.2f} | {point} | "
            f"{'“' + evidence + '”' if evidence else ''} |"
        )
    return [*lines, ""]
