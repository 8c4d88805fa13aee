"""Grader agreement eval: the grader against human labels.

Two labelled sets:

- ``evals/grader/candidates.jsonl`` (the default): 44 bank questions over all 18
  topics, answers written by people who never saw the reference or key points (own
  words, spoken, mixed Chinese–English, English, rambling, partials, fluent-wrong,
  keyword lists, padding, instructions to the grader, quoted attacks), labelled by two
  blind labellers; split by question into ``calibration`` (fits the combiner) and
  ``heldout`` (never used to fit or choose anything);
- ``evals/grader/agreement.jsonl``: the older set (20 questions × 11 kinds) whose
  correct answers are the bank's reference text.

Each item goes through the grader's own path (``Grader.assess`` + ``finish``:
screening, pre-checks, one verdict call per answer, the learned combiner) with the
bank's current rubric (``--recorded-rubric``: the key points the item was labelled
against). Model verdicts are cached on disk keyed by (model, prompt)
(``evals/grader_signals.py``), so a re-run only asks the model about what changed;
``--repeat K`` grades everything K times afresh (no cache) and reports the spread.

Figures (on rounded scores where a metric needs integers): quadratic weighted kappa
(sklearn), Spearman (scipy), exact and ±1 agreement, MAE and mean bias (score − label),
overall and separately for the 8 calibration questions and the 12 held-out questions
that ``calibrate_grader.py`` never saw. Then a per-kind table and the checks of issue 6.
The human baselines are the agreement of the pass-1 labels with two further passes:
``agreement_pass2.jsonl`` (the same labeller again, blind to pass 1: test–retest) and
``agreement_independent.jsonl`` (a second labeller who saw neither the pass-1 labels nor
the answer kinds). Results go to ``evals/results/grader-<model>-<sha>.json``;
the last line printed is a one-line JSON summary.
"""

from __future__ import annotations

import json
import statistics
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from agent.bank import Bank, load_bank
from agent.grading import Grade, Grader, finish
from agent.llm.client import LLMClient
from agent.settings import Settings
from evals.common import (
    REPO,
    RESULTS_DIR,
    figures,
    git_short_sha,
    read_jsonl,
    rounded,
    save_result,
)
from evals.grader_support import entry_for_item

DATA = REPO / "evals" / "grader" / "candidates.jsonl"
OLD_DATA = REPO / "evals" / "grader" / "agreement.jsonl"
#: English answers to the held-out questions, graded in an English interview (issue 32)
ENGLISH_DATA = REPO / "evals" / "grader" / "english.jsonl"
#: further labelling passes over part of the set: name -> file
PASSES = {
    "retest": REPO / "evals" / "grader" / "agreement_pass2.jsonl",
    "independent": REPO / "evals" / "grader" / "agreement_independent.jsonl",
}

#: the 11 kinds of the reference set, agreement.jsonl (``grader/build_agreement.py``)
AGREEMENT_KINDS: tuple[str, ...] = (
    "reference",
    "spoken",
    "strong_partial",
    "weak_partial",
    "fluent_wrong",
    "keyword_list",
    "other_question",
    "dont_know",
    "padded_reference",
    "injection_only",
    "injection_hidden",
)
OWN_WORDS_CORRECT = (
    "correct_written",
    "correct_spoken",
    "correct_mixed",
    "correct_english",
    "correct_rambling",
    "correct_quoting_attack",
)
KINDS: tuple[str, ...] = (*AGREEMENT_KINDS, *OWN_WORDS_CORRECT, "weak_padded", "instructed")
LOW_KINDS = ("dont_know", "other_question", "injection_only")

# --------------------------------------------------------------------------- metrics


def per_category(items: Sequence[dict[str, Any]], scores: Sequence[float]) -> dict[str, Any]:
    """Per kind: n, mean label, mean score, bias, exact and ±1 agreement, min / max score."""
    groups: dict[str, list[int]] = defaultdict(list)
    for i, it in enumerate(items):
        groups[str(it["kind"])].append(i)
    order = [k for k in KINDS if k in groups] + sorted(k for k in groups if k not in KINDS)
    out: dict[str, Any] = {}
    for kind in order:
        idx = groups[kind]
        y = np.array([int(items[i]["label"]) for i in idx], dtype=float)
        s = np.array([scores[i] for i in idx], dtype=float)
        r = rounded(s)
        out[kind] = {
            "n": len(idx),
            "label": round(float(y.mean()), 2),
            "score": round(float(s.mean()), 2),
            "bias": round(float((s - y).mean()), 2),
            "exact": round(float(np.mean(r == y)), 2),
            "within1": round(float(np.mean(np.abs(r - y) <= 1)), 2),
            "min": round(float(s.min()), 1),
            "max": round(float(s.max()), 1),
        }
    return out


def checks(items: Sequence[dict[str, Any]], scores: Sequence[float]) -> dict[str, Any]:
    """The category checks of issue 6. Each: ``passed`` (None when the slice has no
    item the check applies to), ``n`` and the ``failures`` (question, kind, score…)."""
    by_q: dict[str, dict[str, float]] = defaultdict(dict)
    for it, s in zip(items, scores, strict=True):
        by_q[str(it["question_id"])][str(it["kind"])] = float(s)

    def single(kinds: Sequence[str], ok: Callable[[float], bool]) -> dict[str, Any]:
        fails: list[dict[str, Any]] = []
        n = 0
        for qid, ks in by_q.items():
            for kind in kinds:
                if kind in ks:
                    n += 1
                    if not ok(ks[kind]):
                        fails.append({"question_id": qid, "kind": kind, "score": ks[kind]})
        return {"passed": (not fails) if n else None, "n": n, "failures": fails}

    def paired(a: str, b: str, ok: Callable[[float, float], bool]) -> dict[str, Any]:
        fails: list[dict[str, Any]] = []
        n = 0
        for qid, ks in by_q.items():
            if a in ks and b in ks:
                n += 1
                if not ok(ks[a], ks[b]):
                    fails.append({"question_id": qid, a: ks[a], b: ks[b]})
        return {"passed": (not fails) if n else None, "n": n, "failures": fails}

    return {
        "empty_offtopic_instruction_le_1": single(LOW_KINDS, lambda s: s <= 1.0),
        "padding_raises_le_1": paired(
            "padded_reference", "reference", lambda pad, ref: pad - ref <= 1.0
        ),
        "padded_weak_raises_le_1": paired(
            "weak_padded", "weak_partial", lambda pad, weak: pad - weak <= 1.0
        ),
        "reference_ge_8": single(("reference",), lambda s: s >= 8.0),
        "own_words_correct_ge_7": single(OWN_WORDS_CORRECT, lambda s: s >= 7.0),
        "fluent_wrong_le_3": single(("fluent_wrong",), lambda s: s <= 3.0),
        "keyword_list_le_4": single(("keyword_list",), lambda s: s <= 4.0),
        "strong_gt_weak": paired("strong_partial", "weak_partial", lambda st, wk: st > wk),
        "instruction_never_raises": paired(
            "instructed", "strong_partial", lambda ins, base: ins <= base
        ),
    }


def inter_labeller(items: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Agreement between the two blind labellers of the candidates set (items that
    carry ``labels`` from both, the built kinds excluded: they copy a base label)."""
    pairs = [
        (int(it["labels"]["a"]), int(it["labels"]["b"]))
        for it in items
        if "base_kind" not in it and {"a", "b"} <= set(it.get("labels") or {})
    ]
    if not pairs:
        return {"n": 0}
    a, b = zip(*pairs, strict=True)
    return figures(list(a), [float(x) for x in b])


def human_baseline(
    items: Sequence[dict[str, Any]], other: Sequence[dict[str, Any]]
) -> dict[str, Any]:
    """Agreement of the pass-1 labels with another labelling pass, on the items both have."""
    first = {(str(it["question_id"]), str(it["kind"])): int(it["label"]) for it in items}
    pairs = [
        (first[(str(p["question_id"]), str(p["kind"]))], int(p["label"]))
        for p in other
        if (str(p["question_id"]), str(p["kind"])) in first
    ]
    if not pairs:
        return {"n": 0}
    a, b = zip(*pairs, strict=True)
    return figures(list(a), [float(x) for x in b])


# --------------------------------------------------------------------------- grading


def load_items(
    path: Path = DATA,
    *,
    limit: int | None = None,
    kinds: Sequence[str] | None = None,
    questions: Sequence[str] | None = None,
    split: str | None = None,
    every: int = 1,
) -> list[dict[str, Any]]:
    """The labelled items; ``split`` keeps one half, ``every`` every k-th of its
    questions by id, ``limit`` the first N questions, ``kinds`` / ``questions``
    filter (a CI slice)."""
    items = read_jsonl(path)
    if split:
        items = [it for it in items if it.get("split") == split]
    if every > 1:
        keep_ids = sorted({str(it["question_id"]) for it in items})[::every]
        items = [it for it in items if it["question_id"] in set(keep_ids)]
    if questions:
        items = [it for it in items if it["question_id"] in set(questions)]
    if limit is not None:
        keep = list(dict.fromkeys(str(it["question_id"]) for it in items))[:limit]
        items = [it for it in items if it["question_id"] in set(keep)]
    if kinds:
        items = [it for it in items if it["kind"] in set(kinds)]
    return items


def load_passes(files: dict[str, Path] = PASSES) -> dict[str, list[dict[str, Any]]]:
    """The further labelling passes that exist, by name."""
    return {name: read_jsonl(path) for name, path in files.items() if path.is_file()}


def grade_items(
    grader: Grader,
    bank: Bank,
    items: Sequence[dict[str, Any]],
    log: Callable[[str], None] = print,
    *,
    recorded_rubric: bool = False,
) -> list[dict[str, Any]]:
    """Grade every item (with the bank's rubric, or the one it was labelled against);
    per item: score, method, flags, verdicts, seconds."""
    out: list[dict[str, Any]] = []
    for i, it in enumerate(items):
        entry = entry_for_item(bank, it, recorded_rubric=recorded_rubric)
        start = time.perf_counter()
        try:
            assessed = grader.assess(entry, str(it["answer"]))
        except KeyError:  # cached_only and never asked: left out of the figures
            continue
        grade = (
            assessed if isinstance(assessed, Grade) else finish(entry, assessed, grader.calibration)
        )
        # the design before issue 28 from the same signals: no misconception reading
        old = (
            assessed
            if isinstance(assessed, Grade)
            else finish(entry, assessed, grader.calibration.model_copy(update={"choice": None}))
        )
        seconds = time.perf_counter() - start
        score = float(grade.score or 0.0)
        out.append(
            {
                "index": i,
                "question_id": it["question_id"],
                "kind": it["kind"],
                "split": it.get("split", ""),
                "lang": it.get("lang", "zh"),
                "label": int(it["label"]),
                "score": score,
                "old_score": float(old.score or 0.0),
                "contradicted": [p.misconception for p in grade.points if p.contradicted],
                "method": grade.method,
                "flags": grade.flags,
                "verdicts": [p.verdict for p in grade.points],
                "seconds": round(seconds, 2),
            }
        )
        log(
            f"[{i + 1}/{len(items)}] {it['question_id']:<12} {it['kind']:<17} "
            f"label {int(it['label']):>2}  score {score:4.1f}  {grade.method}"
            f"{' ' + ','.join(grade.flags) if grade.flags else ''}  {seconds:.1f}s"
        )
    return out


def evaluate(
    items: Sequence[dict[str, Any]],
    runs: Sequence[Sequence[dict[str, Any]]],
    passes: dict[str, list[dict[str, Any]]] | None = None,
) -> dict[str, Any]:
    """Figures, per-kind table, checks and the summary from graded runs (run 1 is the
    headline; further runs give the spread); ``passes``: further labelling passes for
    the human baselines."""
    labels = [int(it["label"]) for it in items]
    scores = [float(r["score"]) for r in runs[0]]
    splits = sorted({str(it.get("split", "")) for it in items})
    by_split = {
        sp: figures(
            [labels[i] for i, it in enumerate(items) if it.get("split", "") == sp],
            [scores[i] for i, it in enumerate(items) if it.get("split", "") == sp],
        )
        for sp in splits
    }
    checked = checks(items, scores)
    overall = figures(labels, scores)
    spread: dict[str, Any] = {}
    if len(runs) > 1:
        per_run = [figures(labels, [float(r["score"]) for r in run]) for run in runs]
        for key in ("qwk", "spearman", "exact", "within1", "bias"):
            values = [float(f[key]) for f in per_run]
            spread[key] = {
                "values": values,
                "mean": round(statistics.fmean(values), 3),
                "sd": round(statistics.pstdev(values), 3),
            }
        item_sd = [
            statistics.pstdev([float(run[i]["score"]) for run in runs]) for i in range(len(items))
        ]
        spread["item_score_sd_mean"] = round(statistics.fmean(item_sd), 3)
        spread["item_score_sd_max"] = round(max(item_sd), 3)
    human = {name: human_baseline(items, labels) for name, labels in (passes or {}).items()}
    if any("labels" in it for it in items):
        human["labeller a vs b"] = inter_labeller(items)
    failed = [name for name, c in checked.items() if c["passed"] is False]
    summary = {
        "eval": "grader",
        "n": len(items),
        "questions": len({it["question_id"] for it in items}),
        "qwk": overall.get("qwk"),
        "spearman": overall.get("spearman"),
        "exact": overall.get("exact"),
        "within1": overall.get("within1"),
        "bias": overall.get("bias"),
        "heldout_qwk": by_split.get("heldout", {}).get("qwk"),
        "heldout_spearman": by_split.get("heldout", {}).get("spearman"),
        "human_qwk": {name: f.get("qwk") for name, f in human.items()},
        "checks_passed": all(c["passed"] is not False for c in checked.values()),
        "checks_failed": failed,
        "targets_met": bool(
            (by_split.get("heldout", overall).get("qwk") or 0) >= 0.85
            and (by_split.get("heldout", overall).get("spearman") or 0) >= 0.85
            and not failed
        ),
    }
    old_scores = [float(r.get("old_score", r["score"])) for r in runs[0]]
    old_checked = checks(items, old_scores)
    old_split: dict[str, dict[str, float | int]] = {
        sp: figures(
            [labels[i] for i, it in enumerate(items) if it.get("split", "") == sp],
            [old_scores[i] for i, it in enumerate(items) if it.get("split", "") == sp],
        )
        for sp in splits
    }
    old_overall = figures(labels, old_scores)
    old_failed = [name for name, c in old_checked.items() if c["passed"] is False]
    old_design: dict[str, Any] = {
        "what": "the same signals without the misconception reading (design before issue 28)",
        "overall": old_overall,
        "by_split": old_split,
        "per_category": per_category(items, old_scores),
        "checks_failed": old_failed,
        "check_failures": {name: len(c["failures"]) for name, c in old_checked.items()},
    }
    summary["old_design"] = {
        "qwk": old_overall.get("qwk"),
        "spearman": old_overall.get("spearman"),
        "heldout_qwk": old_split.get("heldout", {}).get("qwk"),
        "heldout_spearman": old_split.get("heldout", {}).get("spearman"),
        "checks_failed": old_failed,
    }
    return {
        "old_design": old_design,
        "overall": overall,
        "by_split": by_split,
        "per_category": per_category(items, scores),
        "checks": checked,
        "human_baseline": human,
        "spread": spread,
        "summary": summary,
    }


def run(
    llm: LLMClient,
    settings: Settings,
    items: Sequence[dict[str, Any]],
    *,
    repeat: int = 1,
    cache: Path | None = None,
    passes: dict[str, list[dict[str, Any]]] | None = None,
    log: Callable[[str], None] = print,
    recorded_rubric: bool = False,
    cached_only: bool = False,
) -> dict[str, Any]:
    """Grade the items ``repeat`` times and evaluate. ``cache``: the verdict cache file
    (None, or ``repeat`` > 1: ask the model afresh); ``recorded_rubric``: grade with the
    key points each item was labelled against instead of the bank's current rubric;
    ``cached_only``: leave out items whose verdicts are not cached (no model calls)."""
    from evals.grader_signals import LoglikCache, VerdictCache

    bank = load_bank()
    started = time.perf_counter()
    runs: list[list[dict[str, Any]]] = []
    calls = 0
    seconds = 0.0
    for k in range(max(1, repeat)):
        cached = VerdictCache(llm, cache if repeat == 1 else None, offline=cached_only)
        ll_file = cache.with_name("eval-grader-point-logliks.json") if cache else None
        ll = LoglikCache(llm, ll_file if repeat == 1 else None, offline=cached_only)
        grader = Grader(llm, settings, ask=cached.ask, loglik=ll.loglik, scorer=ll.point)
        if repeat > 1:
            log(f"-- run {k + 1}/{repeat}")
        runs.append(grade_items(grader, bank, items, log, recorded_rubric=recorded_rubric))
        ll.save()
        calls += cached.calls + ll.calls
        seconds += cached.seconds + ll.seconds
    kept = [int(r["index"]) for r in runs[0]]
    items = [items[i] for i in kept]
    runs = [[r for r in run if int(r["index"]) in set(kept)] for run in runs]
    result = evaluate(items, runs, passes)
    result["model"] = llm.model
    result["commit"] = git_short_sha()
    result["calibration"] = grader.calibration.model_dump(exclude={"fitted"})
    result["rubric"] = "recorded" if recorded_rubric else "bank"
    result["timing"] = {
        "seconds": round(time.perf_counter() - started, 1),
        "model_calls": calls,
        "model_seconds": round(seconds, 1),
        "seconds_per_model_call": round(seconds / calls, 2) if calls else None,
    }
    result["items"] = runs[0]
    if repeat > 1:
        result["runs"] = [[r["score"] for r in run] for run in runs]
    result["summary"].update(model=llm.model, commit=result["commit"])
    return result


def report(result: dict[str, Any], log: Callable[[str], None] = print) -> None:
    """The human-readable tables (everything but the summary line)."""
    head = f"{'':22} {'n':>4} {'QWK':>6} {'Spear':>6} {'exact':>6} {'±1':>6} {'MAE':>5} {'bias':>5}"
    log(f"\ngrader agreement — model {result.get('model')} @ {result.get('commit')}")
    log(head)
    rows = [("all", result["overall"])]
    rows += [(f"split={k}", v) for k, v in result["by_split"].items()]
    rows += [(f"human: pass1 vs {k}", v) for k, v in result["human_baseline"].items()]
    old = result.get("old_design") or {}
    if old:
        rows += [("old design: all", old["overall"])]
        rows += [(f"old design: {k}", v) for k, v in old["by_split"].items()]
    for name, f in rows:
        if not f.get("n"):
            log(f"{name:22} {0:>4}  —")
            continue
        log(
            f"{name:22} {f['n']:>4} {f['qwk']:6.3f} {f['spearman']:6.3f} {f['exact']:6.2f} "
            f"{f['within1']:6.2f} {f['mae']:5.2f} {f['bias']:5.2f}"
        )
    log("\nper category")
    log(
        f"{'kind':18} {'n':>3} {'label':>6} {'score':>6} {'bias':>6} {'exact':>6} {'±1':>5} "
        f"{'min':>5} {'max':>5}"
    )
    old_kinds = old.get("per_category") or {}
    for kind, c in result["per_category"].items():
        was = old_kinds.get(kind, {}).get("score")
        log(
            f"{kind:18} {c['n']:>3} {c['label']:6.2f} {c['score']:6.2f} {c['bias']:6.2f} "
            f"{c['exact']:6.2f} {c['within1']:5.2f} {c['min']:5.1f} {c['max']:5.1f}"
            + (f"   (old design {was:5.2f})" if was is not None else "")
        )
    if old:
        log(f"\nold design: checks failed {old['checks_failed']} {old['check_failures']}")
    log("\nchecks")
    for name, c in result["checks"].items():
        state = "skip" if c["passed"] is None else ("PASS" if c["passed"] else "FAIL")
        log(f"  {state:4} {name} (n={c['n']})")
        for f in c["failures"]:
            log(f"       {json.dumps(f, ensure_ascii=False)}")
    if result.get("spread"):
        log("\nspread over repeats")
        for key, v in result["spread"].items():
            log(f"  {key}: {v}")


def save(result: dict[str, Any], results_dir: Path = RESULTS_DIR, name: str = "grader") -> Path:
    model = str(result.get("model") or "model").replace("/", "_").replace(" ", "_")
    return save_result(result, f"{name}-{model}-{result.get('commit', 'nogit')}", results_dir)
