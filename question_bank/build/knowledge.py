"""The curated knowledge overlays (``question_bank/curated/knowledge/*.yaml``, issue 28):
misconceptions per key point and follow-ups' own key points, keyed by entry id and by
index, so they survive a rewrite of the rubric files around them::

    004-q091:
      misconceptions:            # key point index (0-based) -> 1–2 wrong statements
        1: [交叉编码器也是把 query 和文档分别编码成向量再算相似度]
      follow_ups:                # follow-up index (0-based) -> its own key points
        0:
          points:
            - 交叉编码器每个 query–文档对都要完整前向一次，代价随文档数线性增长
            - point: 文档表示无法预先计算和建索引
              misconceptions: [交叉编码器的文档向量可以离线缓存]
          answer: …              # only where the follow-up has no reference answer yet

Check one file while writing it::

    python -m question_bank.check_knowledge question_bank/curated/knowledge/kb-1.yaml
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from agent.bank import models as schema
from agent.bank.knowledge_checks import entry_knowledge_problems

from .overlays import _normalise_curated

KNOWLEDGE_DIR = "knowledge"


def read_knowledge_file(path: Path) -> dict[str, dict[str, Any]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise SystemExit(f"{path}: expected a mapping of entry id -> knowledge")
    out: dict[str, dict[str, Any]] = {}
    for eid, fields in data.items():
        if not isinstance(fields, dict) or set(fields) - {"misconceptions", "follow_ups"}:
            raise SystemExit(
                f"{path}: {eid}: expected `misconceptions` and/or `follow_ups` mappings"
            )
        out[str(eid)] = _normalise_curated(fields)
    return out


def load_knowledge(curated_dir: Path) -> dict[str, dict[str, Any]]:
    """id -> knowledge, from every file in ``curated_dir/knowledge`` (an id in two
    files is an error: two writers would silently overwrite each other)."""
    out: dict[str, dict[str, Any]] = {}
    where: dict[str, Path] = {}
    folder = curated_dir / KNOWLEDGE_DIR
    if not folder.is_dir():
        return out
    for path in sorted(folder.glob("*.yaml")):
        for eid, fields in read_knowledge_file(path).items():
            if eid in out:
                raise SystemExit(f"{path}: {eid} is also in {where[eid]}")
            out[eid], where[eid] = fields, path
    return out


def _point(value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        return {"point": value}
    if isinstance(value, dict) and "point" in value:
        return dict(value)
    raise ValueError(f"a key point is a string or {{point, misconceptions}}, not {value!r}")


def _index(key: Any, size: int, what: str) -> int:
    try:
        i = int(key)
    except (TypeError, ValueError):
        raise ValueError(f"{what} index {key!r} is not a number") from None
    if not 0 <= i < size:
        raise ValueError(f"{what} index {i} out of range (the entry has {size})")
    return i


def apply_knowledge(
    entry: dict[str, Any], fields: dict[str, Any], *, rebuilt: bool = False
) -> dict[str, Any]:
    """The entry with the knowledge merged into its rubric points and follow-ups.
    ``rebuilt``: ``entry`` comes from a bank already built with this knowledge (the
    checker), so a follow-up answer written here may already be in it."""
    if not fields:
        return entry
    rubric = [dict(p) for p in entry.get("rubric") or []]
    for key, wrong in (fields.get("misconceptions") or {}).items():
        i = _index(key, len(rubric), "key point")
        rubric[i]["misconceptions"] = [str(w) for w in (wrong or [])]
    follow_ups = [dict(f) for f in entry.get("follow_ups") or []]
    for key, spec in (fields.get("follow_ups") or {}).items():
        j = _index(key, len(follow_ups), "follow-up")
        if not isinstance(spec, dict):
            raise ValueError(f"follow-up {j}: expected {{points, answer}}")
        follow_ups[j]["rubric"] = [_point(p) for p in spec.get("points") or []]
        if spec.get("answer"):
            if follow_ups[j].get("answer") and not rebuilt:
                raise ValueError(f"follow-up {j} already has an answer (curate it in rubrics-*)")
            follow_ups[j]["answer"] = str(spec["answer"])
    return {**entry, "rubric": rubric, "follow_ups": follow_ups}


def check_file(path: Path, bank_path: Path, ids: list[str] | None) -> list[str]:
    """Every problem of one knowledge file applied to the committed bank."""
    raw = yaml.safe_load(bank_path.read_text(encoding="utf-8"))
    by_id = {e["id"]: e for e in raw["entries"]}
    problems: list[str] = []
    knowledge = read_knowledge_file(path)
    for eid in sorted(set(knowledge) - set(by_id)):
        problems.append(f"{eid}: not in the bank")
    for eid in ids or []:
        if eid not in knowledge:
            problems.append(f"{eid}: missing from the file")
    for eid, fields in knowledge.items():
        if eid not in by_id:
            continue
        try:
            entry = schema.Entry.model_validate(apply_knowledge(by_id[eid], fields, rebuilt=True))
        except (ValueError, ValidationError) as exc:
            problems.append(f"{eid}: {exc}")
            continue
        problems += [
            f"{eid}: {p}" for p in entry_knowledge_problems(entry, require_follow_up_points=True)
        ]
    return problems


def main(argv: list[str] | None = None) -> int:
    from .common import DEFAULT_OUT, report_check

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("file", type=Path)
    ap.add_argument("--bank", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--ids", type=Path, help="a file listing the ids the file must cover")
    args = ap.parse_args(argv)
    ids = None
    if args.ids:
        ids = [x.strip() for x in args.ids.read_text().split() if x.strip()]
    problems = check_file(args.file, args.bank, ids)
    k = read_knowledge_file(args.file)  # read (and checked) above
    n_mis = sum(len(v.get("misconceptions") or {}) for v in k.values())
    n_fu = sum(len(v.get("follow_ups") or {}) for v in k.values())
    summary = (
        f"{len(k)} entries, {n_mis} points with misconceptions, {n_fu} follow-ups with points; "
        f"{len(problems)} problem(s)"
    )
    return report_check(problems, summary)


if __name__ == "__main__":
    raise SystemExit(main())
