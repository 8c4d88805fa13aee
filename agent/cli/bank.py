"""`mianshi bank stats|validate|show ID|search TEXT`: inspect the question bank."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from agent.bank import Entry, load_bank, stats, validate


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("bank", help="inspect the question bank")
    parser.add_argument(
        "--bank", type=Path, default=None, help="bank YAML (default: question_bank/bank.yaml)"
    )
    sub = parser.add_subparsers(dest="bank_command", metavar="ACTION")
    sub.required = True

    p = sub.add_parser("stats", help="counts by seed, topic, role, difficulty; coverage")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=_stats)

    p = sub.add_parser("validate", help="check schema, ids, labels, seed coverage")
    p.add_argument(
        "--allow-missing-rubric",
        action="store_true",
        help="do not demand 3–6 rubric key points and a reference answer per entry",
    )
    p.set_defaults(func=_validate)

    p = sub.add_parser("show", help="print one entry")
    p.add_argument("id")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=_show)

    p = sub.add_parser("search", help="find questions by text (Chinese or English)")
    p.add_argument("text")
    p.add_argument("--limit", type=int, default=10)
    p.set_defaults(func=_search)


def _stats(args: argparse.Namespace) -> int:
    data = stats(load_bank(args.bank))
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    print(f"entries: {data['entries']}  (merged from several sources: {data['merged_entries']})")
    print("\nseeds (questions found in seed / accounted for in bank / entries):")
    for seed, s in data["seeds"].items():
        ok = "ok" if s["found_in_seed"] == s["accounted_for"] else "MISMATCH"
        print(
            f"  {seed}  {s['found_in_seed']:>4} / {s['accounted_for']:>4} / {s['entries']:>4}  {ok}"
        )
    for title, key in (("topics", "topics"), ("roles", "roles"), ("difficulty", "difficulty")):
        print(f"\n{title}:")
        for name, n in data[key].items():
            print(f"  {name:<14} {n:>4}")
    print("\ncoverage:")
    for name, n in data["coverage"].items():
        print(f"  {name:<22} {n:>4} / {data['entries']}")
    m = data["misconceptions"]
    print(
        f"\nmisconceptions: {m['with_misconceptions']} / {m['points']} key points "
        f"({m['share']:.0%}), {m['misconceptions']} in all; follow-ups with their own key "
        f"points: {m['follow_ups_with_points']} / {m['follow_ups']} "
        f"({m['follow_up_points']} points)"
    )
    for topic, t in m["by_topic"].items():
        print(f"  {topic:<14} {t['with_misconceptions']:>4} / {t['points']:>4}  {t['share']:.0%}")
    print(f"\nlabel_source: {data['label_source']}  rubric_source: {data['rubric_source']}")
    return 0


def _validate(args: argparse.Namespace) -> int:
    problems = validate(args.bank, require_rubric=not args.allow_missing_rubric)
    if problems:
        for p in problems:
            print(p)
        print(f"\n{len(problems)} problem(s)")
        return 1
    bank = load_bank(args.bank)
    print(f"bank ok: {len(bank)} entries")
    return 0


def format_entry(e: Entry) -> str:
    lines = [
        f"[{e.id}]  {e.topic} · 难度 {e.difficulty} · {', '.join(e.roles)}",
        "",
        e.question,
        "",
    ]
    if e.tags or e.companies:
        lines.append(
            f"标签: {', '.join(e.tags)}"
            + (f"   公司: {'、'.join(e.companies)}" if e.companies else "")
        )
    lines.append("来源:")
    for s in e.sources:
        lines.append(f"  - {s.seed} {s.locator}" + (f" (line {s.line})" if s.line else ""))
        if s.text:
            lines.append(f"    原文: {s.text}")
    if e.rubric:
        lines.append(f"要点 ({e.rubric_source}):")
        for p in e.rubric:
            lines.append(f"  - {p.point}")
            lines += [f"      ✗ 常见误区: {m}" for m in p.misconceptions]
    if e.follow_ups:
        lines.append("追问:")
        for f in e.follow_ups:
            lines.append(f"  - {f.question}")
            if f.answer:
                lines.append(f"    答: {f.answer}")
            for p in f.rubric:
                lines.append(f"    · 要点: {p.point}")
                lines += [f"      ✗ 常见误区: {m}" for m in p.misconceptions]
    if e.reference_answer:
        lines += ["参考答案:", *("  " + x for x in e.reference_answer.split("\n"))]
    if e.reading:
        lines.append("延伸阅读:")
        lines += [f"  - {r.title}: {r.url}" for r in e.reading]
    if e.generated_from_heading:
        lines.append("(由标题生成的问题)")
    lines.append(f"label_source: {e.label_source}")
    return "\n".join(lines)


def _show(args: argparse.Namespace) -> int:
    entry = load_bank(args.bank).get(args.id)
    if args.json:
        print(json.dumps(entry.model_dump(exclude_defaults=True), ensure_ascii=False, indent=2))
    else:
        print(format_entry(entry))
    return 0


def _search(args: argparse.Namespace) -> int:
    hits = load_bank(args.bank).search_scored(args.text, limit=args.limit)
    if not hits:
        print("no matches")
        return 1
    for score, e in hits:
        print(f"{score:.2f}  {e.id:<28} {e.topic:<10} {e.question.splitlines()[0]}")
    return 0
