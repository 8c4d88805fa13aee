"""The embedded model server: llama-cpp-python's own (``python -m agent.llm.serve``
takes its arguments), with two costs of its logprobs cut for how Mianshi asks.

Grading asks for the top logprobs of each generated token, streamed. For that,
llama-cpp-python (0.3.x) needs ``logits_all``, and then:

1. every prompt batch computes the logits of every row (the 152k-word output layer
   for each prompt token) and copies them out, though a streamed reply reads only
   the prompt's last row and the rows of the tokens it generates;
2. for each generated token, Python sorts all 152k (logprob, token) pairs to take the
   top few (about 0.18 s a token on this 2-core machine).

Patched here: a batch computes only its last row, written where the reply reads it
(``eval_rows``), and the sort is numpy's, in the same order (``sorted_pairs``).
A request for the prompt's own logprobs (``echo``, the grader's key-point
likelihoods) is answered by ``prompt_scores``, which evaluates with every row and
knows which rows it may read; with ``mianshi_score_from`` (a request field added
here, ``accept_score_from``) only the rows from that character offset on. All are
checked against the unpatched library in ``tests/integration/test_serve.py``.
"""

from __future__ import annotations

import builtins
import contextlib
import sys
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, cast

import numpy as np

from agent.llm.prompt_scores import SCORE_FROM, Scores, completion, wants_scores


def eval_rows(self: Any, tokens: Sequence[int], *, rows_from: int | None = None) -> None:
    """``Llama.eval`` (llama-cpp-python 0.3.x) with each batch's logits for its last
    row only, and for every row at or after position ``rows_from`` when given."""
    self._ctx.kv_cache_seq_rm(-1, self.n_tokens, -1)
    scores = Scores.of(self)
    for i in range(0, len(tokens), self.n_batch):
        batch = tokens[i : min(len(tokens), i + self.n_batch)]
        n_past = self.n_tokens
        n_tokens = len(batch)
        self._batch.set_batch(batch=batch, n_past=n_past, logits_all=False)
        out = [n_tokens - 1]
        if rows_from is not None:
            out = list(range(min(max(rows_from - n_past, 0), n_tokens - 1), n_tokens))
            for j in out:
                self._batch.batch.logits[j] = True
        self._ctx.decode(self._batch)
        self.input_ids[n_past : n_past + n_tokens] = batch
        if self._logits_all:
            rows = np.ctypeslib.as_array(self._ctx.get_logits(), shape=(len(out), self._n_vocab))
            self.scores[n_past + out[0] : n_past + n_tokens, :] = rows
        scores.evaluated(n_past, batch, all_rows=False, rows_from=rows_from)
        self.n_tokens += n_tokens
        self._requires_eval = False


def sorted_pairs(iterable: Iterable[Any], *, key: Any = None, reverse: bool = False) -> list[Any]:
    """``sorted`` for llama.py: ``zip(logprobs, range(n))`` in descending order by numpy
    (ties: the higher index first, as tuples compare); anything else as builtins'."""
    if key is None and reverse and isinstance(iterable, zip):
        try:  # the zip's own iterators, untouched: a list's and a range's, from 0
            reduced: Any = iterable.__reduce__()  # (zip, (iterators…))
            values_it, index_it = reduced[1]
            _, (values,), at_value = values_it.__reduce__()  # (iter, (list,), position)
            _, (index,), at_index = index_it.__reduce__()
        except (TypeError, ValueError):
            return builtins.sorted(iterable, reverse=True)
        fresh = at_value == at_index == 0 and isinstance(values, list)
        if fresh and isinstance(index, range) and index == range(len(values)):
            array = np.asarray(values, dtype=np.float64)
            if array.ndim == 1 and not np.isnan(array).any():
                order = np.lexsort((np.arange(len(array)), array))[::-1]
                return list(zip(array[order].tolist(), order.tolist(), strict=True))
    return builtins.sorted(iterable, key=key, reverse=reverse)


@contextlib.contextmanager
def patched() -> Iterator[None]:
    """In this block, llama-cpp-python (in this process) is patched."""
    import llama_cpp.llama as module

    before = module.Llama.eval
    before_completion = module.Llama.create_completion
    before_call = module.Llama.__call__

    def scored(original: Any) -> Any:
        def method(self: Any, *args: Any, **kwargs: Any) -> Any:
            score_from = kwargs.pop(SCORE_FROM, None)  # the server passes it to each
            if not args and wants_scores(kwargs):
                return completion(
                    self, kwargs["prompt"], kwargs.get("model"), before,
                    score_from=score_from, rows_eval=eval_rows,
                )  # fmt: skip
            return original(self, *args, **kwargs)

        return method

    with (
        replaced(
            module.Llama,
            eval=eval_rows,
            create_completion=scored(before_completion),
            __call__=scored(before_call),
        ),
        replaced(module, sorted=sorted_pairs),
    ):
        yield


_ABSENT = object()


@contextlib.contextmanager
def replaced(owner: object, **values: Any) -> Iterator[None]:
    """In this block, ``owner``'s attributes named in ``values`` are those values; after
    it, what they were (one that ``owner`` did not have itself is removed again).
    Set by name, as a patch of a third-party class or module must be: its methods and
    globals are not assignable as far as the type checker knows."""
    before = {name: vars(owner).get(name, _ABSENT) for name in values}
    for name, value in values.items():
        setattr(owner, name, value)
    try:
        yield
    finally:
        for name, value in before.items():
            if value is _ABSENT:
                delattr(owner, name)
            else:
                setattr(owner, name, value)


def accept_score_from() -> None:
    """Let the server's completion requests carry ``mianshi_score_from`` (the character
    offset from which an echo request's logprobs are wanted; the grader's key point):
    its request model, extended before the app module reads it."""
    import llama_cpp.server.types as types
    from pydantic import Field

    if SCORE_FROM in types.CreateCompletionRequest.model_fields:
        return

    class Request(types.CreateCompletionRequest):
        mianshi_score_from: int | None = Field(default=None, ge=0)

    Request.__name__ = "CreateCompletionRequest"
    # the module's class replaced for good (a class is not assignable to the checker)
    cast(Any, types).CreateCompletionRequest = Request


def main() -> None:
    accept_score_from()  # before llama_cpp.server.app is imported
    from llama_cpp.server.__main__ import main as serve

    sys.argv[0] = "llama_cpp.server"
    with patched():
        serve()


if __name__ == "__main__":
    main()
