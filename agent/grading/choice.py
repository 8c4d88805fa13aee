"""Which statement does the answer make? A multiple-choice reading per key point.

The 1.5B model does not know the subject, so it cannot recall that FlashAttention is
exact; it can read. The bank hands it the knowledge: a key point may carry one or two
curated misconceptions (``RubricPoint.misconceptions``). For such a point the model is
shown the candidate's answer and the options — ``A.`` the point, then each
misconception, then "the answer does not address this" — and asked which one the
answer says (``prompts/grade_choice.md``). The choice is read from the log-probabilities
of the option letters, not sampled.

A small model prefers some options whatever it reads (a letter, a wording). So the
reading is calibrated the way "Calibrate Before Use" (Zhao et al., 2021) calibrates
few-shot choices: the same prompt with no answer gives each option's prior, once per
question (``Grader.warm`` computes it while the candidate answers), and the reading is
``P(option | answer) / P(option | no answer)``, renormalised. A point is
**contradicted** when its likeliest misconception reaches ``threshold`` and beats the
point by ``margin``; its credit is then 0 and the feedback names the misconception.
Both numbers are chosen on the calibration half of ``evals/grader/``
(``python -m evals.calibrate_choice``) and stored in ``calibration.json``.

Cost: the prompt shares its prefix (the question and the answer) with the likelihood
prompt, so llama.cpp reads the answer once; a point adds its options (~60 tokens) and
one scoring request per letter (one token each). Points the token coverage already
calls missing are not asked (a contradiction could not lower them).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from agent.bank import Entry, RubricPoint
from agent.grading.likelihood import NO_ANSWER, PointScorer
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


def prompt(entry: Entry, answer: str, texts: list[str]) -> str:
    """The prompt up to where the model writes the letter of its choice."""
    lines = "\n".join(f"{LETTERS[k]}. {o}" for k, o in enumerate(texts))
    return render("grade_choice", question=entry.question, answer=answer, options=lines) + "\n"


def options(point: RubricPoint) -> list[str]:
    """``[point, *misconceptions, neither]``, in the order the model sees them."""
    return [point.point, *point.misconceptions, NEITHER]


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


def prior(score: PointScorer, entry: Entry, point: RubricPoint) -> list[float]:
    """Each option's probability with no answer: what the model prefers unread."""
    texts = options(point)
    return letter_probs(score, prompt(entry, NO_ANSWER, texts), len(texts))


def read(
    score: PointScorer, entry: Entry, point: RubricPoint, answer: str, base: list[float]
) -> Choice:
    """The calibrated reading of one key point with misconceptions; ``base`` is its
    ``prior``."""
    texts = options(point)
    probs = letter_probs(score, prompt(entry, answer, texts), len(texts))
    ratios = [p / max(b, 1e-6) for p, b in zip(probs, base, strict=True)]
    total = sum(ratios)
    return Choice.from_list([round(r / total, 4) for r in ratios])
