"""Fit the grader's constants on the labelled set and write agent/grading_calibration.json.

    .venv/bin/python evals/calibrate_grader.py                 # embedded model
    .venv/bin/python evals/calibrate_grader.py --base-url URL  # a running endpoint
    .venv/bin/python evals/calibrate_grader.py --dry-run       # print, write nothing

1. Every item of ``evals/grader/calibration.jsonl`` goes through the grader's own path
   (``Grader.assess``: rubric, pre-checks, one verdict call per key point) with the
   bank's current rubric (``--recorded-rubric``: the key points it was labelled
   against). Verdicts are cached on disk by prompt and model (``--cache``; the same
   file and keys as ``mianshi eval grader``), so a re-run only asks the model about
   what changed.
2. A grid search over the five constants of ``agent/grading_score.py`` (p_floor,
   p_ceil, lexical_weight, credit_zero, credit_full) maximises the quadratic weighted
   kappa of the rounded scores with the labels (ties: mean absolute error).
   Leave-one-question-out cross-validation reports how much of that is fit.
3. It prints the agreement table for the chosen constants and for the model alone /
   lexical alone, and writes the constants and figures to the calibration file.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from scipy.stats import spearmanr
from sklearn.metrics import cohen_kappa_score

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from agent.bank import load_bank  # noqa: E402
from agent.grading import Grade, Grader, Signals  # noqa: E402
from agent.grading_score import CALIBRATION_FILE, Calibration  # noqa: E402
from agent.llm import LLMClient  # noqa: E402
from agent.settings import Settings, load_settings  # noqa: E402
from evals.grader_support import (  # noqa: E402
    CACHE_NAME,
    CachedVerdicts,
    entry_for_item,
    read_jsonl,
)

DATA = REPO / "evals" / "grader" / "calibration.jsonl"


@contextmanager
def _client(settings: Settings, base_url: str | None) -> Iterator[LLMClient]:
    if base_url:
        yield LLMClient.from_settings(settings, base_url=base_url)
        return
    from agent.llm_runtime import connect

    with connect(settings) as client:
        yield client


# --------------------------------------------------------------------------- metrics


def qwk(labels: np.ndarray, preds: np.ndarray) -> float:
    """Quadratic weighted kappa on integer scores 0–10 (same as sklearn's, vectorised)."""
    k = 11
    obs = np.zeros((k, k))
    np.add.at(obs, (labels, preds), 1)
    hist_a, hist_b = obs.sum(1), obs.sum(0)
    expected = np.outer(hist_a, hist_b) / max(1, len(labels))
    i, j = np.indices((k, k))
    w = (i - j) ** 2
    denom = (w * expected).sum()
    return 1.0 - (w * obs).sum() / denom if denom else 0.0


def figures(labels: list[int], scores: list[float]) -> dict[str, float]:
    y = np.asarray(labels)
    s = np.asarray(scores, dtype=float)
    r = np.clip(np.rint(s), 0, 10).astype(int)
    rho = spearmanr(y, s).statistic
    return {
        "qwk": round(
            float(cohen_kappa_score(y, r, weights="quadratic", labels=list(range(11)))), 3
        ),
        "spearman": round(float(rho), 3),
        "exact": round(float(np.mean(r == y)), 3),
        "within1": round(float(np.mean(np.abs(r - y) <= 1)), 3),
        "mae": round(float(np.mean(np.abs(s - y))), 2),
        "bias": round(float(np.mean(s - y)), 2),
    }


# --------------------------------------------------------------------------- the grid


class Table:
    """Per-point signals of the model-graded items, flattened for vectorised scoring."""

    def __init__(self, rows: list[tuple[int, Signals]], n_items: int) -> None:
        self.item = np.array([i for i, s in rows for _ in s.p_yes], dtype=int)
        self.p = np.array([p for _, s in rows for p in s.p_yes])
        self.sampled = np.array([m == "sampled" for _, s in rows for m in s.methods])
        self.lex = np.array([x for _, s in rows for x in s.lexical])
        self.w = np.array([rp.weight for _, s in rows for rp in s.rubric])
        self.n = n_items

    def scores(self, c: Calibration) -> np.ndarray:
        q = np.clip((self.p - c.p_floor) / max(1e-6, c.p_ceil - c.p_floor), 0, 1)
        q = np.where(self.sampled, self.p, q)
        s = (1 - c.lexical_weight) * q + c.lexical_weight * np.clip(self.lex, 0, 1)
        credit = np.clip((s - c.credit_zero) / max(1e-6, c.credit_full - c.credit_zero), 0, 1)
        num = np.bincount(self.item, weights=credit * self.w, minlength=self.n)
        den = np.bincount(self.item, weights=self.w, minlength=self.n)
        out = np.zeros(self.n)
        np.divide(10 * num, den, out=out, where=den > 0)
        return np.round(out, 1)


def grid() -> Iterator[Calibration]:
    for p_floor in np.round(np.arange(0.3, 0.91, 0.05), 2):
        for p_ceil in np.round(np.arange(p_floor + 0.1, 1.0001, 0.05), 2):
            for lw in np.round(np.arange(0.0, 1.0001, 0.1), 2):
                for cz in np.round(np.arange(0.0, 0.51, 0.1), 2):
                    for cf in np.round(np.arange(cz + 0.2, 1.0001, 0.1), 2):
                        yield Calibration(
                            p_floor=float(p_floor),
                            p_ceil=float(p_ceil),
                            lexical_weight=float(lw),
                            credit_zero=float(cz),
                            credit_full=float(cf),
                        )


def search(
    table: Table,
    fixed: np.ndarray,
    model_mask: np.ndarray,
    labels: np.ndarray,
    subset: np.ndarray,
    candidates: list[Calibration],
) -> tuple[Calibration, float]:
    """The candidate with the best QWK on ``subset`` (ties: lower mean absolute error)."""
    best: tuple[tuple[float, float], Calibration] | None = None
    y = labels[subset]
    for c in candidates:
        s = np.where(model_mask, table.scores(c), fixed)[subset]
        r = np.clip(np.rint(s), 0, 10).astype(int)
        key = (round(qwk(y, r), 4), -round(float(np.mean(np.abs(s - y))), 4))
        if best is None or key > best[0]:
            best = (key, c)
    assert best is not None
    return best[1], best[0][0]


# --------------------------------------------------------------------------- main


def _git_commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
        )
        return out.stdout.strip() or "unknown"
    except OSError:
        return "unknown"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--base-url", default=None, help="a running endpoint (default: embedded)")
    ap.add_argument("--out", type=Path, default=CALIBRATION_FILE)
    ap.add_argument("--cache", type=Path, default=None, help="verdict cache (JSON)")
    ap.add_argument("--dry-run", action="store_true", help="print only, write nothing")
    ap.add_argument(
        "--recorded-rubric",
        action="store_true",
        help="grade with the key points each item was labelled against, not the bank's",
    )
    args = ap.parse_args(argv)

    settings = load_settings()
    cache = args.cache or settings.cache_dir / CACHE_NAME
    items = read_jsonl(args.data)
    bank = load_bank()
    labels = np.array([int(it["label"]) for it in items])
    fixed = np.zeros(len(items))
    model_mask = np.zeros(len(items), dtype=bool)
    rows: list[tuple[int, Signals]] = []
    kinds = [str(it["kind"]) for it in items]
    qids = [str(it["question_id"]) for it in items]

    with _client(settings, args.base_url) as llm:
        cached = CachedVerdicts(llm, cache)
        grader = Grader(cached, settings)  # type: ignore[arg-type]
        model_name = llm.model
        t0 = time.perf_counter()
        for i, it in enumerate(items):
            entry = entry_for_item(bank, it, recorded_rubric=args.recorded_rubric)
            result = grader.assess(entry, it["answer"])
            if isinstance(result, Grade):
                fixed[i] = result.score or 0.0
                tag = "pre:" + ",".join(result.flags)
            else:
                model_mask[i] = True
                rows.append((i, result))
                tag = " ".join(
                    f"{p:.2f}/{x:.2f}" for p, x in zip(result.p_yes, result.lexical, strict=True)
                )
            print(
                f"[{i + 1}/{len(items)}] {it['question_id']} {it['kind']:<17} {tag}",
                file=sys.stderr,
                flush=True,
            )
        elapsed = time.perf_counter() - t0
    n_points = sum(len(s.p_yes) for _, s in rows)
    print(
        f"model calls: {cached.calls} new in {cached.seconds:.0f} s "
        f"({cached.seconds / max(1, cached.calls):.2f} s/call); {n_points} point verdicts, "
        f"{elapsed:.0f} s total",
        file=sys.stderr,
    )

    table = Table(rows, len(items))
    candidates = list(grid())
    all_idx = np.arange(len(items))
    best, _ = search(table, fixed, model_mask, labels, all_idx, candidates)

    # leave-one-question-out: fit on 7 questions, score the 8th
    cv_scores = np.zeros(len(items))
    for q in sorted(set(qids)):
        train = np.array([i for i in all_idx if qids[i] != q])
        test = np.array([i for i in all_idx if qids[i] == q])
        fold, _ = search(table, fixed, model_mask, labels, train, candidates)
        cv_scores[test] = np.where(model_mask, table.scores(fold), fixed)[test]

    def scored(c: Calibration) -> list[float]:
        return [float(x) for x in np.where(model_mask, table.scores(c), fixed)]

    model_only, _ = search(
        table,
        fixed,
        model_mask,
        labels,
        all_idx,
        [c for c in candidates if c.lexical_weight == 0.0],
    )
    lexical_only, _ = search(
        table,
        fixed,
        model_mask,
        labels,
        all_idx,
        [c for c in candidates if c.lexical_weight == 1.0 and c.p_floor == 0.3 and c.p_ceil == 0.4],
    )
    final = scored(best)
    rows_out = {
        "chosen (fit on all)": figures(labels.tolist(), final),
        "chosen, leave-one-question-out": figures(labels.tolist(), cv_scores.tolist()),
        "model only (lexical_weight=0)": figures(labels.tolist(), scored(model_only)),
        "lexical only (lexical_weight=1)": figures(labels.tolist(), scored(lexical_only)),
    }
    graded = np.flatnonzero(model_mask)  # the items that reached the model (no pre-check)
    for name, c in (("chosen", best), ("model only", model_only), ("lexical only", lexical_only)):
        rows_out[f"{name}, model-graded items only"] = figures(
            labels[graded].tolist(), [scored(c)[i] for i in graded]
        )
    print(f"\nagreement with the labels (n={len(items)} items, {len(set(qids))} questions)")
    print(f"{'':36} {'QWK':>6} {'Spear':>6} {'exact':>6} {'±1':>6} {'MAE':>5} {'bias':>5}")
    for name, f in rows_out.items():
        print(
            f"{name:36} {f['qwk']:6.3f} {f['spearman']:6.3f} {f['exact']:6.2f} "
            f"{f['within1']:6.2f} {f['mae']:5.2f} {f['bias']:5.2f}"
        )

    print("\nby kind (label mean → score mean, chosen constants)")
    by_kind: dict[str, list[int]] = defaultdict(list)
    for i, k in enumerate(kinds):
        by_kind[k].append(i)
    for k, idx in by_kind.items():
        lab = np.mean(labels[idx])
        sc = np.array([final[i] for i in idx])
        print(f"  {k:<18} {lab:5.1f} → {sc.mean():5.1f}   [{' '.join(f'{x:.1f}' for x in sc)}]")
    print("\nchosen constants:", best.model_dump(exclude={"fitted"}))

    result = best.model_copy(
        update={
            "fitted": {
                "model": model_name,
                "commit": _git_commit(),
                "data": str(args.data.relative_to(REPO))
                if args.data.is_relative_to(REPO)
                else str(args.data),
                "items": len(items),
                "questions": len(set(qids)),
                "grid_size": len(candidates),
                "rubric": "recorded" if args.recorded_rubric else "bank",
                "objective": "QWK of rounded scores (ties: mean absolute error)",
                "figures": rows_out,
                "date": time.strftime("%Y-%m-%d"),
            }
        }
    )
    if not args.dry_run:
        args.out.write_text(
            json.dumps(result.model_dump(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        print(f"wrote {args.out}")
    print(
        json.dumps(
            {
                "qwk": rows_out["chosen (fit on all)"]["qwk"],
                "qwk_cv": rows_out["chosen, leave-one-question-out"]["qwk"],
                "spearman": rows_out["chosen (fit on all)"]["spearman"],
                "model": model_name,
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
