"""Sessions in the database (agent/db/: a SQLite file, or PostgreSQL): LangGraph's
checkpoints (the interview state after every step, ``thread_id`` = session id) and
tables of our own: ``sessions`` (who, when, config, status, final report), ``grades``
(each turn's grade, written by the background grader as soon as it is ready) and
``claims`` (who answers which step)."""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from agent.db import Database, open_database
from agent.grading.models import Grade
from agent.interview.report_types import Report
from agent.interview.state import InterviewConfig

#: A claim older than this is from a process that died mid-answer: it no longer blocks.
CLAIM_STALE_S = 600.0


class SessionRecord(BaseModel):
    """One stored session: who, when, its setup, where it stands, its report."""

    id: str
    candidate: str
    created: float
    updated: float
    status: str  # active | finished
    config: InterviewConfig
    report: Report | None = None

    def as_json(self) -> dict[str, Any]:
        """Plain JSON (what agent/review/, below the interview, reads)."""
        out: dict[str, Any] = self.model_dump(mode="json")
        return out


def new_session_id() -> str:
    return time.strftime("%Y%m%d-%H%M%S-") + uuid.uuid4().hex[:6]


class Store:
    def __init__(self, target: Database | Path | str) -> None:
        self.db = open_database(target)
        self.checkpointer = self.db.checkpointer()

    def close(self) -> None:
        self.db.close()

    # ---------------------------------------------------------------- sessions
    def create_session(self, session_id: str, candidate: str, config: InterviewConfig) -> None:
        now = time.time()
        self.db.run(
            "INSERT INTO sessions VALUES (?, ?, ?, ?, 'active', ?, NULL) ON CONFLICT DO NOTHING",
            (session_id, candidate, now, now, config.model_dump_json()),
        )

    def finish_session(self, session_id: str, report: Report) -> None:
        self.db.run(
            "UPDATE sessions SET status='finished', updated=?, report=? WHERE id=?",
            (time.time(), report.model_dump_json(), session_id),
        )

    def session(self, session_id: str) -> SessionRecord | None:
        row = self.db.one(
            "SELECT id, candidate, created, updated, status, config, report "
            "FROM sessions WHERE id=?",
            (session_id,),
        )
        return _session_row(row) if row else None

    def sessions(self, candidate: str | None = None, limit: int = 50) -> list[SessionRecord]:
        query = "SELECT id, candidate, created, updated, status, config, report FROM sessions"
        args: tuple[Any, ...] = ()
        if candidate:
            query += " WHERE candidate=?"
            args = (candidate,)
        query += " ORDER BY created DESC LIMIT ?"
        return [_session_row(r) for r in self.db.all(query, (*args, limit))]

    def recent_history(self, candidate: str, sessions: int = 5) -> tuple[list[str], list[str]]:
        """(question ids asked, weak topics) from the candidate's recent finished sessions."""
        asked: list[str] = []
        topic_scores: dict[str, list[float]] = {}
        for s in self.sessions(candidate, limit=sessions):
            if s.report is None:
                continue
            asked += [turn.question_id for turn in s.report.turns]
            for topic, score in s.report.summary.by_topic.items():
                if score is not None:
                    topic_scores.setdefault(topic, []).append(score)
        weak = [t for t, v in topic_scores.items() if sum(v) / len(v) < 5.0]
        return [a for a in asked if a], weak

    # ------------------------------------------------------------------ growth
    def compact(self, session_id: str) -> int:
        """Drop a finished session's step-by-step history: every checkpoint but the
        latest (which holds the whole final state: our channels are plain values, no
        delta channels) and its answer claims. Returns the checkpoints removed."""
        postgres = self.db.kind == "postgres"
        writes = "checkpoint_writes" if postgres else "writes"
        with self.db.transaction() as tx:
            latest = tx.one(
                "SELECT checkpoint_id FROM checkpoints WHERE thread_id=? AND checkpoint_ns='' "
                "ORDER BY checkpoint_id DESC LIMIT 1",
                (session_id,),
            )
            if latest is None:
                return 0
            keep = (session_id, latest[0])
            tx.run(f"DELETE FROM {writes} WHERE thread_id=? AND checkpoint_id!=?", keep)
            removed = tx.run("DELETE FROM checkpoints WHERE thread_id=? AND checkpoint_id!=?", keep)
            if postgres:  # channel values no checkpoint left refers to
                tx.run(
                    "DELETE FROM checkpoint_blobs b WHERE b.thread_id=? AND NOT EXISTS ("
                    "SELECT 1 FROM checkpoints c WHERE c.thread_id=b.thread_id AND "
                    "c.checkpoint_ns=b.checkpoint_ns AND "
                    "c.checkpoint->'channel_versions'->>b.channel = b.version)",
                    (session_id,),
                )
            tx.run("DELETE FROM claims WHERE session_id=?", (session_id,))
            return removed

    # ------------------------------------------------------------------ claims
    def claim(self, session_id: str, step: str) -> bool:
        """Claim the right to answer ``step`` of a session; False if someone else has."""
        now = time.time()
        with self.db.transaction() as tx:
            tx.run(
                "DELETE FROM claims WHERE session_id=? AND step=? AND at<?",
                (session_id, step, now - CLAIM_STALE_S),
            )
            return (
                tx.run(
                    "INSERT INTO claims VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                    (session_id, step, now),
                )
                == 1
            )

    def release(self, session_id: str, step: str) -> None:
        """Give a claim back (the answer failed before it was taken in)."""
        self.db.run("DELETE FROM claims WHERE session_id=? AND step=?", (session_id, step))

    # ------------------------------------------------------------------ grades
    def save_grade(self, session_id: str, turn: int, grade: Grade) -> None:
        self.db.run(
            "INSERT INTO grades VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (session_id, turn) "
            "DO UPDATE SET question_id=excluded.question_id, status=excluded.status, "
            "grade=excluded.grade, updated=excluded.updated",
            (
                session_id,
                turn,
                grade.question_id or "",
                grade.status,
                grade.model_dump_json(),
                time.time(),
            ),
        )

    def grades(self, session_id: str) -> dict[int, Grade]:
        rows = self.db.all("SELECT turn, grade FROM grades WHERE session_id=?", (session_id,))
        return {int(turn): Grade.model_validate_json(text) for turn, text in rows}


def _session_row(row: tuple[Any, ...]) -> SessionRecord:
    sid, candidate, created, updated, status, config, report = row
    return SessionRecord(
        id=sid,
        candidate=candidate,
        created=created,
        updated=updated,
        status=status,
        config=InterviewConfig.model_validate_json(config),
        report=Report.model_validate_json(report) if report else None,
    )
