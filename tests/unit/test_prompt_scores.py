"""Where a prompt-scoring request resumes (agent/llm/prompt_scores.py): never past a
token whose logprob is unknown, never reading a row computed without logits; and the
log-softmax it reads a token's logprob from. The real model is in
tests/integration/test_serve.py."""

from __future__ import annotations

import numpy as np

from agent.llm.prompt_scores import Scores, resume_at, row_logprobs, wants_scores


def _scores(n: int = 32) -> Scores:
    return Scores.empty(n)


def test_a_fresh_context_is_evaluated_from_the_start() -> None:
    assert resume_at(_scores(), 0, 12) == 0


def test_a_scored_prefix_is_reused_and_a_scored_prompt_needs_nothing() -> None:
    s = _scores()
    s.evaluated(0, list(range(12)), all_rows=True)
    s.logprob[1:12] = -1.0
    assert resume_at(s, 8, 12) == 8  # row 7 is there: token 8's logprob can be read
    assert resume_at(s, 12, 12) == 12  # the same prompt again: every logprob known


def test_a_row_computed_without_logits_is_evaluated_again() -> None:
    s = _scores()
    s.evaluated(0, list(range(12)), all_rows=True)
    s.logprob[1:12] = -1.0
    s.evaluated(
        12, list(range(12, 20)), all_rows=False
    )  # another request's prompt: its last row only
    assert not s.row_ok[12:19].any() and s.row_ok[19] and np.isnan(s.logprob[12:20]).all()
    assert resume_at(s, 16, 24) == 11  # token 12's logprob is unknown: token 11 gives row 11
    s2 = _scores()
    s2.evaluated(0, list(range(10)), all_rows=False)
    assert resume_at(s2, 10, 16) == 0  # nothing scored: all of it


def test_an_unknown_logprob_inside_the_prefix_moves_the_start_back() -> None:
    s = _scores()
    s.evaluated(0, list(range(12)), all_rows=True)
    s.logprob[1:12] = -1.0
    s.logprob[5] = np.nan
    assert resume_at(s, 12, 14) == 4  # row 4 gives token 5


def test_row_logprobs_is_the_log_softmax_at_the_next_token() -> None:
    rows = np.array([[0.0, 1.0, 2.0], [5.0, 5.0, 5.0]], dtype=np.float32)
    got = row_logprobs(rows, np.array([2, 0]))
    want = [2.0 - np.log(np.exp([0.0, 1.0, 2.0]).sum()), -np.log(3.0)]
    assert np.allclose(got, want)


def test_only_an_echo_request_for_logprobs_is_scored_here() -> None:
    ask = {"prompt": "x", "echo": True, "logprobs": 0, "max_tokens": 1}
    assert wants_scores(ask)
    assert not wants_scores({**ask, "stream": True})
    assert not wants_scores({**ask, "max_tokens": 16})
    assert not wants_scores({**ask, "logprobs": None})
    assert not wants_scores({**ask, "echo": False})


def test_scores_know_which_tokens_they_were_computed_for() -> None:
    s = _scores()
    s.evaluated(0, [5, 6, 7, 8], all_rows=True)
    assert s.common([5, 6, 7, 8, 9]) == 4 and s.common([5, 6, 0]) == 2 and s.common([]) == 0
    s.evaluated(2, [1], all_rows=False)
    assert s.common([5, 6, 7, 8]) == 2 and s.common([5, 6, 1, 8]) == 3


def test_only_the_wanted_tokens_need_known_logprobs() -> None:
    s = _scores()
    s.evaluated(0, list(range(12)), all_rows=False)  # the answer, read without its rows
    assert resume_at(s, 12, 14) == 0  # every token wanted: all of it again
    assert resume_at(s, 12, 14, need=12) == 12  # the point only: row 11 is there
    assert resume_at(s, 12, 14, need=10) == 9  # tokens 10 and 11 too: from row 9
    s.evaluated(9, list(range(9, 14)), all_rows=False, rows_from=9)
    assert not s.row_ok[:9].any() and s.row_ok[9:14].all()
    s.logprob[10:14] = -1.0
    assert resume_at(s, 14, 16, need=10) == 14  # the next point reuses it all
