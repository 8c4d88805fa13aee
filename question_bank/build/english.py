"""The English text of the bank (issue 32): ``question_bank/curated/english/*.yaml``,
keyed by entry id, each entry mirroring the Chinese fields it translates::

    000-q001:
      question: What is a word vector, and what does it do in NLP?
      rubric:                   # the same points, in the same order
        - point: A word vector maps a word to a low-dimensional dense real vector
          misconceptions: [...]  # the same number as the Chinese point's
      reference_answer: ...
      follow_ups:                # the same follow-ups, in the same order
        - question: ...
          answer: ...
          rubric:
            - point: ...

The build stores it as ``Entry.en`` (``agent/bank/models.py``); weights, targets and
ids stay the Chinese entry's.

Write one batch::

    python -m question_bank.build.english source --batch 3 --of 6 > /tmp/zh-3.yaml
    python -m question_bank.build.english check question_bank/curated/english/en-3.yaml \
        --batch 3 --of 6
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any

import yaml

from agent.bank.english_checks import CJK

ENGLISH_DIR = "english"

_NUMBER = re.compile(r"\d+(?:\.\d+)?")


# --------------------------------------------------------------------------- shape


def _points(points: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    out = []
    for p in points or []:
        item: dict[str, Any] = {"point": p["point"]}
        if p.get("misconceptions"):
            item["misconceptions"] = list(p["misconceptions"])
        out.append(item)
    return out


def text_fields(entry: dict[str, Any]) -> dict[str, Any]:
    """The translatable fields of one built entry (Chinese), in the file's shape."""
    out: dict[str, Any] = {"question": entry["question"]}
    if entry.get("rubric"):
        out["rubric"] = _points(entry["rubric"])
    if entry.get("reference_answer"):
        out["reference_answer"] = entry["reference_answer"]
    fus = []
    for f in entry.get("follow_ups") or []:
        fu: dict[str, Any] = {"question": f["question"]}
        if f.get("answer"):
            fu["answer"] = f["answer"]
        if f.get("rubric"):
            fu["rubric"] = _points(f["rubric"])
        fus.append(fu)
    if fus:
        out["follow_ups"] = fus
    return out


def _strings(value: Any, where: str) -> list[tuple[str, str]]:
    if isinstance(value, str):
        return [(where, value)]
    if isinstance(value, list):
        return [s for i, v in enumerate(value) for s in _strings(v, f"{where}[{i}]")]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in _strings(v, f"{where}.{k}")]
    return []


def _shape(value: Any) -> Any:
    """The structure without the text: what a translation must keep."""
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return [_shape(v) for v in value]
    if isinstance(value, dict):
        return {k: _shape(v) for k, v in value.items()}
    return type(value).__name__


def shape_problems(zh: dict[str, Any], en: Any) -> list[str]:
    """Why ``en`` is not a translation of ``zh``'s shape (empty when it is)."""
    if not isinstance(en, dict):
        return ["expected a mapping"]
    problems = []
    if _shape(zh) != _shape(en):
        problems.append(f"structure differs from the Chinese: expected {_shape(zh)}")
    for where, text in _strings(en, "en"):
        if not text.strip():
            problems.append(f"{where}: empty")
        elif CJK.search(text):
            problems.append(f"{where}: has Chinese characters: {text[:60]!r}")
    return problems


def number_warnings(zh: dict[str, Any], en: dict[str, Any]) -> list[str]:
    """Numbers of a Chinese string missing from its English one (often fine: 三 vs 3)."""
    out = []
    en_strings = dict(_strings(en, "en"))
    for where, text in _strings(zh, "en"):
        missing = set(_NUMBER.findall(text)) - set(_NUMBER.findall(en_strings.get(where, "")))
        if missing:
            out.append(f"{where}: numbers {sorted(missing)} not in the English")
    return out


# --------------------------------------------------------------------------- files


def read_english_file(path: Path) -> dict[str, dict[str, Any]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise SystemExit(f"{path}: expected a mapping of entry id -> English fields")
    return {str(k): v for k, v in data.items()}


def load_english(curated_dir: Path) -> dict[str, dict[str, Any]]:
    """id -> English fields, from every file in ``curated_dir/english``."""
    out: dict[str, dict[str, Any]] = {}
    where: dict[str, Path] = {}
    folder = curated_dir / ENGLISH_DIR
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        for eid, fields in read_english_file(path).items():
            if eid in out:
                raise SystemExit(f"{path}: {eid} is also in {where[eid]}")
            out[eid], where[eid] = fields, path
    return out


def apply_english(entry: dict[str, Any], fields: dict[str, Any] | None) -> dict[str, Any]:
    """The entry with its English text as ``en`` (the shape checked first)."""
    if not fields:
        return entry
    problems = shape_problems(text_fields(entry), fields)
    if problems:
        raise ValueError("; ".join(problems[:5]))
    return {**entry, "en": fields}


# --------------------------------------------------------------------------- batches


def batch_ids(ids: list[str], batch: int, of: int) -> list[str]:
    """Batch ``batch`` (1-based) of ``of`` contiguous, nearly equal slices of ``ids``."""
    if not 1 <= batch <= of:
        raise SystemExit(f"--batch must be 1..{of}")
    size = -(-len(ids) // of)
    return ids[(batch - 1) * size : batch * size]


def _bank_entries(bank_path: Path) -> list[dict[str, Any]]:
    raw = yaml.safe_load(bank_path.read_text(encoding="utf-8"))
    return list(raw["entries"])


def _source(entries: list[dict[str, Any]], ids: list[str]) -> str:
    by_id = {e["id"]: e for e in entries}
    data = {eid: text_fields(by_id[eid]) for eid in ids}
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def check_file(path: Path, entries: list[dict[str, Any]], ids: list[str] | None) -> list[str]:
    by_id = {e["id"]: e for e in entries}
    english = read_english_file(path)
    problems = [f"{eid}: not in the bank" for eid in english if eid not in by_id]
    problems += [f"{eid}: missing from the file" for eid in ids or [] if eid not in english]
    for eid, fields in english.items():
        if eid in by_id:
            problems += [f"{eid}: {p}" for p in shape_problems(text_fields(by_id[eid]), fields)]
    return problems


def main(argv: list[str] | None = None) -> int:
    from .common import DEFAULT_OUT, report_check

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("action", choices=["source", "check"])
    ap.add_argument("file", type=Path, nargs="?", help="the English file (check)")
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--of", type=int, default=1)
    ap.add_argument("--bank", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args(argv)
    entries = _bank_entries(args.bank)
    ids = batch_ids([e["id"] for e in entries], args.batch, args.of)
    if args.action == "source":
        sys.stdout.write(_source(entries, ids))
        return 0
    if args.file is None:
        ap.error("check needs the English file")
    problems = check_file(args.file, entries, ids)
    english = read_english_file(args.file)
    by_id = {e["id"]: e for e in entries}
    warnings = [
        f"{eid}: {w}"
        for eid, f in english.items()
        if eid in by_id and isinstance(f, dict)
        for w in number_warnings(text_fields(by_id[eid]), f)
    ]
    summary = (
        f"{len(english)} of {len(ids)} entries; {len(problems)} problem(s), "
        f"{len(warnings)} number warning(s)"
    )
    return report_check(problems, summary, warnings)


if __name__ == "__main__":
    raise SystemExit(main())
