"""Missed key points come back: session 1's missed points are review cards; a day later
(a simulated clock) session 2 asks that question first; answering it well pushes the
cards out. The real engine, graph, store and FSRS; the grader is a stand-in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from agent.grading.models import Grade, PointGrade
from agent.interview.engine import Engine
from agent.interview.state import InterviewConfig
from agent.review.cards import Cards
from agent.settings import Settings

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _grade(entry: Any, answer: str, **_: Any) -> Grade:
    verdict = "covered" if "好回答" in answer else "missing"
    points = [PointGrade(point=p.point, verdict=verdict, confidence=0.9) for p in entry.rubric]
    score = 9.0 if verdict == "covered" else 1.0
    return Grade(question_id=entry.id, score=score, points=points, method="sampled")


def _interview(engine: Engine, seed: int, answer: str) -> dict[str, Any]:
    config = InterviewConfig(questions=1, max_follow_ups=0, seed=seed, candidate="alice")
    step = engine.start(config)
    first = step.question_id
    step = engine.reply(step.session_id, answer, at=step.at)
    assert step.done and step.report is not None
    return {"first": first, "report": step.report.as_json()}


def test_missed_points_come_back_first_and_stop_once_remembered(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache")
    engine = Engine(settings, None)
    engine.queue._grade = _grade  # the stand-in grader (no model in unit tests)
    cards = Cards(settings.db_path)
    try:
        engine.clock = lambda: T0
        one = _interview(engine, seed=1, answer="不太清楚")
        missed = {p["point"] for p in one["report"]["turns"][0]["grade"]["points"]}
        assert missed and cards.count("alice") == len(missed)

        engine.clock = lambda: T0 + timedelta(days=1)
        assert {c.point for c in cards.due("alice", now=T0 + timedelta(days=1))} == missed
        two = _interview(engine, seed=2, answer="好回答：把每个要点都讲清楚")
        assert two["first"] == one["first"]  # the due question came back first

        # remembered: pushed out past the next day (forgotten again, it would be due then)
        assert cards.due("alice", now=T0 + timedelta(days=2, hours=12)) == []
        assert {c.point for c in cards.due("alice", now=T0 + timedelta(days=3))} == missed
    finally:
        cards.close()
        engine.close()
