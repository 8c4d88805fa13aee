"""The curated overlays (``question_bank/curated/*.yaml``): fields keyed by entry
id that replace the generated ones and survive every rebuild."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from agent.bank import Entry
from agent.text import normalize_chars


def load_overlays(curated_dir: Path) -> dict[str, dict[str, Any]]:
    """id -> fields, from every ``*.yaml`` in ``curated_dir`` (later files win)."""
    out: dict[str, dict[str, Any]] = {}
    if not curated_dir.is_dir():
        return out
    for path in sorted(curated_dir.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(data, dict):
            raise SystemExit(f"{path}: expected a mapping of entry id -> fields")
        for eid, fields in data.items():
            if not isinstance(fields, dict):
                raise SystemExit(f"{path}: {eid}: expected a mapping of fields")
            bad = set(fields) - set(Entry.model_fields) | ({"id", "sources"} & set(fields))
            if bad:
                raise SystemExit(f"{path}: {eid}: fields that cannot be curated: {sorted(bad)}")
            out.setdefault(str(eid), {}).update(fields)
    return out


_LABEL_FIELDS = {"topic", "roles", "difficulty"}


_KEEP_WIDE = frozenset("，？：；！（）")


def _normalise_curated(value: Any, key: str = "") -> Any:
    """Curated text gets the seed text's character normalisation (NFKC, radical
    look-alikes) but keeps its full-width Chinese punctuation and its spacing."""
    if isinstance(value, str) and key != "url":
        return "".join(c if c in _KEEP_WIDE else normalize_chars(c) for c in value)
    if isinstance(value, list):
        return [_normalise_curated(v, key) for v in value]
    if isinstance(value, dict):
        return {k: _normalise_curated(v, k) for k, v in value.items()}
    return value


def apply_overlay(entry: dict[str, Any], fields: dict[str, Any]) -> dict[str, Any]:
    fields = _normalise_curated(fields)
    if "rubric" in fields and entry.get("rubric_source") == "seed" and entry.get("rubric"):
        # keep the seed's own key points (003's 核心考点) as notes when curated ones win
        notes = dict(entry.get("notes") or {})
        notes["core"] = [p["point"] if isinstance(p, dict) else str(p) for p in entry["rubric"]]
        entry = {**entry, "notes": notes}
    entry = {**entry, **fields}
    if "rubric" in fields:
        entry["rubric"] = [
            p if isinstance(p, dict) else {"point": str(p)} for p in (fields["rubric"] or [])
        ]
        entry.setdefault("rubric_source", "curated")
        if "rubric_source" not in fields:
            entry["rubric_source"] = "curated" if entry["rubric"] else "none"
    if _LABEL_FIELDS & set(fields) and "label_source" not in fields:
        entry["label_source"] = "curated"
    return entry
