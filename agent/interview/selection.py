"""Choosing the next main question.

Rules, in order:
1. role (``general`` entries suit every role) and the target difficulty; the optional
   topic filter; never a question already asked in this session;
2. if nothing is left at the target difficulty, the nearest difficulty in the band;
3. among the candidates, a score: +3 for a topic not yet asked in this session
   (spread over topics), +2 for a topic the candidate scored low on before (weak),
   -4 for a question asked in the candidate's recent sessions, and up to +6 for a
   topic the candidate's CV and target job are about (``focus``: 6 × its weight, so
   the CV's main topics win even over spreading); ties broken by a random draw seeded
   per session (reproducible). A question with review cards due (key points the
   candidate missed before, agent/review/cards.py) gets +10: it comes back first; a
   question the chosen company asked (``company_ids``, agent/profile/company.py) +8.

Adaptive difficulty: a strong answer (fast lexical coverage ≥ STRONG) moves the next
main question one step up, a weak one (≤ WEAK) one step down, within the level's band
± 1 and 1–3.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping

from agent.bank import Bank, Entry

STRONG = 0.6
WEAK = 0.25
FOCUS_BONUS = 6.0
DUE_BONUS = 10.0
COMPANY_BONUS = 8.0


def next_difficulty(current: int, band: int, coverage: float | None) -> int:
    """One step up after a strong answer, down after a weak one, clamped to band±1."""
    step = 0
    if coverage is not None:
        if coverage >= STRONG:
            step = 1
        elif coverage <= WEAK:
            step = -1
    low, high = max(1, band - 1), min(3, band + 1)
    return min(high, max(low, current + step))


def choose_next(
    bank: Bank,
    *,
    role: str,
    difficulty: int,
    band: int,
    topics: Iterable[str] = (),
    asked_ids: Iterable[str] = (),
    asked_topics: Iterable[str] = (),
    recent_ids: Iterable[str] = (),
    weak_topics: Iterable[str] = (),
    focus: Mapping[str, float] | None = None,
    due_ids: Iterable[str] = (),
    company_ids: Iterable[str] = (),
    rng: random.Random | None = None,
) -> Entry | None:
    asked = set(asked_ids)
    wanted = list(topics) or None
    low, high = max(1, band - 1), min(3, band + 1)
    order = sorted(range(low, high + 1), key=lambda d: (abs(d - difficulty), -d))
    rng = rng or random.Random(0)
    seen_topics, recent, weak = set(asked_topics), set(recent_ids), set(weak_topics)
    due, company = set(due_ids), set(company_ids)
    for level in order:
        candidates = [
            e for e in bank.filter(role=role, difficulty=level, topics=wanted) if e.id not in asked
        ]
        if not candidates:
            continue
        scored = []
        for entry in candidates:
            score = 0.0
            if entry.topic not in seen_topics:
                score += 3
            if entry.topic in weak:
                score += 2
            if entry.id in due:
                score += DUE_BONUS  # its missed points are due for review: before anything
            elif entry.id in recent:
                score -= 4
            if entry.id in company:
                score += COMPANY_BONUS
            score += FOCUS_BONUS * (focus or {}).get(entry.topic, 0.0)
            scored.append((score, rng.random(), entry))
        scored.sort(key=lambda item: (item[0], item[1]), reverse=True)
        return scored[0][2]
    return None
