"""Grade-time benchmark (not a test): seconds per grade of a 5-point answer.

Two cases, as they happen in an interview:

- ``warm``: the answer-independent work was done while the candidate was answering
  (``Grader.warm``: the question's likelihood baselines, or the verdict prompt's
  prefix), so only the answer and its key points are left when it arrives;
- ``cold``: nothing cached (``mianshi grade`` on a new question; a fresh grader, so
  no baseline of an earlier grade is reused).

Answers: the written kinds of ``evals/grader/candidates.jsonl`` on questions whose
rubric has 5 points (correct in own words, spoken, English, partials, fluent-wrong),
round-robin over the questions so every grade meets a different prefix.

Run: ``python -m evals.bench_grade [--answers N]``; prints p50 / p90 per case and a
one-line JSON summary.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from agent.bank import load_bank
from agent.grading import Grader
from agent.llm.server import connect
from agent.settings import load_settings
from evals.common import percentile, read_jsonl
from evals.eval_grader import DATA

KINDS = ("correct_written", "correct_spoken", "correct_english", "strong_partial", "fluent_wrong")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.bench_grade")
    parser.add_argument("--answers", type=int, default=6, help="answers per case")
    args = parser.parse_args(argv)
    bank = load_bank()
    items = [
        it
        for it in read_jsonl(DATA)
        if it["kind"] in KINDS and len(bank.get(it["question_id"]).rubric) == 5
    ]
    by_q: dict[str, list[dict[str, str]]] = {}
    for it in items:
        by_q.setdefault(it["question_id"], []).append(it)
    order = [q[i] for i in range(len(KINDS)) for q in by_q.values() if i < len(q)]
    settings = load_settings()
    timings: dict[str, list[float]] = {"warm": [], "cold": []}
    with connect(settings) as llm:
        grader = Grader(llm, settings)
        llm.capabilities()  # probed once per process, not per grade
        llm.has_prompt_logprobs()
        for n, it in enumerate(order[: 2 * args.answers]):
            case = "warm" if n % 2 == 0 else "cold"
            entry = bank.get(it["question_id"])
            if case == "warm":
                grader.warm(entry)
            else:
                grader = Grader(llm, settings)
            grader.baselines.directory = None  # computed here, not read from an earlier run
            start = time.perf_counter()
            grade = grader.grade(entry, it["answer"])
            seconds = time.perf_counter() - start
            timings[case].append(seconds)
            print(
                f"{case} {entry.id:<20} {it['kind']:<16} {len(it['answer']):>4} chars  "
                f"score {grade.score}  {seconds:5.1f} s",
                flush=True,
            )
    summary: dict[str, object] = {
        "bench": "grade", "model": llm.model, "points": 5,
        "signal": "likelihood" if grader.by_likelihood() else "verdicts",
    }  # fmt: skip
    for case, values in timings.items():
        if values:
            summary[f"{case}_p50_s"] = round(statistics.median(values), 1)
            summary[f"{case}_p90_s"] = round(percentile(values, 0.9), 1)
            summary[f"{case}_n"] = len(values)
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
