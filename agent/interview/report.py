"""The scored transcript: a JSON report (an interface other tools read; its fields are
in README, "How it works"), written with its Markdown twin (rendered by
``agent.interview.report_markdown``).

Scores: each turn's grade is 0–10 (see agent/grading/). The overall score and each
topic's score are weighted means over graded turns, a main question counting twice
as much as a follow-up (MAIN_WEIGHT : FOLLOW_UP_WEIGHT). Skipped questions count as 0.
A grade that is still pending is never replaced by a guess: it is excluded from the
means, counted in ``summary.pending`` and the report says ``complete: false``.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path

from agent.bank import Bank
from agent.grading.models import Grade
from agent.interview.report_markdown import ReadingFn, to_markdown
from agent.interview.report_types import Report, ReportTurn, StudyItem, Summary
from agent.interview.state import InterviewState, Turn, config_of, turns_of
from agent.interview.targets import turn_entry

MAIN_WEIGHT = 2.0
FOLLOW_UP_WEIGHT = 1.0
STRONG_TOPIC = 7.0
WEAK_TOPIC = 5.0


def _weighted_mean(pairs: list[tuple[float, float]]) -> float | None:
    total = sum(w for _, w in pairs)
    return round(sum(s * w for s, w in pairs) / total, 1) if total else None


def _report_turn(bank: Bank, turn: Turn, grade: Grade | None) -> ReportTurn:
    entry = turn_entry(bank, turn)
    reference = turn.reference if turn.kind == "follow_up" else None
    return ReportTurn(
        index=turn.index,
        question_id=turn.question_id,
        kind=turn.kind,
        topic=entry.topic,
        difficulty=entry.difficulty,
        question=turn.question,
        asked=turn.asked,
        answer=turn.answer,
        skipped=turn.skipped,
        hints=turn.hints,
        grade=grade or Grade.pending(turn.question_id, "not graded yet"),
        reference_answer=reference or entry.reference_answer,
        speech=turn.speech,
        origin=turn.origin,
        project=entry.sources[0].locator if turn.origin == "project" else None,
        rubric_source=entry.rubric_source,
    )


def _summary(bank: Bank, turns: list[ReportTurn]) -> Summary:
    by_topic: dict[str, list[tuple[float, float]]] = defaultdict(list)
    overall: list[tuple[float, float]] = []
    strengths: list[str] = []
    gaps: list[str] = []
    for turn in turns:
        if not turn.graded or turn.grade.score is None:
            continue
        weight = MAIN_WEIGHT if turn.kind == "main" else FOLLOW_UP_WEIGHT
        by_topic[turn.topic].append((turn.grade.score, weight))
        overall.append((turn.grade.score, weight))
        for p in turn.grade.points:
            if p.verdict == "covered" and p.point not in strengths:
                strengths.append(p.point)
            elif p.verdict == "missing" and p.point not in gaps:
                gaps.append(p.point)
    topic_scores = {t: _weighted_mean(v) for t, v in by_topic.items()}
    weak = [t for t, s in topic_scores.items() if s is not None and s < WEAK_TOPIC]
    strong = [t for t, s in topic_scores.items() if s is not None and s >= STRONG_TOPIC]
    study = [
        StudyItem(topic=t, reading=[r.model_dump() for r in bank.reading_for_topic(t)[:3]])
        for t in sorted(weak, key=lambda t: topic_scores[t] or 0.0)
    ]
    pending = sum(1 for t in turns if not t.graded)
    return Summary(
        overall_score=_weighted_mean(overall),
        by_topic=topic_scores,
        strong_topics=strong,
        weak_topics=weak,
        strengths=strengths[:10],
        gaps=gaps[:10],
        study_next=study,
        graded=len(overall),
        pending=pending,
        complete=pending == 0,
    )


def build_report(bank: Bank, state: InterviewState, grades: Mapping[int, Grade]) -> Report:
    turns = [_report_turn(bank, t, grades.get(t.index)) for t in turns_of(state)]
    return Report(
        session_id=state.get("session_id"),
        generated_at=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        config=config_of(state),
        intro=state.get("intro"),
        turns=turns,
        difficulty_path=list(state.get("difficulty_path") or []),
        summary=_summary(bank, turns),
    )


def write_report(report: Report, path: Path, reading: ReadingFn | None = None) -> tuple[Path, Path]:
    """The report as JSON at ``path`` (``.json`` when it has another suffix) and its
    Markdown twin beside it (``.md``); ``reading`` adds reading links to each question."""
    path.parent.mkdir(parents=True, exist_ok=True)
    json_path = path if path.suffix == ".json" else path.with_suffix(".json")
    md_path = json_path.with_suffix(".md")
    text = json.dumps(report.as_json(), ensure_ascii=False, indent=2)
    json_path.write_text(text, encoding="utf-8")
    md_path.write_text(to_markdown(report, reading), encoding="utf-8")
    return json_path, md_path
