"""``mianshi grade --in ITEMS.jsonl --out GRADES.jsonl``: grade answers in bulk.

Each input line is ``{"question": "<text or bank id>", "answer": "..."}``. A question
given as text is matched to its bank entry (``Bank.match_question``); a bank
follow-up's text (or its id, ``004-q091.fu0``) is graded on the follow-up's own key
points, as in the interview, and an optional ``"previous"`` (the answer before the
follow-up) makes a repeat of it earn nothing, as in the interview. Every input
line yields one output line, in order: the Grade as JSON (``question_id``, ``score``,
``points``, ``feedback``, ``flags``, ``status``, ``error``, ``method``) plus ``line``
(1-based input line). A line that cannot be graded (invalid JSON, unknown question)
gets ``status: "error"`` and an ``error`` message; a grade whose model call failed is
``status: "pending"`` with ``score: null``. The exit code is 0 only when every line
was graded. Progress goes to stderr.

Nothing is lost to a crash or a kill: each line is appended to ``OUT.partial`` the
moment it is graded, and a re-run with the same ``--out`` keeps the lines already
graded there (same line number, question and answer) instead of grading them again.
``OUT`` itself is written (atomically, in input order) when the run ends. Answers
longer than ``MIANSHI_MAX_ANSWER_CHARS`` are refused as invalid lines, as in the app.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import sys
import time
from pathlib import Path
from typing import Any

from agent.bank import Bank, Entry, load_bank
from agent.errors import UserError
from agent.grading.checks import too_long
from agent.grading.models import Grade
from agent.osutil import write_atomic
from agent.settings import Settings, load_settings


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


def _key(line: int, entry: Entry, answer: str) -> str:
    return hashlib.sha256(f"{line}\n{entry.id}\n{answer}".encode()).hexdigest()[:16]


def _done_before(paths: list[Path]) -> dict[str, dict[str, Any]]:
    """Graded rows of an earlier run (its output or its partial file), by ``_key``."""
    done: dict[str, dict[str, Any]] = {}
    for path in paths:
        if not path.is_file():
            continue
        for raw in path.read_text(encoding="utf-8").splitlines():
            with contextlib.suppress(ValueError):
                row = json.loads(raw)
                if isinstance(row, dict) and row.get("status") == "graded" and row.get("key"):
                    done[str(row["key"])] = row
    return done


def _error_line(line: int, message: str) -> dict[str, Any]:
    return {"line": line, **Grade.invalid(message).model_dump()}


Job = tuple[int, Entry, str] | dict[str, Any]  # (line, entry, answer), or an invalid line


def _read_jobs(
    args: argparse.Namespace, bank: Bank, limit: int
) -> tuple[list[Job], dict[int, str]]:
    """Every input line as a job, and the answer before each follow-up (by line)."""
    jobs: list[Job] = []
    previous: dict[int, str] = {}
    for n, raw in enumerate(args.inp.read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            item = json.loads(raw)
            entry, answer = _resolve(bank, item)
            if isinstance(item.get("previous"), str):
                previous[n] = item["previous"]
            refused = too_long(answer, limit)
            if refused:
                raise ValueError(refused)
            jobs.append((n, entry, answer))
        except ValueError as exc:  # json.JSONDecodeError is a ValueError
            jobs.append(_error_line(n, f"line {n}: {exc}"))
    return jobs, previous


def _grade(args: argparse.Namespace) -> int:
    if not args.inp.is_file():
        raise UserError(f"no such input file: {args.inp}")
    settings = load_settings()
    jobs, previous = _read_jobs(args, load_bank(args.bank), settings.max_answer_chars)
    partial = args.out.with_name(args.out.name + ".partial")
    done = _done_before([args.out, partial])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    results = _run(args, settings, jobs, previous, done, partial)
    write_atomic(args.out, "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in results))
    partial.unlink(missing_ok=True)
    return _summary(results, args.out)


def _run(
    args: argparse.Namespace, settings: Settings, jobs: list[Job], previous: dict[int, str],
    done: dict[str, dict[str, Any]], partial: Path,
) -> list[dict[str, Any]]:  # fmt: skip
    """Grade the jobs not done before (each row appended to ``partial`` as it comes)."""
    from agent.grading import Grader
    from agent.llm.server import connect

    results: list[dict[str, Any]] = []
    total, start = len(jobs), time.perf_counter()
    todo = [j for j in jobs if isinstance(j, tuple) and _key(*j) not in done]
    with contextlib.ExitStack() as stack:
        log = stack.enter_context(partial.open("a", encoding="utf-8"))
        grader: Grader | None = None
        down = ""
        if todo:
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
            key = _key(n, entry, answer)
            if key in done:
                results.append(done[key])
                print(f"[{i}/{total}] {entry.id} → kept from the earlier run", file=sys.stderr)
                continue
            if grader is None:
                grade = Grade.pending(entry.id, down)
            else:
                grade = grader.grade(entry, answer, lang=args.lang, previous=previous.get(n))
            row = {"line": n, "key": key, **grade.model_dump()}
            results.append(row)
            log.write(json.dumps(row, ensure_ascii=False) + "\n")
            log.flush()
            shown = "pending" if grade.score is None else f"{grade.score:.1f}"
            took = time.perf_counter() - start
            print(f"[{i}/{total}] {entry.id} → {shown} {','.join(grade.flags)} ({took:.0f} s)",
                  file=sys.stderr, flush=True)  # fmt: skip
    return results


def _summary(results: list[dict[str, Any]], out: Path) -> int:
    graded = sum(1 for r in results if r["status"] == "graded")
    pending = [r for r in results if r["status"] == "pending"]
    invalid = sum(1 for r in results if r["status"] == "error")
    print(f"graded {graded}, pending {len(pending)}, invalid {invalid} → {out}", file=sys.stderr)
    if pending:
        print(
            f"mianshi: {len(pending)} grade(s) pending (run again to retry): {pending[0]['error']}",
            file=sys.stderr,
        )
    return 0 if graded == len(results) else 1
