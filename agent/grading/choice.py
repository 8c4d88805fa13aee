"""Which statement does the answer make? A multiple-choice reading per key point.

The 1.5B model does not know the subject, so it cannot recall that FlashAttention is
exact; it can read. The bank hands it the knowledge: each key point may carry one or two
curated misconceptions (``RubricPoint.misconceptions``). Per point the options are the
point, each misconception and "neither", and the model's choice is read from token
log-probabilities the way language-model evaluations score multiple choice: each
option's tokens are scored after the candidate's answer and after no answer (the same
prompt and cached prefix as ``likelihood.py``), and the option's score is its mean
pointwise mutual information with the answer,

    pmi(o) = mean_t [ log p(t | answer) − log p(t | no answer) ]      (nats per token)

— how much more likely the answer makes that statement. "Neither" has pmi 0 (the answer
raises no option). The choice is a softmax over the options' scores::

    P(o) = exp(β·pmi(o)) / Σ_o' exp(β·pmi(o'))

A point is **contradicted** when its misconceptions together are the likelier reading
(``P(misconceptions) > P(point)``) and at least ``threshold``; its credit is then 0 and
the feedback names the misconception. β and the threshold are fitted on the calibration
half of ``evals/grader/`` (``evals/calibrate_grader.py --choice``) and stored in
``calibration.json``.

Cost: the answer is already read for token coverage; a misconception adds only its own
tokens after the cached prefix (about 15 each), and its no-answer baseline is computed
once per question (``Baselines``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from agent.bank import RubricPoint
from agent.grading.likelihood import PointTokens


def pmi(answer: PointTokens, empty: PointTokens) -> float:
    """Mean per-token log-likelihood gain of a statement after the answer (nats)."""
    e = dict(empty)
    deltas = [lp - e[at] for at, lp in answer if at in e]
    return sum(deltas) / len(deltas) if deltas else 0.0


@dataclass(frozen=True)
class Choice:
    """The reading of one key point: P(point), P(each misconception), P(neither)."""

    p_point: float
    p_misconceptions: tuple[float, ...]
    p_neither: float

    @property
    def p_wrong(self) -> float:
        return sum(self.p_misconceptions)

    def contradicted(self, threshold: float) -> int | None:
        """The index of the misconception the answer states, or None."""
        if not self.p_misconceptions:
            return None
        if self.p_wrong >= threshold and self.p_wrong > self.p_point:
            return max(range(len(self.p_misconceptions)), key=self.p_misconceptions.__getitem__)
        return None


def read(point_pmi: float, misconception_pmis: list[float], beta: float) -> Choice:
    """The softmax reading over (point, misconceptions…, neither)."""
    logits = [beta * point_pmi, *(beta * m for m in misconception_pmis), 0.0]
    top = max(logits)
    weights = [math.exp(x - top) for x in logits]
    total = sum(weights)
    probs = [w / total for w in weights]
    return Choice(
        p_point=round(probs[0], 4),
        p_misconceptions=tuple(round(p, 4) for p in probs[1:-1]),
        p_neither=round(probs[-1], 4),
    )


def statements(rubric: list[RubricPoint]) -> tuple[list[RubricPoint], list[tuple[int, int]]]:
    """The misconceptions of a rubric as statements to score (one ``RubricPoint`` each)
    and, for each, ``(point index, misconception index)``."""
    out: list[RubricPoint] = []
    where: list[tuple[int, int]] = []
    for i, p in enumerate(rubric):
        for k, m in enumerate(p.misconceptions):
            out.append(RubricPoint(point=m))
            where.append((i, k))
    return out, where


def readings(
    rubric: list[RubricPoint],
    point_pmis: list[float],
    misconception_pmis: list[float],
    where: list[tuple[int, int]],
    beta: float,
) -> list[Choice | None]:
    """Each point's reading (None for a point without misconceptions)."""
    per_point: dict[int, list[float]] = {}
    for (i, _k), value in zip(where, misconception_pmis, strict=True):
        per_point.setdefault(i, []).append(value)
    return [
        read(point_pmis[i], per_point[i], beta) if i in per_point else None
        for i in range(len(rubric))
    ]
