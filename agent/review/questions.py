"""Due review cards as interview questions (the ``review`` mode): each question whose
cards are due is asked again, short, and graded only against the points that are due.

The entry keeps the card's question id, so the finished report rates the very cards
that were asked (``Cards.from_report``): covered pushes a card out, missed brings it
back soon. A card whose question is in no bank (a project question from a CV) gets
an entry built from the card itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from agent.bank import TOPICS, Bank, Entry, RubricPoint, Source
from agent.review.cards import ReviewCard

FALLBACK_TOPIC = "工程与工具"


def due_groups(cards: Iterable[ReviewCard]) -> list[list[ReviewCard]]:
    """The due cards grouped by question, most overdue question first."""
    groups: dict[str, list[ReviewCard]] = {}
    for card in cards:
        groups.setdefault(card.question_id, []).append(card)
    return list(groups.values())


def review_entry(cards: Sequence[ReviewCard], bank: Bank) -> Entry:
    """One question's due cards as an entry graded on those points only."""
    first = cards[0]
    base = bank.by_id.get(first.question_id) or Entry(
        id=first.question_id,
        question=first.question,
        topic=first.topic if first.topic in TOPICS else FALLBACK_TOPIC,
        roles=["general"],
        difficulty=2,
        sources=[Source(seed="review", locator=first.question_id)],
        reference_answer=first.reference,
        rubric_source="derived",
    )
    return base.model_copy(
        update={
            "question": first.question or base.question,
            "rubric": [RubricPoint(point=c.point) for c in cards],
            "follow_ups": [],
        }
    )


def review_line(lang: str, question: str, points: int, index: int, total: int) -> str:
    """The interviewer's short review question."""
    if lang == "zh":
        return (f"复习 {index}/{total}：{question}\n"
                f"（上次有 {points} 个要点没讲到或没讲全，"
                "这次把它们讲清楚就好，不必面面俱到。）")  # fmt: skip
    return (f"Review {index}/{total}: {question}\n"
            f"(Last time {points} key point(s) were missed or half-covered; "
            "just make those clear this time.)")  # fmt: skip
