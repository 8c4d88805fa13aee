"""Review cards from a finished interview's grades, scheduled with the real py-fsrs
scheduler in a real SQLite file."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from agent.interview.engine import Engine
from agent.interview.report_types import Report
from agent.interview.state import InterviewConfig
from agent.review.cards import Cards
from agent.settings import Settings

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _report(verdicts: dict[str, str], skipped: bool = False) -> dict[str, Any]:
    points = [{"point": p, "verdict": v, "confidence": 0.9} for p, v in verdicts.items()]
    return {
        "config": {"candidate": "alice"},
        "turns": [
            {
                "index": 0,
                "kind": "main",
                "question_id": "q1",
                "question": "什么是 LoRA？",
                "topic": "微调与PEFT",
                "reference_answer": "低秩分解……",
                "skipped": skipped,
                "grade": {"question_id": "q1", "status": "graded", "score": 5, "points": points},
            }
        ],
    }


def test_missed_and_half_covered_points_become_cards(tmp_path: Path) -> None:
    cards = Cards(tmp_path / "s.sqlite")
    changed = cards.from_report(
        _report({"冻结原权重": "covered", "低秩矩阵 BA": "missing", "推理时合并": "partial"}),
        now=NOW,
    )
    assert changed == 2 and cards.count("alice") == 2  # a covered point makes no card
    assert cards.due("alice", now=NOW + timedelta(hours=1)) == []  # not the same day
    soon = cards.due("alice", now=NOW + timedelta(days=1))
    assert {c.point for c in soon} == {"低秩矩阵 BA", "推理时合并"}
    assert soon[0].question == "什么是 LoRA？" and soon[0].reference == "低秩分解……"
    assert cards.due("bob", now=NOW + timedelta(days=30)) == []
    cards.close()


def test_remembering_a_point_pushes_it_further_out_than_forgetting(tmp_path: Path) -> None:
    cards = Cards(tmp_path / "s.sqlite")
    cards.from_report(_report({"A": "missing", "B": "missing"}), now=NOW)
    later = NOW + timedelta(days=1)
    turn = _report({})["turns"][0]
    cards.rate("alice", turn, "A", "covered", now=later)
    cards.rate("alice", turn, "B", "missing", now=later)
    card_a, card_b = cards.card_json("alice", "q1", "A"), cards.card_json("alice", "q1", "B")
    assert card_a is not None and card_b is not None
    assert datetime.fromisoformat(card_a["due"]) > datetime.fromisoformat(card_b["due"])
    cards.close()


def test_skipped_and_pending_turns_make_no_cards(tmp_path: Path) -> None:
    cards = Cards(tmp_path / "s.sqlite")
    assert cards.from_report(_report({"A": "missing"}, skipped=True), now=NOW) == 0
    pending = _report({"A": "missing"})
    pending["turns"][0]["grade"]["status"] = "pending"
    assert cards.from_report(pending, now=NOW) == 0
    cards.close()


def test_a_finished_interview_files_its_cards(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache")
    engine = Engine(settings, None)
    try:
        engine.store.create_session("s1", "alice", InterviewConfig(candidate="alice"))
        engine._finished("s1", Report.model_validate(_report({"A": "missing"})))
        record = engine.store.session("s1")
        assert record is not None and record.status == "finished"
        assert Cards(settings.db_path).count("alice") == 1
    finally:
        engine.close()
