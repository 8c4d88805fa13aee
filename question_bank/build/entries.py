"""One bank entry from a group of merged seed questions: its id (from the primary
source), labels, sources, follow-ups and the seed's own answers and key points."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, TypeVar

from .common import Item
from .dedup import dedup_follow_ups
from .labels import labels_for

T = TypeVar("T")


def make_id(primary: Item) -> str:
    if primary.id_hint:
        return f"{primary.prefix}-{primary.id_hint}"
    loc = primary.locator
    m = re.fullmatch(r"Q(\d+)", loc)
    if m:
        return f"{primary.prefix}-q{int(m.group(1)):03d}"
    m = re.fullmatch(r"L(\d+)", loc)
    if m:
        return f"{primary.prefix}-l{int(m.group(1)):04d}"
    raise ValueError(f"no id rule for {primary.seed} {loc}")


def build_entry(group: list[Item]) -> dict[str, Any]:
    """The entry (a dict in the bank's schema) for a group, primary first."""
    primary = group[0]
    topic, roles, difficulty = labels_for(group)
    rubric_item = next((it for it in group if it.rubric), None)
    return {
        "id": make_id(primary),
        "question": primary.question,
        "topic": topic,
        "roles": roles,
        "difficulty": difficulty,
        "tags": _tags(group),
        "companies": _union(it.companies for it in group),
        "sources": _sources(group),
        "follow_ups": _follow_ups(group),
        "reference_answer": next(
            (it.reference_answer for it in group if it.reference_answer), None
        ),
        "rubric": [{"point": p} for p in rubric_item.rubric] if rubric_item else [],
        "rubric_source": "seed" if rubric_item else "none",
        "reading": _union(it.reading for it in group),
        "notes": next((it.notes for it in group if it.notes), None),
        "generated_from_heading": all(it.generated_from_heading for it in group),
        "label_source": "seed" if any(it.prefix == "003" for it in group) else "rule",
    }


def _tags(group: list[Item]) -> list[str]:
    tags: list[str] = []
    for it in group:
        for t in it.tags:
            if t and t not in tags:
                tags.append(t)
    return tags


def _union(lists: Iterable[list[T]]) -> list[T]:
    """Each list's values that no earlier list had, in order."""
    out: list[T] = []
    for values in lists:
        out += [v for v in values if v not in out]
    return out


def _sources(group: list[Item]) -> list[dict[str, Any]]:
    """Where each item stands, with its own wording when it differs from the entry's."""
    primary = group[0]
    sources = []
    for it in group:
        src: dict[str, Any] = {"seed": it.seed, "locator": it.locator, "line": it.line}
        text = it.raw if it.raw is not None else it.question
        if text != primary.question:
            src["text"] = text
        sources.append(src)
    return sources


def _follow_ups(group: list[Item]) -> list[dict[str, str]]:
    # the primary's sub-questions; another seed's wording of the same parts only when the
    # primary has none (else the same sub-question would appear twice, worded twice)
    primary = group[0]
    fus = primary.follow_ups or [f for it in group[1:] for f in it.follow_ups]
    return dedup_follow_ups(fus, primary.question)
