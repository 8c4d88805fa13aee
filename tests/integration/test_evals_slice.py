"""A tiny slice of the grader and interviewer evals against the embedded model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent.bank import load_bank
from agent.llm.client import LLMClient
from agent.settings import Settings

REPO = Path(__file__).resolve().parents[2]

from evals import eval_grader, eval_interviewer  # noqa: E402

pytestmark = pytest.mark.integration


def test_grader_eval_slice(
    embedded_llm: LLMClient, isolated_settings: Settings, tmp_path: Path
) -> None:
    # one held-out question of the candidates set: a keyword list (pre-checked, no
    # model) and a correct answer in spoken Chinese (each key point scored after it,
    # after no answer and after the reference answer)
    items = eval_grader.load_items(questions=["000-q211"], kinds=["keyword_list", "correct_spoken"])
    assert len(items) == 2
    lines: list[str] = []
    result = eval_grader.run(
        embedded_llm,
        isolated_settings,
        items,
        cache=tmp_path / "verdicts.json",
        log=lines.append,
    )
    assert len(lines) == 2 and len(result["items"]) == 2
    assert set(result["summary"]) >= {"qwk", "spearman", "exact", "within1", "bias", "model"}
    assert result["summary"]["model"] == embedded_llm.model
    assert set(result["per_category"]) == {"keyword_list", "correct_spoken"}
    entry = load_bank().get("000-q211")
    points = len(entry.rubric)
    # each point after the answer, no answer and the reference; then one request per
    # option letter for the misconception reading (its no-answer prior, then the answer)
    calls = result["timing"]["model_calls"]
    assert calls >= 3 * points
    assert (calls - 3 * points) % 2 == 0  # as many prior letters as read ones
    # every request reached the cache file (points once per answer, letters at the end)
    cached = json.loads((tmp_path / "eval-grader-point-logliks.json").read_text("utf-8"))
    assert len(cached) == calls and all(isinstance(v, list) and v for v in cached.values())
    spoken = next(r for r in result["items"] if r["kind"] == "correct_spoken")
    assert spoken["old_score"] >= spoken["score"]  # the reading only ever takes credit away
    checks = result["checks"]
    assert checks["keyword_list_le_4"]["passed"] is True, checks["keyword_list_le_4"]
    assert checks["strong_gt_weak"]["passed"] is None  # not in the slice
    scores = {r["kind"]: r["score"] for r in result["items"]}
    assert scores["correct_spoken"] > scores["keyword_list"]
    assert "labeller a vs b" in result["human_baseline"]
    json.dumps(result)
    path = eval_grader.save(result, tmp_path)
    assert path.name.startswith("grader-") and path.is_file()


def test_interviewer_eval_slice(
    embedded_llm: LLMClient, isolated_settings: Settings, tmp_path: Path
) -> None:
    result = eval_interviewer.run(
        embedded_llm,
        isolated_settings,
        personas=["silent"],
        data_dir=tmp_path / "data",
        log=lambda line: None,
    )
    summary = result["summary"]
    assert summary["runs"] == 2 and summary["eval"] == "interviewer"
    assert {r["mode"] for r in result["runs"]} == {"practice", "real"}
    for run in result["runs"]:
        assert run["passed"], {k: c for k, c in run["checks"].items() if not c["passed"]}
        # 不知道 to each question; in practice mode the interviewer offers a hint once
        # (the question put back), so each question has two answers there
        assert run["scores"] == [0.0] * (4 if run["mode"] == "practice" else 2)
    assert summary["all_passed"] is True
    json.dumps(result)
