"""Scoring a prompt on the embedded server: the logprob of each of its tokens.

An OpenAI-style completion request with ``echo`` and ``logprobs`` (and at most one
new token) returns the prompt's own tokens with their logprobs; the grader uses it
for the likelihood of a key point after an answer (``agent/grading/likelihood.py``).

llama-cpp-python (0.3.x) answers it slowly and, under ``serve.eval_rows``,
wrongly: it takes the log-softmax of every prompt row and sorts all 152k logprobs of
each row in Python (seconds for a few hundred tokens), and the rows it reads were no
longer all computed. Here instead:

- the prompt is evaluated with every row's logits (the library's own ``eval``), from
  the longest prefix whose logprobs are already known, so the points asked after one
  answer pay only for their own tokens;
- with ``mianshi_score_from`` (the grader's key point starts there) the tokens before
  it are evaluated in the same batches without their rows of logits, and come back
  with a null logprob unless already known;
- each token's logprob is kept (``Scores``, with the tokens it was computed for)
  until the context changes at or before it; a row computed without its logits
  (another request's prompt) is never read.

The reply is the prompt with ``tokens``, ``text_offset`` (characters, special tokens
included, so offsets index the prompt as sent) and ``token_logprobs`` (None for the
first token); no token is generated.
"""

from __future__ import annotations

import bisect
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

#: The request field (Mianshi's own) naming the character offset from which an echo
#: request's logprobs are wanted; the tokens before it are evaluated without rows.
SCORE_FROM = "mianshi_score_from"


@dataclass
class Scores:
    """Per position of the context: the token evaluated there (-1: none), is its
    row of logits computed, and the logprob of its token given what precedes it
    (NaN: not known)."""

    ids: np.ndarray
    row_ok: np.ndarray
    logprob: np.ndarray

    @classmethod
    def empty(cls, n: int) -> Scores:
        return cls(np.full(n, -1, dtype=np.int64), np.zeros(n, dtype=bool), np.full(n, np.nan))

    @classmethod
    def of(cls, llama: Any) -> Scores:
        found = getattr(llama, "_mianshi_scores", None)
        if found is None:
            found = cls.empty(llama.n_ctx())
            llama._mianshi_scores = found
        return found

    def evaluated(
        self, start: int, tokens: Sequence[int], *, all_rows: bool, rows_from: int | None = None
    ) -> None:
        """``tokens`` were just evaluated from position ``start`` with the logits of
        every row (``all_rows``), or of the last row and those at or after position
        ``rows_from``; all after is gone."""
        stop = start + len(tokens)
        self.ids[start:] = -1
        self.ids[start:stop] = tokens
        self.row_ok[start:] = False
        self.logprob[start:] = np.nan
        if all_rows:
            self.row_ok[start:stop] = True
        elif stop > start:
            self.row_ok[stop - 1] = True
            if rows_from is not None:
                self.row_ok[max(start, rows_from) : stop] = True

    def common(self, tokens: Sequence[int]) -> int:
        """How many leading ``tokens`` are the ones these scores were computed for."""
        return common_prefix(self.ids, tokens)


def common_prefix(a: Sequence[int] | np.ndarray, b: Sequence[int] | np.ndarray) -> int:
    """The length of the longest common prefix of two token sequences."""
    n = min(len(a), len(b))
    differ = np.flatnonzero(np.asarray(a[:n], dtype=np.int64) != np.asarray(b[:n], dtype=np.int64))
    return int(differ[0]) if differ.size else n


def resume_at(scores: Scores, common: int, n: int, need: int = 1) -> int:
    """Where to start evaluating a prompt of ``n`` tokens whose first ``common`` tokens
    are in the context, when the logprobs of tokens ``need`` onwards are wanted: every
    wanted token before it must have a known logprob, and if it is itself wanted, the
    row before it must be computed (it gives that token's logprob)."""
    start = min(common, n)
    low = max(need, 1)
    unknown = np.flatnonzero(np.isnan(scores.logprob[low:start]))
    if unknown.size:
        start = low + int(unknown[0]) - 1  # the row before the first unknown logprob
    if start == n and n > 0:
        return n  # all known: nothing to evaluate
    if start >= low and not scores.row_ok[start - 1]:
        start -= 1
    return start


def row_logprobs(rows: np.ndarray, tokens: np.ndarray) -> np.ndarray:
    """log softmax(row)[token] for each row and its next token.

    Row by row in the rows' own float32, summed in float64: a whole block cast to
    float64 (hundreds of rows × 152k) cost 0.5–1.5 s per 300 rows, this ~0.13 s,
    within 1e-7 of it."""
    top = rows.max(axis=1)
    out = np.empty(len(tokens), dtype=np.float64)
    for i, token in enumerate(tokens):
        total = np.exp(rows[i] - top[i]).sum(dtype=np.float64)
        out[i] = float(rows[i, token]) - (float(top[i]) + float(np.log(total)))
    return out


def score(
    llama: Any, tokens: list[int], full_eval: Any, *, need: int = 1, rows_eval: Any = None
) -> list[float]:
    """The logprob of each of the prompt's tokens (NaN where not known), evaluated
    with ``full_eval`` (the library's ``Llama.eval``, every row's logits); with
    ``need`` > 1 only the tokens from index ``need`` on are scored, and the ones
    before are evaluated by ``rows_eval`` (``serve.eval_rows``: in the same batches,
    without their rows of logits)."""
    if len(tokens) > llama.n_ctx():
        raise ValueError(
            f"Requested tokens ({len(tokens)}) exceed context window of {llama.n_ctx()}"
        )
    scores = Scores.of(llama)
    common = min(
        common_prefix(llama.input_ids[: llama.n_tokens], tokens),
        scores.common(tokens),  # a restored state is not trusted
    )
    start = resume_at(scores, common, len(tokens), need)
    if start < len(tokens):
        llama.n_tokens = start
        if rows_eval is not None and need - 1 > start:
            rows_eval(llama, tokens[start:], rows_from=need - 1)
        else:
            full_eval(llama, tokens[start:])
            scores.evaluated(start, tokens[start:], all_rows=True)
        at = np.arange(max(start, 1), len(tokens))
        at = at[scores.row_ok[at - 1]]
        if at.size:
            rows = llama.scores[at - 1]
            ids = np.asarray(tokens, dtype=np.int64)[at]
            scores.logprob[at] = row_logprobs(rows, ids)
    return scores.logprob[: len(tokens)].tolist()


def completion(
    llama: Any,
    prompt: str,
    model: str | None,
    full_eval: Any,
    *,
    score_from: int | None = None,
    rows_eval: Any = None,
) -> dict[str, Any]:
    """The OpenAI completion object for an echo-and-logprobs request. With
    ``score_from`` (a character offset: the ``mianshi_score_from`` field, Mianshi's own
    extension) the tokens that start before it may come back with a null logprob."""
    tokens = llama.tokenize(prompt.encode("utf-8"), special=True)
    pieces = [llama.detokenize([t], special=True) for t in tokens]
    strs, offsets, done = [], [], b""
    for piece in pieces:
        offsets.append(len(done.decode("utf-8", errors="ignore")))
        strs.append(piece.decode("utf-8", errors="ignore"))
        done += piece
    need = max(1, bisect.bisect_left(offsets, score_from)) if score_from else 1
    values = score(llama, tokens, full_eval, need=need, rows_eval=rows_eval)
    token_logprobs: list[float | None] = [None if np.isnan(v) else v for v in values]
    if token_logprobs:
        token_logprobs[0] = None
    top = [None if lp is None else {s: lp} for s, lp in zip(strs, token_logprobs, strict=True)]
    return {
        "id": f"cmpl-{uuid.uuid4()}",
        "object": "text_completion",
        "created": int(time.time()),
        "model": model or llama.model_path,
        "choices": [
            {
                "text": prompt,
                "index": 0,
                "logprobs": {
                    "tokens": strs,
                    "text_offset": offsets,
                    "token_logprobs": token_logprobs,
                    "top_logprobs": top,
                },
                "finish_reason": "length",
            }
        ],
        "usage": {
            "prompt_tokens": len(tokens),
            "completion_tokens": 0,
            "total_tokens": len(tokens),
        },
    }


def wants_scores(kwargs: dict[str, Any]) -> bool:
    """A request for the prompt's own logprobs and (at most) one new token."""
    return bool(
        kwargs.get("echo")
        and kwargs.get("logprobs") is not None
        and not kwargs.get("stream")
        and not kwargs.get("suffix")
        and (kwargs.get("max_tokens") or 0) <= 1
        and isinstance(kwargs.get("prompt"), str)
    )
