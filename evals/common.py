"""What the evals share: the repo's paths, the commit, JSONL I/O, agreement figures
and where a result is written."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

# scipy and scikit-learn (the ``eval`` extra) are imported where a figure is computed:
# `mianshi --help` and every product command load this module's neighbours without them.

REPO = Path(__file__).resolve().parents[1]
RESULTS_DIR = REPO / "evals" / "results"


def git_short_sha() -> str:
    """The checkout's short commit id, or ``nogit``."""
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
        )
        return out.stdout.strip() or "nogit"
    except OSError:
        return "nogit"


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """One JSON object per non-blank line."""
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    """One JSON object per line, UTF-8 as is."""
    with path.open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


def save_result(result: dict[str, Any], name: str, results_dir: Path = RESULTS_DIR) -> Path:
    """Write ``result`` as ``<results_dir>/<name>.json`` (UTF-8, indented)."""
    path = results_dir / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return path


def percentile(values: Sequence[float], q: float) -> float:
    """The nearest-rank ``q`` quantile (0–1) of ``values`` (not empty): what the
    benchmarks print as p50 / p90 / p95."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


# --------------------------------------------------------------------------- agreement


def rounded(scores: Sequence[float] | np.ndarray) -> np.ndarray:
    return np.clip(np.rint(np.asarray(scores, dtype=float)), 0, 10).astype(int)


def qwk(labels: Sequence[int], scores: Sequence[float]) -> float:
    """Quadratic weighted kappa of the rounded scores with the labels (0–10)."""
    y = np.asarray(labels, dtype=int)
    r = rounded(scores)
    if len(y) == 0:
        return float("nan")
    if len(set(y.tolist()) | set(r.tolist())) < 2:
        return 1.0 if np.array_equal(y, r) else 0.0
    from sklearn.metrics import cohen_kappa_score

    value = cohen_kappa_score(y, r, weights="quadratic", labels=list(range(11)))
    return float(value)


def figures(labels: Sequence[int], scores: Sequence[float]) -> dict[str, float | int]:
    """QWK, Spearman, exact / ±1 agreement (rounded), MAE and mean bias (score − label)."""
    y = np.asarray(labels, dtype=float)
    s = np.asarray(scores, dtype=float)
    if len(y) == 0:
        return {"n": 0}
    r = rounded(s)
    from scipy.stats import spearmanr

    rho = float(spearmanr(y, s).statistic) if len(y) > 1 and np.ptp(y) and np.ptp(s) else 0.0
    return {
        "n": len(y),
        "qwk": round(qwk(y.astype(int).tolist(), s.tolist()), 3),
        "spearman": round(rho, 3),
        "exact": round(float(np.mean(r == y)), 3),
        "within1": round(float(np.mean(np.abs(r - y) <= 1)), 3),
        "mae": round(float(np.mean(np.abs(s - y))), 2),
        "bias": round(float(np.mean(s - y)), 2),
    }
