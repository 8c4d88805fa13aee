"""Scoring a prompt on the embedded server: the logprob of each of its tokens.

An OpenAI-style completion request with ``echo`` and ``logprobs`` (and at most one
new token) returns the prompt's own tokens with their logprobs; the grader uses it
for the likelihood of a key point after an answer (``agent/grading/likelihood.py``).

llama-cpp-python (0.3.x) answers it slowly and, under ``serve.eval_last_rows``,
wrongly: it takes the log-softmax of every prompt row and sorts all 152k logprobs of
each row in Python (seconds for a few hundred tokens), and the rows it reads were no
longer all computed. Here instead:

- the prompt is evaluated with every row's logits (the library's own ``eval``), from
  the longest prefix whose logprobs are already known, so the points asked after one
  answer pay only for their own tokens;
- each token's logprob is kept (``Scores``, with the tokens it was computed for)
  until the context changes at or before it; a row computed without its logits
  (another request's prompt) is never read.

The reply is the prompt with ``tokens``, ``text_offset`` (characters, special tokens
included, so offsets index the prompt as sent) and ``token_logprobs`` (None for the
first token); no token is generated.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np


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

    def evaluated(self, start: int, tokens: Sequence[int], *, all_rows: bool) -> None:
        """``tokens`` were just evaluated from position ``start``; all after is gone."""
        stop = start + len(tokens)
        self.ids[start:] = -1
        self.ids[start:stop] = tokens
        self.row_ok[start:] = False
        self.logprob[start:] = np.nan
        if all_rows:
            self.row_ok[start:stop] = True
        elif stop > start:
            self.row_ok[stop - 1] = True

    def common(self, tokens: Sequence[int]) -> int:
        """How many leading ``tokens`` are the ones these scores were computed for."""
        return common_prefix(self.ids, tokens)


def common_prefix(a: Sequence[int] | np.ndarray, b: Sequence[int] | np.ndarray) -> int:
    """The length of the longest common prefix of two token sequences."""
    n = min(len(a), len(b))
    differ = np.flatnonzero(np.asarray(a[:n], dtype=np.int64) != np.asarray(b[:n], dtype=np.int64))
    return int(differ[0]) if differ.size else n


def resume_at(scores: Scores, common: int, n: int) -> int:
    """Where to start evaluating a prompt of ``n`` tokens whose first ``common`` tokens
    are in the context: every token before it must have a known logprob, and the row
    before it must be computed (it gives the logprob of the first new token)."""
    start = min(common, n)
    unknown = np.flatnonzero(np.isnan(scores.logprob[1:start]))
    if unknown.size:
        start = int(unknown[0])  # the row before the first unknown logprob
    if start == n and n > 0:
        return n  # all known: nothing to evaluate
    if start > 0 and not scores.row_ok[start - 1]:
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


def score(llama: Any, prompt: str, full_eval: Any) -> tuple[list[int], list[float]]:
    """The prompt's tokens and each one's logprob (NaN for the first), evaluated with
    ``full_eval`` (the library's ``Llama.eval``, every row's logits)."""
    tokens = llama.tokenize(prompt.encode("utf-8"), special=True)
    if len(tokens) > llama.n_ctx():
        raise ValueError(
            f"Requested tokens ({len(tokens)}) exceed context window of {llama.n_ctx()}"
        )
    scores = Scores.of(llama)
    common = min(
        common_prefix(llama.input_ids[: llama.n_tokens], tokens),
        scores.common(tokens),  # a restored state is not trusted
    )
    start = resume_at(scores, common, len(tokens))
    if start < len(tokens):
        llama.n_tokens = start
        full_eval(llama, tokens[start:])
        scores.evaluated(start, tokens[start:], all_rows=True)
        first = max(start, 1)
        if first < len(tokens):
            rows = llama.scores[first - 1 : len(tokens) - 1]
            ids = np.asarray(tokens[first:], dtype=np.int64)
            scores.logprob[first : len(tokens)] = row_logprobs(rows, ids)
    values = scores.logprob[: len(tokens)].tolist()
    return tokens, values


def completion(llama: Any, prompt: str, model: str | None, full_eval: Any) -> dict[str, Any]:
    """The OpenAI completion object for an echo-and-logprobs request."""
    tokens, values = score(llama, prompt, full_eval)
    pieces = [llama.detokenize([t], special=True) for t in tokens]
    strs, offsets, done = [], [], b""
    for piece in pieces:
        offsets.append(len(done.decode("utf-8", errors="ignore")))
        strs.append(piece.decode("utf-8", errors="ignore"))
        done += piece
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
