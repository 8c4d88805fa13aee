"""The key points an answer is graded against: the bank's rubric, or one derived once
by the model from the reference answer (cached on disk, flagged ``derived_rubric``)."""

from __future__ import annotations

import hashlib
import json
import threading
from pathlib import Path

from pydantic import BaseModel, Field

from agent.bank import Entry, RubricPoint
from agent.llm.errors import LLMError
from agent.llm.protocol import LLM
from agent.osutil import write_atomic
from agent.prompts import render
from agent.text import content_key

MAX_REFERENCE_CHARS = 1200


class DerivedRubric(BaseModel):
    points: list[str] = Field(min_length=3, max_length=6)


_RUBRIC_LOCK = threading.Lock()
_RUBRIC_MEMO: dict[tuple[str, str], list[RubricPoint]] = {}


def _rubric_key(entry: Entry) -> str:
    text = f"{entry.question}\n{entry.reference_answer or ''}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _rubric_file(entry: Entry, cache_dir: Path) -> Path:
    return Path(cache_dir) / "derived_rubrics" / f"{entry.id}.json"


def rubric_for(entry: Entry, llm: LLM | None, cache_dir: Path) -> tuple[list[RubricPoint], bool]:
    """``(points, derived)``: the bank's rubric, else one derived once by the model.

    A derived rubric is cached as JSON in ``cache_dir/derived_rubrics/ID.json`` keyed by
    a hash of the question and reference answer (an edited entry derives anew). With
    no model and nothing cached, a provisional rubric is cut from the reference
    answer's top-level lines (or the question itself) and not cached. A failed model
    call raises ``LLMError`` (the grader turns that into a pending grade).
    """
    if entry.rubric:
        return list(entry.rubric), False
    key = _rubric_key(entry)
    memo_key = (entry.id, key)
    if memo_key in _RUBRIC_MEMO:
        return _RUBRIC_MEMO[memo_key], True
    with _RUBRIC_LOCK:
        if memo_key in _RUBRIC_MEMO:
            return _RUBRIC_MEMO[memo_key], True
        path = _rubric_file(entry, cache_dir)
        cached = _read_cached_rubric(path, key)
        if cached is not None:
            _RUBRIC_MEMO[memo_key] = cached
            return cached, True
        if llm is None:
            return _provisional_rubric(entry), True
        reference = (entry.reference_answer or "（无）")[:MAX_REFERENCE_CHARS]
        prompt = render("derive_rubric", question=entry.question, reference=reference)
        derived = llm.structured([{"role": "user", "content": prompt}], DerivedRubric)
        points = [RubricPoint(point=p.strip()) for p in derived.points if p.strip()]
        if not points:
            raise LLMError("the model derived an empty rubric")
        payload = {"id": entry.id, "key": key, "points": [p.point for p in points]}
        write_atomic(path, json.dumps(payload, ensure_ascii=False, indent=1))
        _RUBRIC_MEMO[memo_key] = points
        return points, True


def _read_cached_rubric(path: Path, key: str) -> list[RubricPoint] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("key") != key:
        return None
    points = [RubricPoint(point=str(p)) for p in data.get("points") or [] if str(p).strip()]
    return points or None


def _provisional_rubric(entry: Entry) -> list[RubricPoint]:
    lines: list[str] = []
    for raw in (entry.reference_answer or "").splitlines():
        text = raw.strip().lstrip("#-*0123456789.、） ").replace("**", "").strip()
        if len(content_key(text)) >= 4 and not raw.startswith(("  ", "\t", "|", "`")):
            lines.append(text[:60])
        if len(lines) == 5:
            break
    return [RubricPoint(point=t) for t in lines] or [RubricPoint(point=entry.question)]
