"""How much an answer raises the model's likelihood of each key point, token by token.

The 1.5B model, asked "does the answer state this point? 是/否", says 是 to nearly any
on-topic answer, misconceptions included. Read as a language model instead it tells
them apart: after an answer that explains a point, the point's own words are much
more likely than after no answer, in whatever words or language the answer used;
after a fluent but wrong answer, a weak one or filler, barely more.

For key point *i* the prompt is ``prompts/grade_likelihood.md`` (the question, an
answer, then "one point this answer got right:") and each token *t* of the point gets
its logprob three times: after the candidate's answer (``a_t``), after no answer
(``e_t``) and after the bank's reference answer (``r_t``). The point's signal is its
**token coverage**::

    distinctive_i = {t : r_t − e_t > DISTINCT}      (the reference makes t likelier)
    coverage_i    = |{t ∈ distinctive_i : a_t − e_t ≥ HALF · (r_t − e_t)}| / |distinctive_i|

the share of the tokens the reference makes likelier that the answer raises at least
half as much (with no distinctive token, the one the reference raises most). It replaced
the mean gain ``(ll(a) − ll(∅)) / (ll(ref) − ll(∅))`` on the calibration half (22
questions, leave one question out: QWK 0.779 → 0.806); on the held-out half it did a
little worse (0.814 → 0.793). README, Evaluations, has both and how it was chosen.

Both baselines depend only on the question, are computed once (``Grader.warm`` does it
while the candidate answers) and kept per question, on disk too
(``<cache dir>/likelihood-baselines/``). The answer is read once: the points after it
reuse its prefix on llama.cpp (``agent/llm/prompt_scores.py`` on the embedded server).

Needs an endpoint that returns a prompt's own logprobs (legacy completions with
``echo``: llama.cpp, vLLM); the grader falls back to the 是/否 verdicts without it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from agent.bank import Entry, RubricPoint
from agent.llm.errors import BadOutput
from agent.llm.protocol import LLM
from agent.osutil import write_atomic
from agent.prompts import render

#: A token is distinctive when the reference raises its logprob by more than this (nats).
DISTINCT = 0.3
#: An answer covers a distinctive token when it raises it by this share of the reference's raise.
HALF = 0.5
#: Characters of the reference answer read for the upper baseline.
MAX_REFERENCE_CHARS = 1200
NO_ANSWER = "（没有回答）"
#: Bumped when what a baseline holds changes (old files on disk are then not read).
FORMAT = "tokens-1"

#: One key point's tokens as read after a prompt: (character offset in the point, logprob).
PointTokens = list[tuple[int, float]]


def head(entry: Entry, answer: str) -> str:
    """The prompt up to where a key point is scored."""
    return render("grade_likelihood", question=entry.question, answer=answer) + "\n"


def point_tokens(llm: LLM, prefix: str, point: str) -> PointTokens:
    """The logprob of each token of ``point`` read right after ``prefix``."""
    scored = llm.prompt_logprobs(prefix + point, score_from=len(prefix))
    found = [(at - len(prefix), lp) for at, lp in scored if at >= len(prefix) and lp is not None]
    if not found:
        raise BadOutput(f"the LLM endpoint {llm.shown_url} scored no token of the key point")
    return found


#: Scores one key point after a prompt head: ``(prefix, point) -> PointTokens``.
PointScorer = Callable[[str, str], PointTokens]


def loglik(
    llm: LLM,
    entry: Entry,
    rubric: list[RubricPoint],
    answer: str,
    score: PointScorer | None = None,
) -> list[PointTokens]:
    """Every key point's token logprobs after ``answer``; the points share its prefix.
    ``score`` replaces ``point_tokens`` (the evals put a disk cache in front of it)."""
    prefix = head(entry, answer)
    scorer = score or (lambda pre, point: point_tokens(llm, pre, point))
    return [scorer(prefix, p.point) for p in rubric]


LoglikFn = Callable[[Entry, list[RubricPoint], str], list[PointTokens]]


@dataclass(frozen=True)
class Baseline:
    empty: list[PointTokens]
    reference: list[PointTokens]


def baseline(loglik_of: LoglikFn, entry: Entry, rubric: list[RubricPoint]) -> Baseline:
    reference = (entry.reference_answer or "")[:MAX_REFERENCE_CHARS] or NO_ANSWER
    return Baseline(
        empty=loglik_of(entry, rubric, NO_ANSWER),
        reference=loglik_of(entry, rubric, reference),
    )


def token_coverage(answer: PointTokens, empty: PointTokens, reference: PointTokens) -> float:
    """The share of the point's distinctive tokens the answer makes likely (see the
    module docstring); tokens are matched by their offset in the point."""
    e, r = dict(empty), dict(reference)
    pairs = [(lp - e[at], r[at] - e[at]) for at, lp in answer if at in e and at in r]
    if not pairs:
        raise BadOutput("the key point was tokenized differently after the answer")
    distinct = [(d, s) for d, s in pairs if s > DISTINCT]
    if not distinct:
        top = max(s for _, s in pairs)
        distinct = [(d, s) for d, s in pairs if s == top]
    return round(sum(d >= HALF * s for d, s in distinct) / len(distinct), 4)


def coverage(answer: list[PointTokens], base: Baseline) -> list[float]:
    """Each key point's token coverage for one answer."""
    return [
        token_coverage(a, e, r) for a, e, r in zip(answer, base.empty, base.reference, strict=True)
    ]


def _tokens(rows: object) -> list[PointTokens]:
    """Baseline rows read back from JSON, checked."""
    if not isinstance(rows, list):
        raise TypeError("not a list")
    return [[(int(at), float(lp)) for at, lp in row] for row in rows]


class Baselines:
    """Per-question baselines, computed once per model, question and rubric: kept in
    memory (bounded) and, with ``directory``, on disk (one small JSON file each), so
    a question met in an earlier session costs nothing."""

    def __init__(
        self,
        loglik_of: LoglikFn,
        *,
        model: Callable[[], str] = lambda: "",
        directory: Path | None = None,
        size: int = 256,
    ) -> None:
        self.loglik_of = loglik_of
        self.model = model
        self.directory = directory
        self._lock = threading.Lock()
        self._done: OrderedDict[str, Baseline] = OrderedDict()
        self.size = size

    def _key(self, entry: Entry, rubric: list[RubricPoint]) -> str:
        blob = json.dumps(
            [self.model(), head(entry, "$answer"), entry.reference_answer or "",
             [p.point for p in rubric], MAX_REFERENCE_CHARS, NO_ANSWER, FORMAT],
            ensure_ascii=False,
        )  # fmt: skip
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:32]

    def _read(self, key: str) -> Baseline | None:
        if self.directory is None:
            return None
        try:
            data = json.loads((self.directory / f"{key}.json").read_text(encoding="utf-8"))
            return Baseline(empty=_tokens(data["empty"]), reference=_tokens(data["reference"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None  # absent or unreadable: computed again

    def get(self, entry: Entry, rubric: list[RubricPoint]) -> Baseline:
        key = self._key(entry, rubric)
        with self._lock:
            found = self._done.get(key)
        if found is None or len(found.empty) != len(rubric):
            found = self._read(key)
            if found is None or len(found.empty) != len(rubric):
                found = baseline(self.loglik_of, entry, rubric)
                if self.directory is not None:
                    with contextlib.suppress(OSError):  # a cache: never fails a grade
                        write_atomic(
                            self.directory / f"{key}.json",
                            json.dumps({"empty": found.empty, "reference": found.reference}),
                        )
            with self._lock:
                self._done[key] = found
                while len(self._done) > self.size:
                    self._done.popitem(last=False)
        return found

    def coverage(self, entry: Entry, rubric: list[RubricPoint], answer: str) -> list[float]:
        """Each key point's token coverage for ``answer`` (see the module docstring)."""
        base = self.get(entry, rubric)
        return coverage(self.loglik_of(entry, rubric, answer), base)
