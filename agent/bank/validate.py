"""Checking the bank file (`mianshi bank validate`) and counting it (`mianshi bank stats`)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from agent.bank import models as schema
from agent.bank.english_checks import english_problems
from agent.bank.knowledge_checks import entry_knowledge_problems
from agent.bank.loader import DEFAULT_BANK_PATH, read_raw
from agent.errors import UserError


def _entry_problems(entry: schema.Entry, require_rubric: bool) -> list[str]:
    """One entry's rubric, reference answer, misconceptions and English text."""
    problems: list[str] = []
    if require_rubric:
        k = len(entry.rubric)
        if not schema.RUBRIC_MIN_POINTS <= k <= schema.RUBRIC_MAX_POINTS:
            problems.append(
                f"rubric has {k} key points "
                f"(need {schema.RUBRIC_MIN_POINTS}–{schema.RUBRIC_MAX_POINTS})"
            )
        if not (entry.reference_answer or "").strip():
            problems.append("no reference answer")
        problems += english_problems(entry)
    problems += entry_knowledge_problems(entry, require_follow_up_points=require_rubric)
    if entry.rubric and entry.rubric_source == "none":
        problems.append("has a rubric but rubric_source is 'none'")
    return problems


def _header(raw: dict[str, Any], problems: list[str]) -> schema.BankMeta:
    """The bank's top-level keys, meta and topics (problems appended); its meta."""
    extra = set(raw) - set(schema.Bank.model_fields)
    if extra:
        problems.append(f"unknown top-level keys: {', '.join(sorted(extra))}")
    try:
        meta = schema.BankMeta.model_validate(raw.get("meta") or {})
    except ValidationError as exc:
        problems.append(f"meta: {exc}")
        meta = schema.BankMeta()
    if raw.get("topics") is not None and list(raw["topics"]) != list(schema.TOPICS):
        problems.append("topics: the list differs from agent.bank.TOPICS")
    return meta


def validate(
    path: str | Path | None = None,
    *,
    require_rubric: bool = True,
    raw: Any = None,
) -> list[str]:
    """Every problem in the bank file, as readable lines (empty list = valid).

    Checks the schema entry by entry, duplicate ids, missing labels, sources, and the
    seed counts, and the curated misconceptions' shape (``knowledge_checks.py``).
    ``require_rubric`` (on since the rubric work of issue 7) also demands 3–6 rubric
    key points and a reference answer for every entry, 1–3 key points of its own for
    every follow-up (issue 28), and the English text of every field (issue 32,
    ``english_checks.py``).
    """
    problems: list[str] = []
    p = Path(path).resolve() if path else DEFAULT_BANK_PATH
    if raw is None:
        try:
            _digest, raw = read_raw(p)
        except UserError as exc:
            return [str(exc)]
    if not isinstance(raw, dict) or not isinstance(raw.get("entries"), list):
        return [f"{p}: expected a mapping with an `entries` list"]
    meta = _header(raw, problems)

    ids: Counter[str] = Counter()
    located: dict[str, set[str]] = defaultdict(set)
    entries: list[schema.Entry] = []
    for n, item in enumerate(raw["entries"]):
        eid = item.get("id") if isinstance(item, dict) else None
        label = f"entry {eid!r}" if eid else f"entry #{n + 1}"
        if eid:
            ids[eid] += 1
        try:
            entry = schema.Entry.model_validate(item)
        except ValidationError as exc:
            for err in exc.errors():
                loc = ".".join(str(x) for x in err["loc"])
                problems.append(f"{label}: {loc}: {err['msg']}")
            continue
        entries.append(entry)
        for s in entry.sources:
            if (s.seed, s.locator) in {(x.seed, x.locator) for x in entry.sources if x is not s}:
                problems.append(f"{label}: source {s.seed} {s.locator} listed twice")
            if s.locator in located[s.seed]:
                problems.append(f"{label}: source {s.seed} {s.locator} is also in another entry")
            located[s.seed].add(s.locator)
        problems += [f"{label}: {x}" for x in _entry_problems(entry, require_rubric)]
    for eid, count in sorted(ids.items()):
        if count > 1:
            problems.append(f"duplicate id {eid!r} ({count} entries)")
    for seed, expected in sorted(meta.seed_counts.items()):
        got = len(located.get(seed, ()))
        if got != expected:
            problems.append(
                f"seed {seed}: {expected} questions found in the seed, {got} in the bank"
            )
    return problems


def stats(bank: schema.Bank) -> dict[str, Any]:
    """Counts for `mianshi bank stats`."""
    by_seed_entries: Counter[str] = Counter()
    by_seed_sources: Counter[str] = Counter()
    for e in bank.entries:
        for seed in e.seeds:
            by_seed_entries[seed] += 1
        for s in e.sources:
            by_seed_sources[s.seed] += 1
    seeds = sorted(set(bank.meta.seed_counts) | set(by_seed_sources))
    return {
        "entries": len(bank.entries),
        "seeds": {
            seed: {
                "found_in_seed": bank.meta.seed_counts.get(seed),
                "accounted_for": by_seed_sources.get(seed, 0),
                "entries": by_seed_entries.get(seed, 0),
            }
            for seed in seeds
        },
        "merged_entries": sum(1 for e in bank.entries if len(e.sources) > 1),
        "topics": {t: sum(1 for e in bank.entries if e.topic == t) for t in schema.TOPICS},
        "roles": {r: sum(1 for e in bank.entries if r in e.roles) for r in schema.ROLES},
        "difficulty": {
            str(d): sum(1 for e in bank.entries if e.difficulty == d) for d in (1, 2, 3)
        },
        "coverage": {
            "rubric": sum(1 for e in bank.entries if e.rubric),
            "rubric_3_to_6": sum(
                1
                for e in bank.entries
                if schema.RUBRIC_MIN_POINTS <= len(e.rubric) <= schema.RUBRIC_MAX_POINTS
            ),
            "reference_answer": sum(1 for e in bank.entries if e.reference_answer),
            "follow_ups": sum(1 for e in bank.entries if e.follow_ups),
            "reading": sum(1 for e in bank.entries if e.reading),
            "generated_from_heading": sum(1 for e in bank.entries if e.generated_from_heading),
        },
        "misconceptions": misconception_stats(bank),
        "label_source": dict(Counter(e.label_source for e in bank.entries)),
        "rubric_source": dict(Counter(e.rubric_source for e in bank.entries)),
    }


def misconception_stats(bank: schema.Bank) -> dict[str, Any]:
    """Key points with curated misconceptions, overall and per topic, and follow-ups
    with key points of their own."""
    by_topic: dict[str, dict[str, Any]] = {}
    for topic in schema.TOPICS:
        points = [p for e in bank.entries if e.topic == topic for p in e.rubric]
        with_m = sum(1 for p in points if p.misconceptions)
        by_topic[topic] = {
            "points": len(points),
            "with_misconceptions": with_m,
            "share": round(with_m / len(points), 3) if points else 0.0,
        }
    points = [p for e in bank.entries for p in e.rubric]
    follow_ups = [f for e in bank.entries for f in e.follow_ups]
    with_m = sum(1 for p in points if p.misconceptions)
    return {
        "points": len(points),
        "with_misconceptions": with_m,
        "share": round(with_m / len(points), 3) if points else 0.0,
        "misconceptions": sum(len(p.misconceptions) for p in points),
        "follow_ups": len(follow_ups),
        "follow_ups_with_points": sum(1 for f in follow_ups if f.rubric),
        "follow_up_points": sum(len(f.rubric) for f in follow_ups),
        "by_topic": by_topic,
    }


def iter_texts(entry: schema.Entry) -> Sequence[str]:
    """Every text of an entry a human reads (for normalisation checks)."""
    out = [entry.question, *(s.text or "" for s in entry.sources)]
    out += [f.question for f in entry.follow_ups] + [f.answer or "" for f in entry.follow_ups]
    out += [entry.reference_answer or "", *(r.point for r in entry.rubric), *entry.tags]
    out += [m for r in entry.rubric for m in r.misconceptions]
    out += [p.point for f in entry.follow_ups for p in f.rubric]
    out += [m for f in entry.follow_ups for p in f.rubric for m in p.misconceptions]
    return out
