"""How much an answer raises the model's likelihood of each key point.

The 1.5B model, asked "does the answer state this point? 是/否", says 是 to nearly any
on-topic answer, misconceptions included. Read as a language model instead it tells
them apart: after an answer that explains a point, the point's own words are much
more likely than after no answer, in whatever words or language the answer used;
after a fluent but wrong answer, a weak one or filler, barely more.

For key point *i* and an answer *a* (the prompt is ``prompts/grade_likelihood.md``:
the question, the answer, then "one point this answer got right:")::

    ll(a)_i = mean log P(point_i tokens | prompt(a))
    gain_i  = (ll(a)_i − ll(∅)_i) / max(ll(ref)_i − ll(∅)_i, MIN_SPAN)

∅ is no answer and *ref* the bank's reference answer, so 0 is "says nothing about
it" and 1 "as much as the reference answer". Both baselines depend only on the
question, are computed once (``Grader.warm`` does it while the candidate answers)
and kept per question, on disk too (``<cache dir>/likelihood-baselines/``). The
answer is read once: the points after it reuse its prefix on llama.cpp
(``agent/llm/prompt_scores.py`` on the embedded server).

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
from agent.llm.client import LLMClient
from agent.llm.errors import BadOutput
from agent.osutil import write_atomic
from agent.prompts import render

#: The smallest reference gain a point's scale is divided by (nats per token).
MIN_SPAN = 0.05
#: Gains are clipped to this range (a point the reference barely helps can swing).
GAIN_RANGE = (-1.0, 2.0)
#: Characters of the reference answer read for the upper baseline.
MAX_REFERENCE_CHARS = 1200
NO_ANSWER = "（没有回答）"


def head(entry: Entry, answer: str) -> str:
    """The prompt up to where a key point is scored."""
    return render("grade_likelihood", question=entry.question, answer=answer) + "\n"


def point_logprob(llm: LLMClient, prefix: str, point: str) -> float:
    """Mean logprob of the tokens of ``point`` read right after ``prefix``."""
    scored = llm.prompt_logprobs(prefix + point, score_from=len(prefix))
    values = [lp for at, lp in scored if at >= len(prefix) and lp is not None]
    if not values:
        raise BadOutput(f"the LLM endpoint {llm.shown_url} scored no token of the key point")
    return sum(values) / len(values)


def loglik(llm: LLMClient, entry: Entry, rubric: list[RubricPoint], answer: str) -> list[float]:
    """``ll(answer)_i`` for every key point; the points share the answer's prefix."""
    prefix = head(entry, answer)
    return [point_logprob(llm, prefix, p.point) for p in rubric]


LoglikFn = Callable[[Entry, list[RubricPoint], str], list[float]]


@dataclass(frozen=True)
class Baseline:
    empty: list[float]
    reference: list[float]


def baseline(loglik_of: LoglikFn, entry: Entry, rubric: list[RubricPoint]) -> Baseline:
    reference = (entry.reference_answer or "")[:MAX_REFERENCE_CHARS] or NO_ANSWER
    return Baseline(
        empty=loglik_of(entry, rubric, NO_ANSWER),
        reference=loglik_of(entry, rubric, reference),
    )


def relative(answer: list[float], base: Baseline) -> list[float]:
    """Each point's gain on the scale from no answer (0) to the reference (1), clipped."""
    low, high = GAIN_RANGE
    out = []
    for a, e, r in zip(answer, base.empty, base.reference, strict=True):
        g = (a - e) / max(r - e, MIN_SPAN)
        out.append(round(min(high, max(low, g)), 4))
    return out


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
             [p.point for p in rubric], MAX_REFERENCE_CHARS, NO_ANSWER],
            ensure_ascii=False,
        )  # fmt: skip
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:32]

    def _read(self, key: str) -> Baseline | None:
        if self.directory is None:
            return None
        try:
            data = json.loads((self.directory / f"{key}.json").read_text(encoding="utf-8"))
            return Baseline(empty=list(data["empty"]), reference=list(data["reference"]))
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

    def gains(self, entry: Entry, rubric: list[RubricPoint], answer: str) -> list[float]:
        """Each key point's relative gain for ``answer`` (see the module docstring)."""
        base = self.get(entry, rubric)
        return relative(self.loglik_of(entry, rubric, answer), base)
