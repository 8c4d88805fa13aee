"""From per-point signals to verdicts and a 0–10 score (the documented formula).

For key point *i* the grader has, read off the same view of the answer
(``AnswerView.model_text``), a model signal and a lexical one:

- ``gain_i``: the point's token coverage, the share of its distinctive tokens (those
  the bank's reference answer makes likely) that the answer makes likely too, 0–1
  (``likelihood.py``), where the endpoint scores a prompt's own tokens; otherwise
- ``p_i``: the model's P(是)/(P(是)+P(否)) for "does the answer state this point?"
  (a sampled verdict gives 0 or 1);
- ``lex_i``: the point's lexical coverage, glossary-aware (``lexical.point_coverage``).

A learned logistic combiner turns them into a credit in [0, 1]::

    credit_i = σ(bias + w_gain · gain_i + w_lexical · lex_i)        (likelihood)
    credit_i = σ(bias + w_model · logit(p_i) + w_lexical · lex_i)   (verdicts)
    score    = 10 · Σ wᵢ·creditᵢ / Σ wᵢ        (rounded to 0.1)

``covered`` at credit ≥ 0.75, ``partial`` at ≥ 0.25, else ``missing``; ``confidence``
is the credit for covered, 1 − credit for missing and 1 − |2·credit − 1| for partial.

Both sets of weights are fitted by ``evals/calibrate_grader.py`` (``--likelihood``
for the first) on the calibration half of ``evals/grader/candidates.jsonl`` (answers
written without the reference at hand, split by question; least squares on the
labels, cross-validated by question) and stored with the measured figures in
``calibration.json``. The held-out half never drives them. Pre-checked answers never
reach this formula.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from agent.grading.models import Verdict

CALIBRATION_FILE = Path(__file__).resolve().parent / "calibration.json"

COVERED_CREDIT = 0.75
PARTIAL_CREDIT = 0.25
#: P(是) is clipped to this range before the logit (a sampled 0/1 stays finite).
P_CLIP = 0.02


def logit(p: float) -> float:
    p = min(1.0 - P_CLIP, max(P_CLIP, p))
    return math.log(p / (1.0 - p))


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))


class GainWeights(BaseModel):
    """The combiner for the likelihood signal, token coverage (``likelihood.py``)."""

    bias: float
    w_gain: float
    w_lexical: float
    fitted: dict[str, Any] = Field(default_factory=dict)

    def credit(self, gain: float, lexical: float) -> float:
        return sigmoid(self.bias + self.w_gain * gain + self.w_lexical * lexical)


class ChoiceWeights(BaseModel):
    """The multiple-choice reading of misconceptions (``choice.py``): a point is
    contradicted when its likeliest misconception's P ≥ ``threshold`` and exceeds
    P(point) by ``margin``."""

    threshold: float = 0.4
    margin: float = 0.05
    fitted: dict[str, Any] = Field(default_factory=dict)


class Calibration(BaseModel):
    bias: float = -6.0
    w_model: float = 3.0
    w_lexical: float = 2.0
    #: what the weights were fitted on and how well they agreed (informational)
    fitted: dict[str, Any] = Field(default_factory=dict)
    #: weights for token coverage (likelihood); None: this model grades by 是/否 verdicts
    likelihood: GainWeights | None = None
    #: the misconception reading; None: misconceptions are not read (design before #28)
    choice: ChoiceWeights | None = None

    def credit(self, p: float, lexical: float) -> float:
        return sigmoid(self.bias + self.w_model * logit(p) + self.w_lexical * lexical)


@functools.cache
def _load(path: Path) -> Calibration:
    if not path.is_file():
        return Calibration()
    return Calibration.model_validate(json.loads(path.read_text(encoding="utf-8")))


def load_calibration(path: Path | None = None) -> Calibration:
    """The fitted weights (defaults when the file is missing)."""
    return _load((path or CALIBRATION_FILE).resolve())


def verdict_for(credit: float) -> Verdict:
    if credit >= COVERED_CREDIT:
        return "covered"
    if credit >= PARTIAL_CREDIT:
        return "partial"
    return "missing"


def confidence_for(credit: float, verdict: Verdict) -> float:
    if verdict == "covered":
        return round(credit, 3)
    if verdict == "missing":
        return round(1.0 - credit, 3)
    return round(1.0 - abs(2.0 * credit - 1.0), 3)


def score(credits: Sequence[float], weights: Sequence[float]) -> float:
    """10 × the weighted mean credit, rounded to one decimal."""
    total = sum(weights)
    if not credits or total <= 0:
        return 0.0
    return round(10.0 * sum(c * w for c, w in zip(credits, weights, strict=True)) / total, 1)
