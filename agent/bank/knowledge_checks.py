"""Shape checks for the bank's curated knowledge (issue 28): misconceptions per key
point and follow-ups' own key points. Used by ``mianshi bank validate`` and by the
build's check of one knowledge overlay file (``python -m question_bank.build.knowledge``).

A misconception is a short wrong statement a candidate really makes. It must say
something of its own: never its point's words with only a negation added (the grader
could not tell them apart, and it teaches nothing), never a copy of another point.
"""

from __future__ import annotations

import re

from agent.bank import models as schema
from agent.text import match_key, similarity

#: Words that only negate. Removed before comparing a misconception with its point.
_NEGATIONS = re.compile(
    r"不是|并非|并不|不会|不能|不需要|不必|无法|没有|不|非|无|未|别|not|no|never|n't"
)

MISCONCEPTION_MIN_CHARS = 4
MISCONCEPTION_MAX_CHARS = 120
#: Bigram similarity at or above which two texts count as the same statement.
SAME_STATEMENT = 0.8


def _without_negation(text: str) -> str:
    return _NEGATIONS.sub("", match_key(text))


def is_negated_copy(point: str, misconception: str) -> bool:
    """True when the misconception is its point with (only) negations added or removed."""
    a, b = _without_negation(point), _without_negation(misconception)
    if not a or not b:
        return False
    if a == b:
        return True
    negated = len(_NEGATIONS.findall(match_key(point))) != len(
        _NEGATIONS.findall(match_key(misconception))
    )
    if negated and len(b) >= 4 and (b in a or a in b):
        return True
    return similarity(a, b) >= 0.9 and match_key(point) != match_key(misconception)


def misconception_problems(points: list[schema.RubricPoint]) -> list[str]:
    """Problems with the misconceptions of one list of key points (readable lines)."""
    problems: list[str] = []
    for i, p in enumerate(points):
        seen: list[str] = []
        for m in p.misconceptions:
            where = f"point {i} misconception {m!r}"
            n = len(match_key(m))
            if n < MISCONCEPTION_MIN_CHARS or len(m) > MISCONCEPTION_MAX_CHARS:
                problems.append(
                    f"{where}: length {len(m)} (keep it {MISCONCEPTION_MIN_CHARS}–"
                    f"{MISCONCEPTION_MAX_CHARS} characters)"
                )
            if match_key(m) == match_key(p.point):
                problems.append(f"{where}: is the point itself")
            elif is_negated_copy(p.point, m):
                problems.append(f"{where}: only negates the point's own words")
            for j, other in enumerate(points):
                if j != i and similarity(m, other.point) >= SAME_STATEMENT:
                    problems.append(f"{where}: duplicates point {j}")
            if any(similarity(m, s) >= SAME_STATEMENT for s in seen):
                problems.append(f"{where}: repeats another misconception of the point")
            seen.append(m)
    return problems


def entry_knowledge_problems(entry: schema.Entry, *, require_follow_up_points: bool) -> list[str]:
    """Misconception shape for the entry's points and its follow-ups' points, and
    (when required) that every follow-up has 1–3 key points of its own."""
    problems = misconception_problems(entry.rubric)
    for j, f in enumerate(entry.follow_ups):
        k = len(f.rubric)
        if require_follow_up_points and not (
            schema.FOLLOW_UP_MIN_POINTS <= k <= schema.FOLLOW_UP_MAX_POINTS
        ):
            problems.append(
                f"follow-up {j}: has {k} key points of its own (need "
                f"{schema.FOLLOW_UP_MIN_POINTS}–{schema.FOLLOW_UP_MAX_POINTS})"
            )
        problems += [f"follow-up {j} {x}" for x in misconception_problems(f.rubric)]
        for q, fp in enumerate(f.rubric):
            if any(similarity(fp.point, p.point) >= 0.9 for p in entry.rubric):
                problems.append(
                    f"follow-up {j} point {q}: copies a point of the main question "
                    "(a follow-up is graded on what it asks)"
                )
    return problems
