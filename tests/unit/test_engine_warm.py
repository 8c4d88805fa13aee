"""While the candidate answers a main question, the grader's prompt prefix is
evaluated, and the grade that follows extends exactly that prefix (a fake model
records the requests; the real server's prefix cache is measured by bench_grade)."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from agent.interview.engine import Engine
from agent.interview.state import InterviewConfig
from agent.llm.client import Capabilities
from agent.settings import Settings


class RecordingLLM:
    model = "fake"
    base_url = "http://fake"

    def __init__(self) -> None:
        self.warm: list[list[dict[str, str]]] = []
        self.graded: list[list[dict[str, str]]] = []
        self.lock = threading.Lock()

    def capabilities(self) -> Capabilities:
        return Capabilities(structured="prompt", logprobs=True, grammar=True)

    def has_prompt_logprobs(self) -> bool:
        return False  # the 是/否 verdict path (likelihood warming: test_likelihood.py)

    def complete(self, messages: list[dict[str, str]], **kwargs: Any) -> Any:
        with self.lock:
            self.warm.append(messages)
        return SimpleNamespace(choices=[])

    def stream_tokens(self, messages: list[dict[str, str]], **kwargs: Any) -> Any:
        with self.lock:
            self.graded.append(messages)
        n = (kwargs["max_tokens"] - 2) // 2
        tokens = [SimpleNamespace(token="是", top_logprobs=[]) for _ in range(n)]
        return "是\n" * n, tokens

    def chat(self, messages: list[dict[str, str]], **kwargs: Any) -> str:
        return "请再具体说说。"


def _wait(cond: Any, timeout: float = 10.0) -> None:
    end = time.monotonic() + timeout
    while not cond() and time.monotonic() < end:
        time.sleep(0.02)


def test_question_asked_warms_the_prefix_the_grade_then_extends(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache")
    llm = RecordingLLM()
    engine = Engine(settings, llm)  # type: ignore[arg-type]
    try:
        step = engine.start(InterviewConfig(questions=1, max_follow_ups=0, seed=3))
        assert step.kind == "main"
        _wait(lambda: len(llm.warm) == 1)
        assert len(llm.warm) == 1 and not llm.graded
        prefix = llm.warm[0][-1]["content"]
        entry = engine.bank.get(step.question_id or "")
        assert entry.question in prefix and prefix.rstrip().endswith("<answer>")
        engine.reply(step.session_id, entry.reference_answer or entry.question)
        _wait(lambda: len(llm.graded) == 1)
        graded = llm.graded[0][-1]["content"]
        assert graded.startswith(prefix)  # the grade reuses the warmed prefix
        assert llm.warm[0][0] == llm.graded[0][0]  # same system message
    finally:
        engine.close()


def test_an_answer_a_precheck_decides_is_graded_at_once_without_the_model(tmp_path: Path) -> None:
    """不知道 needs no model: its grade is saved as the answer is taken (its practice
    feedback shows at once), not queued behind grades on the one model server."""
    settings = Settings(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache")
    llm = RecordingLLM()
    engine = Engine(settings, llm)  # type: ignore[arg-type]
    try:
        step = engine.start(InterviewConfig(questions=2, max_follow_ups=0, seed=3))
        queued: list[int] = []
        submit = engine.queue.submit
        engine.queue.submit = lambda sid, turn: (queued.append(turn.index), submit(sid, turn))  # type: ignore[method-assign]
        engine.reply(step.session_id, "不知道")
        assert queued == []  # never a job for the model's worker
        grades = engine.grades(step.session_id)  # no waiting
        assert grades[0].method == "precheck" and (grades[0].score or 0) <= 1.0
        assert grades[0].question_id == step.question_id and grades[0].feedback
        assert engine.queue.jobs.waiting(step.session_id) == set() and not llm.graded
    finally:
        engine.close()
