"""Review cards: every key point a candidate missed or half-covered, scheduled with FSRS.

A finished interview's report turns each graded point into a rating: ``missing`` →
Again, ``partial`` → Hard, ``covered`` → Good (a point covered is only a review of a
card that exists; it never makes a new one). The FSRS scheduler (py-fsrs) keeps each
card's stability and difficulty and says when it is due next, in days (interviews
are days apart, so there are no minute-level learning steps). Cards live in the
sessions database, keyed by candidate, question and point.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fsrs import Card, Rating, Scheduler

from agent.db import Database, open_database

RATING = {"missing": Rating.Again, "partial": Rating.Hard, "covered": Rating.Good}


@dataclass
class ReviewCard:
    candidate: str
    question_id: str
    point: str
    question: str
    reference: str | None
    topic: str | None
    due: float


class Cards:
    def __init__(self, target: Database | Path | str) -> None:
        self.db = open_database(target)
        self._owned = not isinstance(target, Database)  # a shared database stays open
        # Interviews are days apart: no minute-level (re)learning steps, so a card goes
        # straight to day intervals; no fuzzing, so the schedule is reproducible.
        self._scheduler = Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)

    def close(self) -> None:
        if self._owned:
            self.db.close()

    def rate(
        self,
        candidate: str,
        turn: Mapping[str, Any],
        point: str,
        verdict: str,
        now: datetime | None = None,
    ) -> bool:
        """Schedule ``point`` of ``turn``'s question by its verdict; False when there was
        nothing to do (a covered point without a card)."""
        rating = RATING.get(verdict)
        if rating is None:
            return False
        key = (candidate, str(turn["question_id"]), point)
        row = self.db.one(
            "SELECT card FROM review_cards WHERE candidate=? AND question_id=? AND point=?", key
        )
        if row is None and rating == Rating.Good:
            return False
        card = Card.from_json(row[0]) if row else Card()
        card, _log = self._scheduler.review_card(card, rating, now or datetime.now(UTC))
        self.db.run(
            "INSERT INTO review_cards VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (candidate, question_id, point) DO UPDATE SET "
            "question=excluded.question, reference=excluded.reference, topic=excluded.topic, "
            "card=excluded.card, due=excluded.due, updated=excluded.updated",
            (*key, str(turn.get("question", "")), turn.get("reference_answer"),
             turn.get("topic"), card.to_json(), card.due.timestamp(), time.time()),
        )  # fmt: skip
        return True

    def from_report(self, report: Mapping[str, Any], now: datetime | None = None) -> int:
        """Every graded point of a finished interview rated; how many cards changed."""
        candidate = str((report.get("config") or {}).get("candidate") or "default")
        changed = 0
        for turn in report.get("turns") or []:
            grade = turn.get("grade") or {}
            if grade.get("status") != "graded" or turn.get("skipped"):
                continue
            for p in grade.get("points") or []:
                changed += self.rate(candidate, turn, str(p["point"]), str(p["verdict"]), now)
        return changed

    def due(self, candidate: str, now: datetime | None = None, limit: int = 20) -> list[ReviewCard]:
        """The candidate's cards due by ``now``, the most overdue first."""
        at = (now or datetime.now(UTC)).timestamp()
        rows = self.db.all(
            "SELECT candidate, question_id, point, question, reference, topic, due "
            "FROM review_cards WHERE candidate=? AND due<=? ORDER BY due LIMIT ?",
            (candidate, at, limit),
        )
        return [ReviewCard(*row) for row in rows]

    def count(self, candidate: str) -> int:
        row = self.db.one("SELECT COUNT(*) FROM review_cards WHERE candidate=?", (candidate,))
        return int(row[0]) if row else 0

    def card_json(self, candidate: str, question_id: str, point: str) -> dict[str, Any] | None:
        row = self.db.one(
            "SELECT card FROM review_cards WHERE candidate=? AND question_id=? AND point=?",
            (candidate, question_id, point),
        )
        return json.loads(row[0]) if row else None
