"""The grading queue's table (``grade_jobs``): every grade an instance has accepted is
a row until its grade is saved, so any app instance on the same database can finish
it if the one that accepted it dies.

- **Claiming**: a worker takes the first claimable job in fair order, in one
  transaction: ``FOR UPDATE SKIP LOCKED`` on PostgreSQL (workers never wait on each
  other's rows), the file's write lock on SQLite (``BEGIN IMMEDIATE``). A job is
  claimable when no one holds it, or when the instance holding it stopped beating
  (``instances``: each live instance writes its heartbeat every ``HEARTBEAT_S``).
- **Fairness**: round robin over candidates: each candidate's jobs are ranked by age
  (held ones included), and jobs are served by rank, then age. A candidate with ten
  answers queued gets one grade, then the others' first ones go, and so on.
- **Position**: how many jobs come before a session's next one ("前面还有 N 个").
"""

from __future__ import annotations

import os
import socket
import time
import uuid
from dataclasses import dataclass

from agent.db import Database

HEARTBEAT_S = 3.0
#: An instance whose heartbeat is older than this is gone: its jobs are free again.
STALE_S = 15.0
#: A job whose instance died this many times while grading it is given up (pending).
MAX_ATTEMPTS = 3

_FAIR_ORDER = """
SELECT j.session_id, j.turn, j.payload, j.attempts FROM grade_jobs j
JOIN (SELECT session_id, turn,
             ROW_NUMBER() OVER (PARTITION BY candidate ORDER BY seq, session_id, turn) AS rn
      FROM grade_jobs) r ON r.session_id = j.session_id AND r.turn = j.turn
WHERE j.claimed_by IS NULL OR j.claimed_by NOT IN (SELECT id FROM instances WHERE seen > ?)
ORDER BY r.rn, j.seq, j.session_id, j.turn
LIMIT 1
"""


def new_instance_id() -> str:
    return f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


@dataclass
class Job:
    """One turn to grade: its session, its index and the turn as JSON (the queue's
    caller reads it back into its own type)."""

    session_id: str
    index: int
    payload: str
    attempts: int


class Jobs:
    def __init__(self, db: Database, instance: str | None = None) -> None:
        self.db = db
        self.instance = instance or new_instance_id()

    def beat(self) -> None:
        """This instance is alive."""
        self.db.run(
            "INSERT INTO instances VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET seen=excluded.seen",
            (self.instance, time.time()),
        )

    def leave(self) -> None:
        """This instance stops: the jobs it holds are free at once."""
        self.db.run("DELETE FROM instances WHERE id=?", (self.instance,))

    def add(self, session_id: str, index: int, payload: str) -> bool:
        """Queue turn ``index``'s grade (``payload``: the turn as JSON); False when it
        is queued or being graded already."""
        row = self.db.one("SELECT candidate FROM sessions WHERE id=?", (session_id,))
        candidate = str(row[0]) if row else "default"
        added = self.db.run(
            "INSERT INTO grade_jobs (session_id, turn, candidate, payload, seq) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (session_id, index, candidate, payload, time.time()),
        )
        return added == 1

    def claim(self) -> Job | None:
        """The next job in fair order, now held by this instance (None: nothing free)."""
        alive = time.time() - STALE_S
        if self.db.one(_FAIR_ORDER, (alive,)) is None:  # a cheap look before locking
            return None
        lock = " FOR UPDATE OF j SKIP LOCKED" if self.db.kind == "postgres" else ""
        with self.db.transaction() as tx:
            row = tx.one(_FAIR_ORDER + lock, (alive,))
            if row is None:
                return None
            session_id, turn, payload, attempts = row
            tx.run(
                "UPDATE grade_jobs SET claimed_by=?, claimed_at=?, attempts=attempts+1 "
                "WHERE session_id=? AND turn=?",
                (self.instance, time.time(), session_id, turn),
            )
        return Job(str(session_id), int(turn), str(payload), int(attempts) + 1)

    def done(self, session_id: str, index: int) -> None:
        self.db.run("DELETE FROM grade_jobs WHERE session_id=? AND turn=?", (session_id, index))

    def waiting(self, session_id: str) -> set[int]:
        """The turns of the session whose jobs are not done yet."""
        rows = self.db.all("SELECT turn FROM grade_jobs WHERE session_id=?", (session_id,))
        return {int(r[0]) for r in rows}

    def total(self) -> int:
        row = self.db.one("SELECT COUNT(*) FROM grade_jobs")
        return int(row[0]) if row else 0

    def ahead(self, session_id: str) -> int | None:
        """How many jobs are served before the session's next free one (None: it has
        none waiting to be picked up)."""
        rows = self.db.all(
            "SELECT session_id, turn, candidate, seq, claimed_by FROM grade_jobs "
            "ORDER BY seq, session_id, turn"
        )
        live = self.db.all("SELECT id FROM instances WHERE seen > ?", (time.time() - STALE_S,))
        alive = {r[0] for r in live}
        rank: dict[str, int] = {}
        order = []
        for sid, turn, candidate, seq, holder in rows:
            rank[candidate] = rank.get(candidate, 0) + 1
            held = holder is not None and holder in alive
            order.append((rank[candidate], seq, sid, turn, held))
        order.sort(key=lambda o: (o[0], o[1], o[2], o[3]))
        free = [o for o in order if not o[4]]
        mine = next((n for n, o in enumerate(free) if o[2] == session_id), None)
        return None if mine is None else mine
