"""Sessions on disk: one SQLite file holds LangGraph's checkpoints (the interview
state after every step, ``thread_id`` = session id) and two small tables of our own:
``sessions`` (who, when, config, status, final report) and ``grades`` (each turn's
grade, written by the background grader as soon as it is ready)."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from langgraph.checkpoint.sqlite import SqliteSaver

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY,
    candidate TEXT NOT NULL,
    created REAL NOT NULL,
    updated REAL NOT NULL,
    status TEXT NOT NULL,            -- active | finished
    config TEXT NOT NULL,
    report TEXT
);
CREATE TABLE IF NOT EXISTS grades (
    session_id TEXT NOT NULL,
    turn INTEGER NOT NULL,
    question_id TEXT NOT NULL,
    status TEXT NOT NULL,            -- graded | pending
    grade TEXT NOT NULL,
    updated REAL NOT NULL,
    PRIMARY KEY (session_id, turn)
);
-- who is answering which step: two windows (or the app and the CLI) must not both
-- answer the question a session is waiting at; the first claim wins
CREATE TABLE IF NOT EXISTS claims (
    session_id TEXT NOT NULL,
    step TEXT NOT NULL,              -- the checkpoint id the answer is given at
    at REAL NOT NULL,
    PRIMARY KEY (session_id, step)
);
"""

#: A claim older than this is from a process that died mid-answer: it no longer blocks.
CLAIM_STALE_S = 600.0


def new_session_id() -> str:
    return time.strftime("%Y%m%d-%H%M%S-") + uuid.uuid4().hex[:6]


class Store:
    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        # Two connections: ours (sessions, grades; written from the grading thread) and
        # the checkpointer's, so their transactions never interleave on one handle.
        self._conn = sqlite3.connect(str(path), check_same_thread=False, timeout=30)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._lock = threading.RLock()
        with self._lock, self._conn:
            self._conn.executescript(_SCHEMA)
        self._cp_conn = sqlite3.connect(str(path), check_same_thread=False, timeout=30)
        self.checkpointer = SqliteSaver(self._cp_conn)
        self.checkpointer.setup()

    def close(self) -> None:
        with self._lock:
            self._conn.close()
            self._cp_conn.close()

    # ---------------------------------------------------------------- sessions
    def create_session(self, session_id: str, candidate: str, config: dict[str, Any]) -> None:
        now = time.time()
        with self._lock, self._conn:
            self._conn.execute(
                "INSERT OR IGNORE INTO sessions VALUES (?, ?, ?, ?, 'active', ?, NULL)",
                (session_id, candidate, now, now, json.dumps(config, ensure_ascii=False)),
            )

    def finish_session(self, session_id: str, report: dict[str, Any]) -> None:
        with self._lock, self._conn:
            self._conn.execute(
                "UPDATE sessions SET status='finished', updated=?, report=? WHERE id=?",
                (time.time(), json.dumps(report, ensure_ascii=False), session_id),
            )

    def session(self, session_id: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._conn.execute(
                "SELECT id, candidate, created, updated, status, config, report "
                "FROM sessions WHERE id=?",
                (session_id,),
            ).fetchone()
        return _session_row(row) if row else None

    def sessions(self, candidate: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
        query = "SELECT id, candidate, created, updated, status, config, report FROM sessions"
        args: tuple[Any, ...] = ()
        if candidate:
            query += " WHERE candidate=?"
            args = (candidate,)
        query += " ORDER BY created DESC LIMIT ?"
        with self._lock:
            rows = self._conn.execute(query, (*args, limit)).fetchall()
        return [_session_row(r) for r in rows]

    def recent_history(self, candidate: str, sessions: int = 5) -> tuple[list[str], list[str]]:
        """(question ids asked, weak topics) from the candidate's recent finished sessions."""
        asked: list[str] = []
        topic_scores: dict[str, list[float]] = {}
        for s in self.sessions(candidate, limit=sessions):
            report = s.get("report") or {}
            for turn in report.get("turns", []):
                asked.append(turn.get("question_id", ""))
            for topic, score in (report.get("summary", {}).get("by_topic") or {}).items():
                if isinstance(score, int | float):
                    topic_scores.setdefault(topic, []).append(float(score))
        weak = [t for t, v in topic_scores.items() if sum(v) / len(v) < 5.0]
        return [a for a in asked if a], weak

    # ------------------------------------------------------------------ growth
    def compact(self, session_id: str) -> int:
        """Drop a finished session's step-by-step history: every checkpoint but the
        latest (which holds the whole final state: our channels are plain values, no
        delta channels) and its answer claims. Returns the checkpoints removed."""
        with self._lock, self._conn:
            latest = self._conn.execute(
                "SELECT checkpoint_id FROM checkpoints WHERE thread_id=? AND checkpoint_ns='' "
                "ORDER BY checkpoint_id DESC LIMIT 1",
                (session_id,),
            ).fetchone()
            if latest is None:
                return 0
            keep = (session_id, latest[0])
            self._conn.execute("DELETE FROM writes WHERE thread_id=? AND checkpoint_id!=?", keep)
            cur = self._conn.execute(
                "DELETE FROM checkpoints WHERE thread_id=? AND checkpoint_id!=?", keep
            )
            self._conn.execute("DELETE FROM claims WHERE session_id=?", (session_id,))
            return cur.rowcount

    # ------------------------------------------------------------------ claims
    def claim(self, session_id: str, step: str) -> bool:
        """Claim the right to answer ``step`` of a session; False if someone else has."""
        now = time.time()
        with self._lock, self._conn:
            self._conn.execute(
                "DELETE FROM claims WHERE session_id=? AND step=? AND at<?",
                (session_id, step, now - CLAIM_STALE_S),
            )
            cur = self._conn.execute(
                "INSERT OR IGNORE INTO claims VALUES (?, ?, ?)", (session_id, step, now)
            )
            return cur.rowcount == 1

    def release(self, session_id: str, step: str) -> None:
        """Give a claim back (the answer failed before it was taken in)."""
        with self._lock, self._conn:
            self._conn.execute(
                "DELETE FROM claims WHERE session_id=? AND step=?", (session_id, step)
            )

    # ------------------------------------------------------------------ grades
    def save_grade(self, session_id: str, turn: int, grade: dict[str, Any]) -> None:
        with self._lock, self._conn:
            self._conn.execute(
                "INSERT OR REPLACE INTO grades VALUES (?, ?, ?, ?, ?, ?)",
                (
                    session_id,
                    turn,
                    grade.get("question_id", ""),
                    grade.get("status", "graded"),
                    json.dumps(grade, ensure_ascii=False),
                    time.time(),
                ),
            )

    def grades(self, session_id: str) -> dict[int, dict[str, Any]]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT turn, grade FROM grades WHERE session_id=?", (session_id,)
            ).fetchall()
        return {int(turn): json.loads(text) for turn, text in rows}


def _session_row(row: tuple[Any, ...]) -> dict[str, Any]:
    sid, candidate, created, updated, status, config, report = row
    return {
        "id": sid,
        "candidate": candidate,
        "created": created,
        "updated": updated,
        "status": status,
        "config": json.loads(config),
        "report": json.loads(report) if report else None,
    }
