"""While the candidate answers a main question, the grader's prompt prefix is
evaluated, and the grade that follows extends exactly that prefix (a fake model
records the requests; the real server's prefix cache is measured by bench_grade)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from agent.interview.engine import Engine
from agent.interview.state import InterviewConfig, Turn
from agent.settings import Settings
from tests import fakes


def RecordingLLM() -> fakes.FakeLLM:
    return fakes.FakeLLM(1.0, reply="请再具体说说。")


def _wait(cond: Any, timeout: float = 10.0) -> None:
    end = time.monotonic() + timeout
    while not cond() and time.monotonic() < end:
        time.sleep(0.02)


def test_question_asked_warms_the_prefix_the_grade_then_extends(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache")
    llm = RecordingLLM()
    engine = Engine(settings, llm)
    try:
        step = engine.start(InterviewConfig(questions=1, max_follow_ups=0, seed=3))
        assert step.kind == "main"
        _wait(lambda: len(llm.warmed) == 1)
        assert len(llm.warmed) == 1 and not llm.calls
        prefix = llm.warmed[0][-1]["content"]
        entry = engine.bank.get(step.question_id or "")
        assert entry.question in prefix and prefix.rstrip().endswith("<answer>")
        engine.reply(step.session_id, entry.reference_answer or entry.question)
        _wait(lambda: len(llm.calls) == 1)
        graded = llm.calls[0][-1]["content"]
        assert graded.startswith(prefix)  # the grade reuses the warmed prefix
        assert llm.warmed[0][0] == llm.calls[0][0]  # same system message
    finally:
        engine.close()


def test_an_answer_a_precheck_decides_is_graded_at_once_without_the_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """不知道 needs no model: its grade is saved as the answer is taken (its practice
    feedback shows at once), not queued behind grades on the one model server."""
    settings = Settings(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache")
    llm = RecordingLLM()
    engine = Engine(settings, llm)
    try:
        step = engine.start(InterviewConfig(questions=2, max_follow_ups=0, seed=3))
        queued: list[int] = []
        submit = engine.queue.submit

        def recording_submit(sid: str, turn: Turn) -> None:
            queued.append(turn.index)
            submit(sid, turn)

        monkeypatch.setattr(engine.queue, "submit", recording_submit)
        engine.reply(step.session_id, "不知道")
        assert queued == []  # never a job for the model's worker
        grades = engine.grades(step.session_id)  # no waiting
        assert grades[0].method == "precheck" and (grades[0].score or 0) <= 1.0
        assert grades[0].question_id == step.question_id and grades[0].feedback
        assert engine.queue.jobs.waiting(step.session_id) == set() and not llm.calls
    finally:
        engine.close()
