"""The background grading queue: nothing lost when the database is full, nothing kept
forever once a grade is done. The real SQLite store, filled up for real (its page
limit set to what it holds, so the next write fails with SQLITE_FULL); the grader
is a stand-in."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest

from agent.db.database import SqliteDatabase
from agent.grading.models import Grade
from agent.grading.queue import GradingQueue
from agent.interview.state import Current, Turn
from agent.interview.store import Store


def _turn(i: int) -> Turn:
    return Turn(index=i, question_id=f"q{i}", answer="答案", kind="main", question="Q")


def _no_entry(turn: Turn) -> Any:
    """The stand-in graders need no bank entry."""
    return None


def _queue(grade: Any, store: Store) -> GradingQueue[Turn]:
    return GradingQueue(grade, _no_entry, Turn.model_validate_json, store)


def _grade(entry: Any, answer: str, **_: Any) -> Grade:
    return Grade(question_id="x", score=7.0, method="sampled")


def _fill(store: Store) -> None:
    """No room left: the file may not grow, and filler grades take the free space of
    its pages (big ones, then smaller), so writes fail as on a full disk ("database or
    disk is full"); reads still work."""
    conn = _conn(store)
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages}")
    n = 0
    for size in (2000, 200, 20, 1):
        while True:
            try:
                store.save_grade("filler", n, Grade(question_id="f", score=0, feedback="x" * size))
            except sqlite3.OperationalError:
                break
            n += 1


def _make_room(store: Store) -> None:
    _conn(store).execute("PRAGMA max_page_count = 1073741823")


def _conn(store: Store) -> sqlite3.Connection:
    """The store's SQLite connection (these tests fill a SQLite file)."""
    assert isinstance(store.db, SqliteDatabase)
    return store.db.conn


def test_a_grade_the_store_cannot_save_is_still_reported_and_saved_later(
    tmp_path: Path,
) -> None:
    store = Store(tmp_path / "s.sqlite")
    _fill(store)
    with pytest.raises(sqlite3.OperationalError, match="full"):
        store.save_grade("probe", 0, _grade(None, ""))
    queue = _queue(_grade, store)
    seen: list[tuple[int, float | None]] = []
    queue.on_ready = lambda sid, i, g: seen.append((i, g.score))
    turns = [_turn(0), _turn(1)]
    for t in turns:
        queue.submit("s", t)
    grades = queue.collect("s", turns)
    assert sorted(seen) == [(0, 7.0), (1, 7.0)]  # practice feedback still arrives
    assert {i: g.status for i, g in grades.items()} == {0: "graded", 1: "graded"}
    assert store.grades("s") == {}
    _make_room(store)  # space again: the next collect saves what was kept
    queue.collect("s", turns)
    assert set(store.grades("s")) == {0, 1}
    queue.shutdown()


def test_finished_grades_are_forgotten(tmp_path: Path) -> None:
    gate = threading.Event()

    def slow(entry: Any, answer: str, **_: Any) -> Grade:
        gate.wait(10)
        return _grade(entry, answer)

    queue = _queue(slow, Store(tmp_path / "s.sqlite"))
    turns = [_turn(i) for i in range(5)]
    for t in turns:
        queue.submit("s", t)
    assert queue.jobs.total() == 5
    gate.set()
    grades = queue.collect("s", turns)
    assert len(grades) == 5 and queue.jobs.total() == 0
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
