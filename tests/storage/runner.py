"""A second Mianshi process on a shared database, for the storage tests.

python tests/storage/runner.py interview URL DATA_DIR   # starts, answers once, then
    grading hangs: the process waits to be killed with its grade job held
python tests/storage/runner.py worker URL LOG SECONDS   # a grading worker that logs
    each job it grades (pid session turn) and grades take SECONDS
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from agent.grading.models import Grade, PointGrade
from agent.grading.queue import GradingQueue
from agent.interview.engine import Engine
from agent.interview.state import InterviewConfig, Turn
from agent.interview.store import Store
from agent.settings import Settings


def graded(entry: Any, answer: str, **_: Any) -> Grade:
    points = [PointGrade(point=p.point, verdict="partial", confidence=0.9) for p in entry.rubric]
    return Grade(question_id=entry.id, score=5.0, points=points, method="sampled")


def _no_entry(turn: Turn) -> Any:
    """The stand-in grader needs no bank entry."""
    return None


def interview(url: str, data: str) -> None:
    settings = Settings(data_dir=Path(data), cache_dir=Path(data) / "cache", database_url=url)
    engine = Engine(settings, None)
    engine.queue._grade = lambda entry, answer, **_: (
        threading.Event().wait(),
        graded(entry, answer),
    )[1]
    step = engine.start(InterviewConfig(questions=2, max_follow_ups=0, seed=7, candidate="kim"))
    step = engine.reply(step.session_id, "第一题的回答：我知道一些", at=step.at)
    print(f"answered {step.session_id} {step.question_id}", flush=True)
    time.sleep(3600)  # grading hangs; the test kills this process


def worker(url: str, log: str, seconds: str) -> None:
    def slow(entry: Any, answer: str, **_: Any) -> Grade:
        time.sleep(float(seconds))
        return Grade(question_id="x", score=6.0, method="sampled")

    def note(session_id: str, index: int, grade: Grade) -> None:
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(f"{os.getpid()} {session_id} {index}\n")

    queue = GradingQueue(slow, _no_entry, Turn.model_validate_json, Store(url))
    queue.on_ready = note
    print("ready", flush=True)
    time.sleep(3600)


COMMANDS: dict[str, Callable[..., None]] = {"interview": interview, "worker": worker}

if __name__ == "__main__":
    COMMANDS[sys.argv[1]](*sys.argv[2:])
