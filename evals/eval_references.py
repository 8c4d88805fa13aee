"""The bank's own reference answers, graded as answers: each should score ≥ 8.

A candidate who says what the reference says deserves full marks; a grader that
gives the bank's own text less (an injection filter firing on a lesson about prompt
injection, a key point the reference does not cover) is unfair to everyone. The set:
every entry whose question or reference mentions system prompts, prompt injection or
jailbreaks (the bank teaches them, so their text quotes attacks), plus ``n`` entries
drawn at random (fixed seed). Model verdicts go through the eval grader's
verdict cache.

``mianshi eval references [--n 60] [--seed 12]``; saves
``evals/results/references-<model>-<sha>.json``.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from agent.bank import Bank, Entry, load_bank
from agent.grading.grader import Grader
from agent.llm.client import LLMClient
from agent.settings import Settings
from evals.common import git_short_sha, percentile
from evals.eval_grader import grade_items

PASS_SCORE = 8.0
SECURITY = re.compile(
    r"系统提示|system prompt|提示注入|提示词注入|prompt injection|注入攻击|越狱|jailbreak",
    re.IGNORECASE,
)


def is_security(entry: Entry) -> bool:
    """The entry is about system prompts, prompt injection or jailbreaks."""
    return bool(SECURITY.search(f"{entry.question}\n{entry.reference_answer or ''}"))


def pick(bank: Bank, n: int = 60, seed: int = 12) -> list[Entry]:
    """Every security entry, then ``n`` random entries with a reference answer (those
    drawn twice counted once)."""
    with_ref = [e for e in sorted(bank.entries, key=lambda e: e.id) if e.reference_answer]
    security = [e for e in with_ref if is_security(e)]
    drawn = random.Random(seed).sample(with_ref, min(n, len(with_ref)))
    return security + [e for e in drawn if e not in security]


def run(
    llm: LLMClient,
    settings: Settings,
    *,
    n: int = 60,
    seed: int = 12,
    cache: Path | None = None,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    from evals.grader_signals import VerdictCache

    bank = load_bank()
    entries = pick(bank, n, seed)
    security = {e.id for e in entries if is_security(e)}
    items = [
        {"question_id": e.id, "kind": "bank_reference", "label": 10, "answer": e.reference_answer}
        for e in entries
    ]
    cached = VerdictCache(llm, cache)
    started = time.perf_counter()
    graded = grade_items(Grader(llm, settings, ask=cached.ask), bank, items, log)
    for row in graded:
        row["security"] = row["question_id"] in security
    scores = [float(r["score"]) for r in graded]
    passed = sum(s >= PASS_SCORE for s in scores)
    failures = [
        {k: r[k] for k in ("question_id", "score", "method", "flags", "verdicts", "security")}
        for r in graded
        if r["score"] < PASS_SCORE
    ]
    summary = {
        "entries": len(graded),
        "random": len(graded) - sum(r["security"] for r in graded),
        "security": sum(r["security"] for r in graded),
        "at_least_8": passed,
        "share_at_least_8": round(passed / len(scores), 3) if scores else None,
        "min": min(scores) if scores else None,
        "p10": round(percentile(scores, 0.1), 2) if scores else None,
        "p50": round(percentile(scores, 0.5), 2) if scores else None,
        "flagged": sum(1 for r in graded if r["flags"]),
        "model": llm.model,
        "commit": git_short_sha(),
        "seed": seed,
    }
    return {
        "model": llm.model,
        "commit": summary["commit"],
        "summary": summary,
        "failures": failures,
        "items": graded,
        "timing": {
            "seconds": round(time.perf_counter() - started, 1),
            "model_calls": cached.calls,
            "model_seconds": round(cached.seconds, 1),
        },
    }


def report(result: dict[str, Any], log: Callable[[str], None] = print) -> None:
    s = result["summary"]
    log(
        f"\nbank reference answers graded as answers ({s['random']} random, seed "
        f"{s['seed']}, + {s['security']} on system prompts / injection): "
        f"{s['at_least_8']}/{s['entries']} score ≥ {PASS_SCORE:g}; min {s['min']}, "
        f"p10 {s['p10']}, p50 {s['p50']}; {s['flagged']} flagged"
    )
    for f in result["failures"]:
        log(
            f"  below {PASS_SCORE:g}: {f['question_id']} {f['score']:.1f} {f['method']} "
            f"{','.join(f['flags'])} {'(security)' if f['security'] else ''}"
        )
