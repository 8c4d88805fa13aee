"""The ASR eval's CER aggregation against hand-computed values."""

from __future__ import annotations

import pytest

from evals.asr import cer_totals


def test_overall_cer_is_total_edits_over_total_reference_chars() -> None:
    # "abcd"→"abxd": 1 substitution of 4; "ef"→"e": 1 deletion of 2; "gh"→"ghi": 1 insertion
    totals = cer_totals(["abcd", "ef", "gh"], ["abxd", "e", "ghi"])
    assert totals.edits == 3
    assert totals.ref_chars == 8
    assert totals.cer == pytest.approx(3 / 8)  # not the mean of 1/4, 1/2, 1/2


def test_empty_hypothesis_counts_every_reference_char() -> None:
    totals = cer_totals(["广州市", "你好"], ["广州市", ""])
    assert (totals.edits, totals.ref_chars) == (2, 5)
    assert totals.cer == pytest.approx(0.4)


def test_no_references() -> None:
    assert cer_totals([], []).cer == 0.0
