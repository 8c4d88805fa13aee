"""The background grading queue: nothing lost when the store fails, nothing kept
forever once a grade is done (test doubles for the grader and a failing store)."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Any

from agent.grading.models import Grade
from agent.grading.queue import GradingQueue
from agent.interview.state import Current
from agent.interview.store import Store


def _turn(i: int) -> dict[str, Any]:
    return {"index": i, "question_id": f"q{i}", "answer": "答案", "kind": "main"}


def _grade(entry: Any, answer: str) -> Grade:
    return Grade(question_id="x", score=7.0, method="sampled")


class FullDisk(Store):
    """A real SQLite store whose grade writes fail, like a full disk."""

    failing = True

    def save_grade(self, session_id: str, turn: int, grade: dict[str, Any]) -> None:
        if self.failing:
            raise sqlite3.OperationalError("database or disk is full")
        super().save_grade(session_id, turn, grade)


def test_a_grade_the_store_cannot_save_is_still_reported_and_saved_later(
    tmp_path: Path,
) -> None:
    store = FullDisk(tmp_path / "s.sqlite")
    queue = GradingQueue(_grade, lambda t: None, store)
    seen: list[tuple[int, float]] = []
    queue.on_ready = lambda sid, i, g: seen.append((i, g["score"]))
    turns = [_turn(0), _turn(1)]
    for t in turns:
        queue.submit("s", t)
    grades = queue.collect("s", turns)
    assert sorted(seen) == [(0, 7.0), (1, 7.0)]  # practice feedback still arrives
    assert {i: g["status"] for i, g in grades.items()} == {0: "graded", 1: "graded"}
    assert store.grades("s") == {}
    store.failing = False  # space again: the next collect saves what was kept
    queue.collect("s", turns)
    assert set(store.grades("s")) == {0, 1}
    queue.shutdown()


def test_finished_grades_are_forgotten(tmp_path: Path) -> None:
    gate = threading.Event()

    def slow(entry: Any, answer: str) -> Grade:
        gate.wait(10)
        return _grade(entry, answer)

    queue = GradingQueue(slow, lambda t: None, Store(tmp_path / "s.sqlite"))
    turns = [_turn(i) for i in range(5)]
    for t in turns:
        queue.submit("s", t)
    assert queue.in_flight() == 5
    gate.set()
    grades = queue.collect("s", turns)
    assert len(grades) == 5 and queue.in_flight() == 0
    queue.shutdown()


def test_a_session_saved_before_targets_were_fields_still_loads() -> None:
    old = {
        "question_id": "q1",
        "kind": "follow_up",
        "question": "追问",
        "grading": {"targets": [2], "reference": "参考"},
    }
    current = Current.model_validate(old)
    assert current.targets == [2] and current.reference == "参考"
