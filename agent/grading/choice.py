"""Which statement does the answer make? A multiple-choice reading per key point.

The 1.5B model does not know the subject, so it cannot recall that FlashAttention is
exact; it can read. The bank hands it the knowledge: a key point may carry one or two
curated misconceptions (``RubricPoint.misconceptions``). For such a point the model is
shown the candidate's answer and the options — the point, each misconception, and
"the answer does not address this" — and asked which one the answer says
(``prompts/grade_choice.md``). The choice is read from the log-probabilities of the
option letters (``A``, ``B`` …), not sampled.

A small model prefers some letters whatever it reads, so every point is asked twice,
with the options in two orders (the point first, then a misconception first), and the
probabilities of each option are averaged over the two orders. A point is
**contradicted** when its likeliest misconception beats the point by at least ``margin``
and reaches ``threshold``; its credit is then 0 and the feedback names the
misconception. Both numbers are chosen on the calibration half of ``evals/grader/``
(``python -m evals.calibrate_choice``) and stored in ``calibration.json``.

Cost: the prompt shares its prefix (the question and the answer) with the likelihood
prompt, so llama.cpp reads the answer once; each order adds its options (~60 tokens)
and each further letter one token. Points the token coverage already calls missing are
not asked (a contradiction could not lower them).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from agent.bank import Entry, RubricPoint
from agent.grading.likelihood import PointScorer
from agent.prompts import render

LETTERS = "ABCD"
#: The last option: the answer says neither the point nor a misconception.
NEITHER = "回答没有谈到这一点"


@dataclass(frozen=True)
class Choice:
    """The reading of one key point: P(point), P(each misconception), P(neither)."""

    p_point: float
    p_misconceptions: tuple[float, ...]
    p_neither: float

    @property
    def p_wrong(self) -> float:
        """P of the likeliest misconception (a sum would grow with their number)."""
        return max(self.p_misconceptions, default=0.0)

    def contradicted(self, threshold: float, margin: float) -> int | None:
        """The index of the misconception the answer states, or None."""
        if not self.p_misconceptions:
            return None
        if self.p_wrong >= threshold and self.p_wrong - self.p_point >= margin:
            return max(range(len(self.p_misconceptions)), key=self.p_misconceptions.__getitem__)
        return None

    def to_list(self) -> list[float]:
        return [self.p_point, *self.p_misconceptions, self.p_neither]

    @classmethod
    def from_list(cls, values: list[float]) -> Choice:
        return cls(values[0], tuple(values[1:-1]), values[-1])


def prompt(entry: Entry, answer: str, options: list[str]) -> str:
    """The prompt up to where the model writes the letter of its choice."""
    lines = "\n".join(f"{LETTERS[k]}. {o}" for k, o in enumerate(options))
    return render("grade_choice", question=entry.question, answer=answer, options=lines) + "\n"


def orders(point: RubricPoint) -> list[list[int]]:
    """The two option orders, as indexes into ``[point, *misconceptions, neither]``:
    the point first, then the point moved behind the misconceptions ("neither" last)."""
    n = len(point.misconceptions)
    first = list(range(n + 2))
    second = [*range(1, n + 1), 0, n + 1]
    return [first, second]


def letter_probs(score: PointScorer, prefix: str, k: int) -> list[float]:
    """P of each of the first ``k`` letters as the next token after ``prefix``,
    normalised over them."""
    lps = []
    for letter in LETTERS[:k]:
        tokens = score(prefix, letter)
        lps.append(tokens[0][1] if tokens else -30.0)
    top = max(lps)
    weights = [math.exp(x - top) for x in lps]
    total = sum(weights)
    return [w / total for w in weights]


def read(score: PointScorer, entry: Entry, point: RubricPoint, answer: str) -> Choice:
    """The averaged two-order reading of one key point with misconceptions."""
    texts = [point.point, *point.misconceptions, NEITHER]
    sums = [0.0] * len(texts)
    for order in orders(point):
        probs = letter_probs(score, prompt(entry, answer, [texts[i] for i in order]), len(order))
        for slot, i in enumerate(order):
            sums[i] += probs[slot] / 2
    return Choice.from_list([round(x, 4) for x in sums])
