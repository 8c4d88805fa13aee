"""``mianshi review``: today's review cards in the terminal, the most overdue first.

Each card is a key point the candidate missed or half-covered in an interview. The
question comes back without the point; the answer is graded against that one point
and the card is rescheduled by the verdict (FSRS). Then the point and the reference
are shown. One answer per line when stdin is not a terminal; 跳过 / skip leaves a card
as it is, 结束 / end (or the end of input) stops.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime

from agent.bank import load_bank
from agent.review.cards import Cards, ReviewCard
from agent.review.questions import review_entry
from agent.settings import load_settings

SKIP = {"跳过", "skip", "pass"}
END = {"结束", "end", "quit", "exit"}


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("review", help="review the key points you missed (FSRS cards)")
    p.add_argument("--candidate", default="default", help="whose cards")
    p.add_argument("--limit", type=int, default=10, help="at most this many cards")
    p.set_defaults(func=_review)


def _ask(card: ReviewCard, n: int, total: int) -> str | None:
    print(f"\n[{n}/{total}] {card.question}", flush=True)
    print("  这道题你上次漏掉了一个要点，请把它讲出来 (a point you missed):", flush=True)
    line = sys.stdin.readline()
    return None if line == "" else line.strip()


def _review(args: argparse.Namespace) -> int:
    settings = load_settings()
    cards = Cards(settings.database)
    due = cards.due(args.candidate, limit=args.limit)
    if not due:
        total = cards.count(args.candidate)
        print(f"今天没有要复习的卡片 nothing due ({total} card(s) in all)")
        return 0
    from agent.grading import Grader
    from agent.llm.server import connect

    bank = load_bank()
    with connect(settings) as llm:
        grader = Grader(llm, settings)
        for n, card in enumerate(due, start=1):
            answer = _ask(card, n, len(due))
            if answer is None or answer.lower() in END:
                break
            if not answer or answer.lower() in SKIP:
                continue
            # graded on the card's point alone (a project question is rebuilt from it)
            grade = grader.grade(review_entry([card], bank), answer)
            if grade.status != "graded" or not grade.points:
                print(f"  评分暂不可用，卡片不变 not graded now: {grade.error}")
                continue
            verdict = grade.points[0].verdict
            turn = {"question_id": card.question_id, "question": card.question,
                    "reference_answer": card.reference, "topic": card.topic}  # fmt: skip
            cards.rate(args.candidate, turn, card.point, verdict)
            nxt = cards.card_json(args.candidate, card.question_id, card.point) or {}
            when = datetime.fromisoformat(str(nxt.get("due"))).strftime("%Y-%m-%d %H:%M")
            print(f"  判定 {verdict} · 要点 Key point: {card.point}")
            print(f"  下次复习 next review: {when}")
    cards.close()
    return 0
