"""``mianshi grade --in ITEMS.jsonl --out GRADES.jsonl``: grade answers in bulk.

Each input line is ``{"question": "<text or bank id>", "answer": "..."}``. A question
given as text is matched to its bank entry (``Bank.match_question``). Every input
line yields one output line, in order: the Grade as JSON (``question_id``, ``score``,
``points``, ``feedback``, ``flags``, ``status``, ``error``, ``method``) plus ``line``
(1-based input line). A line that cannot be graded (invalid JSON, unknown question)
gets ``status: "error"`` and an ``error`` message; a grade whose model call failed is
``status: "pending"`` with ``score: null``. The exit code is 0 only when every line
was graded. Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import time
from pathlib import Path
from typing import Any

from agent.bank import Bank, Entry, load_bank
from agent.errors import UserError
from agent.settings import load_settings


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("grade", help="grade answers from a JSONL file")
    parser.add_argument("--in", dest="inp", type=Path, required=True, help="ITEMS.jsonl")
    parser.add_argument("--out", type=Path, required=True, help="GRADES.jsonl")
    parser.add_argument("--lang", choices=("zh", "en"), default="zh", help="feedback language")
    parser.add_argument(
        "--bank", type=Path, default=None, help="bank YAML (default: question_bank/bank.yaml)"
    )
    parser.set_defaults(func=_grade)


def _resolve(bank: Bank, item: Any) -> tuple[Entry, str]:
    if not isinstance(item, dict):
        raise ValueError("expected a JSON object with 'question' and 'answer'")
    question, answer = item.get("question"), item.get("answer")
    if not isinstance(question, str) or not question.strip():
        raise ValueError("missing 'question' (text or bank id)")
    if answer is None:
        answer = ""
    if not isinstance(answer, str):
        raise ValueError("'answer' must be a string")
    entry = bank.match_question(question)
    if entry is None:
        raise ValueError(f"no bank question matches {question[:60]!r}")
    return entry, answer


def _error_line(line: int, message: str) -> dict[str, Any]:
    return {
        "line": line,
        "question_id": None,
        "score": None,
        "points": [],
        "feedback": "",
        "flags": [],
        "status": "error",
        "error": message,
        "method": "none",
    }


def _grade(args: argparse.Namespace) -> int:
    if not args.inp.is_file():
        raise UserError(f"no such input file: {args.inp}")
    settings = load_settings()
    bank = load_bank(args.bank)
    raw_lines = args.inp.read_text(encoding="utf-8").splitlines()
    jobs: list[tuple[int, Entry, str] | dict[str, Any]] = []
    for n, raw in enumerate(raw_lines, start=1):
        if not raw.strip():
            continue
        try:
            entry, answer = _resolve(bank, json.loads(raw))
            jobs.append((n, entry, answer))
        except ValueError as exc:  # json.JSONDecodeError is a ValueError
            jobs.append(_error_line(n, f"line {n}: {exc}"))

    from agent.grading import Grade, Grader
    from agent.llm_runtime import connect

    results: list[dict[str, Any]] = []
    total = len(jobs)
    start = time.perf_counter()
    with contextlib.ExitStack() as stack:
        grader: Grader | None = None
        down = ""
        if any(isinstance(j, tuple) for j in jobs):
            try:
                grader = Grader(stack.enter_context(connect(settings)), settings, lang=args.lang)
            except UserError as exc:  # e.g. the embedded server would not start
                down = str(exc)
        for i, job in enumerate(jobs, start=1):
            if isinstance(job, dict):
                results.append(job)
                print(f"[{i}/{total}] {job['error']}", file=sys.stderr, flush=True)
                continue
            n, entry, answer = job
            grade = Grade.pending(entry.id, down) if grader is None else grader.grade(entry, answer)
            results.append({"line": n, **grade.model_dump()})
            shown = "pending" if grade.score is None else f"{grade.score:.1f}"
            print(
                f"[{i}/{total}] {entry.id} → {shown} {','.join(grade.flags)} "
                f"({time.perf_counter() - start:.0f} s)",
                file=sys.stderr,
                flush=True,
            )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as fh:
        for row in results:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    graded = sum(1 for r in results if r["status"] == "graded")
    pending = [r for r in results if r["status"] == "pending"]
    invalid = sum(1 for r in results if r["status"] == "error")
    print(
        f"graded {graded}, pending {len(pending)}, invalid {invalid} → {args.out}",
        file=sys.stderr,
    )
    if pending:
        print(
            f"mianshi: {len(pending)} grade(s) pending (run again to retry): {pending[0]['error']}",
            file=sys.stderr,
        )
    return 0 if graded == len(results) else 1
