"""The embedded server's faster top-logprob sort gives exactly builtins' order
(agent/llm/serve.py); the model-side patch is checked on the real model in
tests/integration/test_serve.py."""

# ruff: noqa: B905  (a plain zip, as llama-cpp-python writes it, is what is sorted)
from __future__ import annotations

import builtins

import numpy as np

from agent.llm.serve import sorted_pairs


def test_logprob_pairs_come_back_in_builtins_order_ties_and_infinities_included() -> None:
    rng = np.random.default_rng(3)
    values = (rng.normal(-10, 3, 5000).astype(np.float32)).tolist()
    values[10:20] = [-2.5] * 10  # ties: the higher index first, as tuples compare
    values[30] = float("-inf")
    expected = builtins.sorted(zip(values, range(len(values))), reverse=True)
    assert sorted_pairs(zip(values, range(len(values))), reverse=True) == expected


def test_anything_else_is_sorted_as_builtins_would() -> None:
    values = [0.5, -1.0, 2.0]
    started = zip(values, range(3))
    next(started)  # partly consumed: not the pattern
    assert sorted_pairs(started, reverse=True) == [(2.0, 2), (-1.0, 1)]
    assert sorted_pairs(zip(values, range(1, 4)), reverse=True) == [(2.0, 3), (0.5, 1), (-1.0, 2)]
    assert sorted_pairs([3, 1, 2]) == [1, 2, 3]
    assert sorted_pairs(["b", "a"], key=str.upper, reverse=True) == ["b", "a"]
    nan = sorted_pairs(zip([0.0, float("nan")], range(2)), reverse=True)
    assert str(nan) == str(builtins.sorted(zip([0.0, float("nan")], range(2)), reverse=True))
