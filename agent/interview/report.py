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
from pathlib import Path
from typing import Any

from agent.bank import Bank
from agent.grading.models import Grade
from agent.interview.report_markdown import ReadingFn, to_markdown
from agent.interview.targets import turn_entry

MAIN_WEIGHT = 2.0
FOLLOW_UP_WEIGHT = 1.0
STRONG_TOPIC = 7.0
WEAK_TOPIC = 5.0


def _weighted_mean(pairs: list[tuple[float, float]]) -> float | None:
    total = sum(w for _, w in pairs)
    return round(sum(s * w for s, w in pairs) / total, 1) if total else None


def build_report(
    bank: Bank, state: dict[str, Any], grades: dict[int, dict[str, Any]]
) -> dict[str, Any]:
    turns_out: list[dict[str, Any]] = []
    by_topic: dict[str, list[tuple[float, float]]] = defaultdict(list)
    overall: list[tuple[float, float]] = []
    strengths: list[str] = []
    gaps: list[str] = []
    pending = 0
    for turn in state.get("turns", []):
        grade = grades.get(int(turn["index"]))
        entry = turn_entry(bank, turn)
        weight = MAIN_WEIGHT if turn["kind"] == "main" else FOLLOW_UP_WEIGHT
        if grade is None or grade.get("status") != "graded" or grade.get("score") is None:
            pending += 1
        else:
            score = float(grade["score"])
            by_topic[entry.topic].append((score, weight))
            overall.append((score, weight))
            for p in grade.get("points", []):
                if p.get("verdict") == "covered" and p["point"] not in strengths:
                    strengths.append(p["point"])
                elif p.get("verdict") == "missing" and p["point"] not in gaps:
                    gaps.append(p["point"])
        turns_out.append(
            {
                "index": turn["index"],
                "question_id": turn["question_id"],
                "kind": turn["kind"],
                "topic": entry.topic,
                "difficulty": entry.difficulty,
                "question": turn["question"],
                "asked": turn.get("asked", ""),
                "answer": turn.get("answer", ""),
                "skipped": bool(turn.get("skipped")),
                "hints": turn.get("hints", []),
                "grade": grade or Grade.pending(turn["question_id"], "not graded yet").model_dump(),
                "reference_answer": (turn.get("reference") if turn["kind"] == "follow_up" else None)
                or entry.reference_answer,
                "speech": turn.get("speech"),
                # "project": a deep-dive question on the candidate's CV project;
                # "review": missed points asked again (only those points graded)
                "origin": turn.get("origin") or "bank",
                "project": entry.sources[0].locator if turn.get("origin") == "project" else None,
                "rubric_source": entry.rubric_source,
            }
        )
    topic_scores = {t: _weighted_mean(v) for t, v in by_topic.items()}
    weak_topics = [t for t, s in topic_scores.items() if s is not None and s < WEAK_TOPIC]
    strong_topics = [t for t, s in topic_scores.items() if s is not None and s >= STRONG_TOPIC]
    study_next = [
        {"topic": t, "reading": [r.model_dump() for r in bank.reading_for_topic(t)[:3]]}
        for t in sorted(weak_topics, key=lambda t: topic_scores[t] or 0.0)
    ]
    return {
        "session_id": state.get("session_id"),
        "generated_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "config": state.get("config", {}),
        "turns": turns_out,
        "difficulty_path": state.get("difficulty_path", []),
        "summary": {
            "overall_score": _weighted_mean(overall),
            "by_topic": topic_scores,
            "strong_topics": strong_topics,
            "weak_topics": weak_topics,
            "strengths": strengths[:10],
            "gaps": gaps[:10],
            "study_next": study_next,
            "graded": len(overall),
            "pending": pending,
            "complete": pending == 0,
        },
    }


def write_report(
    report: dict[str, Any], path: Path, reading: ReadingFn | None = None
) -> tuple[Path, Path]:
    """The report as JSON at ``path`` (``.json`` when it has another suffix) and its
    Markdown twin beside it (``.md``); ``reading`` adds reading links to each question."""
    path.parent.mkdir(parents=True, exist_ok=True)
    json_path = path if path.suffix == ".json" else path.with_suffix(".json")
    md_path = json_path.with_suffix(".md")
    json_path.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    md_path.write_text(to_markdown(report, reading), encoding="utf-8")
    return json_path, md_path
