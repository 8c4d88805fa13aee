"""Fit the grader's combiner on the calibration half and write agent/grading/calibration.json.

The data: ``evals/grader/candidates.jsonl``, answers written by people who never saw
the bank's reference or key points (correct in their own words, spoken, mixed
Chinese–English, English, rambling; strong / weak partials; fluent but wrong; keyword
lists; padded; with instructions to the grader), labelled 0–10 by two blind
labellers (the label is their rounded mean). The split is by question: only the 22
``calibration`` questions are read here; the 22 ``heldout`` questions never are.

1. Every item goes through the grader's own path (``Grader.assess``): pre-checked
   items are decided without the model; the others give per-point signals (the
   model's P(是) from one call per answer, cached on disk, and the lexical coverage).
2. The three weights of ``agent/grading/score.py`` (bias, w_model, w_lexical) are
   fitted by least squares between ``score = 10·mean σ(bias + w_model·logit p +
   w_lexical·lex)`` and the label (scipy ``minimize``, L-BFGS-B, from several starts).
3. Leave-one-question-out cross-validation (scikit-learn ``LeaveOneGroupOut``) reports
   how the fit does on questions it did not see, next to the model-only and
   lexical-only fits.

``--likelihood`` fits the combiner of token coverage (likelihood) instead (``score = 10·mean
σ(bias + w_gain·gain + w_lexical·lex)``, ``agent/grading/likelihood.py``) and writes
it as the calibration's ``likelihood`` section, keeping the verdict weights.

Run: ``python -m evals.calibrate_grader [--likelihood] [--base-url URL]`` (the
embedded server otherwise). Cached verdicts and likelihoods make a re-run cost
nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np
from scipy.optimize import minimize
from sklearn.model_selection import LeaveOneGroupOut

from agent.bank import load_bank
from agent.grading import Grade, Grader, Signals
from agent.grading.score import CALIBRATION_FILE, Calibration, GainWeights, logit
from agent.settings import load_settings
from evals.common import figures, git_short_sha, read_jsonl
from evals.grader_signals import CANDIDATES, LoglikCache, VerdictCache, connect_llm

Bounds = list[tuple[float, float]]
BOUNDS: Bounds = [(-20.0, 6.0), (0.0, 60.0), (0.0, 12.0)]
STARTS = ((-4.0, 1.0, 3.0), (-1.0, 2.0, 0.0), (-6.0, 3.0, 6.0), (-4.0, 8.0, 1.0))


def _features(signals: Signals) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(model signal, lexical coverage, weight) per point: the gain, or logit P(是)."""
    if signals.gain is not None:
        p = np.array(signals.gain, dtype=float)
    else:
        p = np.array([logit(x) for x in signals.p_yes or []])
    lex = np.array(signals.lexical, dtype=float)
    w = np.array([rp.weight for rp in signals.rubric], dtype=float)
    return p, lex, w


def _scores(params: Sequence[float], feats: Sequence[tuple[np.ndarray, ...]]) -> np.ndarray:
    b, wm, wl = params
    out = []
    for p, lex, w in feats:
        credit = 1.0 / (1.0 + np.exp(-(b + wm * p + wl * lex)))
        out.append(10.0 * float((credit * w).sum() / w.sum()))
    return np.array(out)


def fit(
    feats: Sequence[tuple[np.ndarray, ...]],
    labels: np.ndarray,
    fixed: dict[int, float] | None = None,
) -> list[float]:
    """Least-squares weights; ``fixed`` pins some (index → value) for the ablations."""
    fixed = fixed or {}
    best: tuple[float, list[float]] | None = None
    for start in STARTS:
        x0 = [v for i, v in enumerate(start) if i not in fixed]
        bounds = [b for i, b in enumerate(BOUNDS) if i not in fixed]

        def full(x: Sequence[float]) -> list[float]:
            it = iter(x)
            return [fixed[i] if i in fixed else next(it) for i in range(3)]

        def loss(x: Sequence[float]) -> float:
            return float(np.mean((_scores(full(x), feats) - labels) ** 2))

        res = minimize(loss, x0, method="L-BFGS-B", bounds=bounds)
        if best is None or res.fun < best[0]:
            best = (float(res.fun), full(res.x))
    assert best is not None
    return [round(v, 4) for v in best[1]]


def cross_validate(
    feats: Sequence[tuple[np.ndarray, ...]],
    labels: np.ndarray,
    groups: Sequence[str],
    fixed: dict[int, float] | None = None,
) -> np.ndarray:
    """Leave-one-question-out predictions."""
    pred = np.zeros(len(labels))
    for train, test in LeaveOneGroupOut().split(np.zeros(len(labels)), labels, groups):
        params = fit([feats[i] for i in train], labels[train], fixed)
        pred[test] = _scores(params, [feats[i] for i in test])
    return pred


def collect(grader: Grader, items: Sequence[dict[str, Any]]) -> list[Grade | Signals | None]:
    bank = load_bank()
    order = sorted(range(len(items)), key=lambda i: str(items[i]["question_id"]))
    results: dict[int, Grade | Signals | None] = {}
    for n, i in enumerate(order, start=1):
        it = items[i]
        try:
            results[i] = grader.assess(bank.get(str(it["question_id"])), str(it["answer"]))
        except KeyError:  # --cached-only: not asked yet
            continue
        print(f"\r[{n}/{len(items)}] {it['question_id']} {it['kind']:<22}", end="", flush=True)
    print()
    return [results.get(i) for i in range(len(items))]


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--base-url", help="an OpenAI-compatible endpoint (default: embedded)")
    ap.add_argument("--out", type=Path, default=CALIBRATION_FILE)
    ap.add_argument("--every", type=int, default=1, help="every k-th calibration question")
    ap.add_argument(
        "--cached-only", action="store_true", help="use cached verdicts only (a quick look)"
    )
    ap.add_argument("--likelihood", action="store_true", help="fit the likelihood combiner")
    ap.add_argument(
        "--no-lexical", action="store_true", help="pin w_lexical to 0 in the chosen weights"
    )
    args = ap.parse_args(argv)
    settings = load_settings()
    items = [it for it in read_jsonl(CANDIDATES) if it["split"] == "calibration"]
    keep = sorted({str(it["question_id"]) for it in items})[:: args.every]
    items = [it for it in items if it["question_id"] in keep]
    with contextlib.ExitStack() as stack:
        llm = connect_llm(stack, args.base_url, settings)
        cache = VerdictCache(
            llm, settings.cache_dir / "eval-grader-point-verdicts.json", offline=args.cached_only
        )
        lcache = LoglikCache(
            llm, settings.cache_dir / "eval-grader-point-logliks.json", offline=args.cached_only
        )
        grader = Grader(llm, settings, ask=cache.ask, loglik=lcache.loglik)
        if args.likelihood:
            grader.calibration = grader.calibration.model_copy(
                update={"likelihood": GainWeights(bias=0.0, w_gain=1.0, w_lexical=0.0)}
            )
            stack.enter_context(mock.patch.object(llm, "has_prompt_logprobs", lambda: True))
        else:
            grader.calibration = grader.calibration.model_copy(update={"likelihood": None})
        assessed = collect(grader, items)
    model = [(i, a) for i, a in enumerate(assessed) if isinstance(a, Signals)]
    model_idx = [i for i, _ in model]
    feats = [_features(signals) for _, signals in model]
    labels = np.array([float(items[i]["label"]) for i in model_idx])
    groups = [str(items[i]["question_id"]) for i in model_idx]
    chosen: dict[int, float] = {2: 0.0} if args.no_lexical else {}
    params = fit(feats, labels, chosen)
    variants = {
        "chosen": chosen,
        "free (all three weights fitted)": {},
        "model only (w_lexical=0)": {2: 0.0},
        "lexical only (w_model=0)": {1: 0.0},
    }
    signal = "token coverage" if args.likelihood else "verdict"
    report: dict[str, Any] = {}
    for name, fixed in variants.items():
        p = fit(feats, labels, fixed)
        cv = cross_validate(feats, labels, groups, fixed)
        report[name] = {
            "params": p,
            "fit": figures(labels.astype(int).tolist(), _scores(p, feats).tolist()),
            "leave-one-question-out": figures(labels.astype(int).tolist(), cv.tolist()),
        }
        print(f"{name:28} {p}  fit {report[name]['fit']}")
        print(f"{'':28} LOQO {report[name]['leave-one-question-out']}")
    fitted = {
        "model": llm.model,
        "signal": signal,
        "commit": git_short_sha(),
        "data": "evals/grader/candidates.jsonl (split=calibration)",
        "items_model_graded": len(model_idx),
        "items": len(items),
        "questions": len(set(groups)),
        "objective": "least squares of 10·mean credit vs the label"
        + ("; w_lexical pinned to 0" if args.no_lexical else ""),
        "figures": report,
        "date": dt.date.today().isoformat(),
    }
    before = (
        Calibration.model_validate_json(args.out.read_text(encoding="utf-8"))
        if (args.out.is_file())
        else Calibration()
    )
    if args.likelihood:
        cal = before.model_copy(
            update={
                "likelihood": GainWeights(
                    bias=params[0], w_gain=params[1], w_lexical=params[2], fitted=fitted
                )
            }
        )
    else:
        cal = Calibration(
            bias=params[0], w_model=params[1], w_lexical=params[2], fitted=fitted,
            likelihood=before.likelihood,
        )  # fmt: skip
    args.out.write_text(
        json.dumps(cal.model_dump(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    print(f"wrote {args.out} ({signal}): bias {params[0]}, w {params[1]}, w_lexical {params[2]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
