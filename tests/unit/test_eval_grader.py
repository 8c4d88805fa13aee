"""The grader-agreement eval's metric code against hand-computed values."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evals import common
from evals import eval_grader as g

REPO = Path(__file__).resolve().parents[2]


def test_qwk_hand_computed() -> None:
    # O: (0,0)=1 (0,1)=1 (1,1)=2; E = outer([2,2],[1,3])/4; sum w·O = 1, sum w·E = 2
    assert common.qwk([0, 0, 1, 1], [0, 1, 1, 1]) == pytest.approx(0.5)
    assert common.qwk([0, 5, 10], [0, 5, 10]) == pytest.approx(1.0)
    # scores are rounded before kappa: 0.4 -> 0, 0.6 -> 1
    assert common.qwk([0, 0, 1, 1], [0.4, 0.6, 1.2, 0.9]) == pytest.approx(0.5)


def test_qwk_matches_sklearn_on_a_spread() -> None:
    from sklearn.metrics import cohen_kappa_score

    y = [0, 2, 3, 5, 7, 8, 10, 10, 1, 4]
    s = [0, 3, 3, 4, 7, 9, 9, 10, 0, 6]
    expected = cohen_kappa_score(y, s, weights="quadratic", labels=list(range(11)))
    assert common.qwk(y, [float(x) for x in s]) == pytest.approx(expected)


def test_agreement_and_bias() -> None:
    f = common.figures([2, 4, 6, 8], [3.0, 4.0, 6.0, 10.0])
    assert f["n"] == 4
    assert f["exact"] == pytest.approx(0.5)  # 4 and 6 exact
    assert f["within1"] == pytest.approx(0.75)  # 3 vs 2 is within 1, 10 vs 8 is not
    assert f["bias"] == pytest.approx(0.75)  # (1 + 0 + 0 + 2) / 4
    assert f["mae"] == pytest.approx(0.75)
    assert f["spearman"] == pytest.approx(1.0)  # same order
    assert common.figures([], [])["n"] == 0


def _items(scores: dict[str, dict[str, float]]) -> tuple[list[dict[str, object]], list[float]]:
    items: list[dict[str, object]] = []
    out: list[float] = []
    for qid, kinds in scores.items():
        for kind, score in kinds.items():
            items.append({"question_id": qid, "kind": kind, "label": 0})
            out.append(score)
    return items, out


def test_checks_pass_and_fail() -> None:
    items, scores = _items(
        {
            "q1": {
                "reference": 8.0,
                "padded_reference": 9.0,  # +1: allowed
                "strong_partial": 6.0,
                "weak_partial": 3.0,
                "fluent_wrong": 3.0,
                "dont_know": 0.0,
                "other_question": 1.0,
                "injection_only": 0.0,
            },
            "q2": {
                "reference": 7.9,  # < 8
                "padded_reference": 9.0,  # +1.1 over the reference
                "strong_partial": 4.0,
                "weak_partial": 4.0,  # not strictly below strong
                "fluent_wrong": 3.1,
                "dont_know": 1.1,
            },
        }
    )
    c = g.checks(items, scores)
    assert c["reference_ge_8"]["passed"] is False
    assert c["reference_ge_8"]["failures"] == [
        {"question_id": "q2", "kind": "reference", "score": 7.9}
    ]
    assert c["padding_raises_le_1"]["passed"] is False
    assert [f["question_id"] for f in c["padding_raises_le_1"]["failures"]] == ["q2"]
    assert c["strong_gt_weak"]["passed"] is False and c["strong_gt_weak"]["n"] == 2
    assert c["fluent_wrong_le_3"]["failures"][0]["score"] == 3.1
    low = c["empty_offtopic_instruction_le_1"]
    assert low["n"] == 4 and low["passed"] is False
    assert low["failures"] == [{"question_id": "q2", "kind": "dont_know", "score": 1.1}]

    only_q1 = [i for i, it in enumerate(items) if it["question_id"] == "q1"]
    c1 = g.checks([items[i] for i in only_q1], [scores[i] for i in only_q1])
    assert all(v["passed"] is not False for v in c1.values())
    assert c1["own_words_correct_ge_7"]["passed"] is None  # no such kind in the slice


def test_checks_on_the_candidates_kinds() -> None:
    items, scores = _items(
        {
            "q1": {
                "correct_spoken": 7.0,
                "correct_english": 6.9,  # < 7
                "keyword_list": 4.0,
                "weak_partial": 2.0,
                "weak_padded": 3.1,  # +1.1
                "strong_partial": 6.0,
                "instructed": 6.0,  # equal: not raised
            },
            "q2": {
                "keyword_list": 4.1,
                "strong_partial": 5.0,
                "instructed": 5.5,  # raised
                "weak_partial": 1.0,
                "weak_padded": 2.0,
            },
        }
    )
    c = g.checks(items, scores)
    assert c["own_words_correct_ge_7"]["failures"] == [
        {"question_id": "q1", "kind": "correct_english", "score": 6.9}
    ]
    assert [f["question_id"] for f in c["keyword_list_le_4"]["failures"]] == ["q2"]
    assert [f["question_id"] for f in c["padded_weak_raises_le_1"]["failures"]] == ["q1"]
    assert [f["question_id"] for f in c["instruction_never_raises"]["failures"]] == ["q2"]
    assert c["instruction_never_raises"]["n"] == 2


def test_inter_labeller_agreement() -> None:
    items = [
        {"question_id": "q", "kind": "k", "labels": {"a": 10, "b": 9}},
        {"question_id": "q", "kind": "k2", "labels": {"a": 2, "b": 2}},
        {"question_id": "q", "kind": "k3", "labels": {"a": 5, "b": 6}},
        {"question_id": "q", "kind": "weak_padded", "base_kind": "k2", "labels": {"a": 2, "b": 2}},
    ]
    f = g.inter_labeller(items)
    assert f["n"] == 3 and f["exact"] == round(1 / 3, 3) and f["within1"] == 1.0


def test_checks_skip_when_the_slice_lacks_the_kinds() -> None:
    items, scores = _items({"q1": {"reference": 9.0}})
    c = g.checks(items, scores)
    assert c["reference_ge_8"]["passed"] is True
    assert c["strong_gt_weak"]["passed"] is None and c["strong_gt_weak"]["n"] == 0


def test_per_category_and_human_baseline() -> None:
    items = [
        {"question_id": "q1", "kind": "reference", "label": 10},
        {"question_id": "q2", "kind": "reference", "label": 9},
        {"question_id": "q1", "kind": "weak_partial", "label": 3},
    ]
    table = g.per_category(items, [9.0, 9.0, 1.0])
    assert list(table) == ["reference", "weak_partial"]
    assert table["reference"]["label"] == pytest.approx(9.5)
    assert table["reference"]["bias"] == pytest.approx(-0.5)
    assert table["reference"]["exact"] == pytest.approx(0.5)
    assert table["weak_partial"]["within1"] == 0.0
    pass2 = [
        {"question_id": "q1", "kind": "reference", "label": 9},
        {"question_id": "q1", "kind": "weak_partial", "label": 3},
        {"question_id": "q9", "kind": "reference", "label": 0},  # not in pass 1: ignored
    ]
    human = g.human_baseline(items, pass2)
    assert human["n"] == 2 and human["exact"] == pytest.approx(0.5)
    assert human["bias"] == pytest.approx(-0.5)


def test_evaluate_summary_and_spread() -> None:
    items = [
        {"question_id": "q1", "kind": "reference", "label": 10, "split": "heldout"},
        {"question_id": "q1", "kind": "weak_partial", "label": 2, "split": "heldout"},
        {"question_id": "q2", "kind": "reference", "label": 10, "split": "calibration"},
        {"question_id": "q2", "kind": "dont_know", "label": 0, "split": "calibration"},
    ]
    run1 = [{"score": s} for s in (9.0, 2.0, 10.0, 0.0)]
    run2 = [{"score": s} for s in (9.0, 3.0, 10.0, 0.0)]
    result = g.evaluate(items, [run1, run2])
    s = result["summary"]
    assert s["n"] == 4 and s["questions"] == 2
    assert s["checks_passed"] is True and s["checks_failed"] == []
    assert set(result["by_split"]) == {"heldout", "calibration"}
    assert result["spread"]["item_score_sd_max"] == pytest.approx(0.5)
    json.dumps(result)  # serialisable


def test_the_candidates_set_is_complete() -> None:
    """Answers written without the reference, two blind labellers, split by question."""
    from agent.bank import load_bank

    items = g.load_items()
    assert items and g.DATA.name == "candidates.jsonl"
    qids = {it["question_id"] for it in items}
    assert len(qids) >= 40 and len(items) >= 400
    assert len({load_bank().get(q).topic for q in qids}) == 18
    splits = {q: {it["split"] for it in items if it["question_id"] == q} for q in qids}
    assert all(len(s) == 1 for s in splits.values())  # a question is in one half only
    assert sum(s == {"heldout"} for s in splits.values()) >= 20
    written = [it for it in items if "base_kind" not in it]
    assert all({"a", "b"} <= set(it["labels"]) for it in written)
    assert all(0 <= int(it["label"]) <= 10 for it in items)
    kinds = {it["kind"] for it in items}
    assert set(g.OWN_WORDS_CORRECT) <= kinds
    assert {"fluent_wrong", "keyword_list", "weak_padded", "instructed"} <= kinds


def test_the_reference_set_is_complete() -> None:
    items = g.load_items(g.OLD_DATA)
    qids = {it["question_id"] for it in items}
    assert len(qids) >= 20
    for qid in qids:
        assert sorted(it["kind"] for it in items if it["question_id"] == qid) == sorted(
            g.KINDS[:11]
        )
    assert all(0 <= int(it["label"]) <= 10 and it["reason"] for it in items)
    assert {it["split"] for it in items} == {"calibration", "heldout"}
    from agent.bank import load_bank

    topics = {load_bank().get(q).topic for q in qids}
    assert len(topics) >= 10
    assert len(g.load_passes()["retest"]) >= 30
    assert len(g.load_items(g.OLD_DATA, limit=2, kinds=["reference", "dont_know"])) == 4
