"""Full grades in the background, so the candidate never waits for one.

``submit`` hands a turn to a worker thread (one by default: a local model serves one
request at a time) and returns at once; each grade is saved to the store the moment
it is ready and reported through ``on_ready`` (practice-mode feedback). ``collect``
is what the report waits on: it awaits grades in flight and grades anything missing
or still pending (a turn answered before a crash, or a grade whose endpoint failed:
retried, never invented).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from agent.grading.models import Grade
from agent.interview.store import Store

GradeFn = Callable[[Any, str], dict[str, Any]]  # (entry, answer) -> Grade as a dict
ResolveFn = Callable[[dict[str, Any]], Any]  # turn -> the entry to grade it against
ReadyFn = Callable[[str, int, dict[str, Any]], None]
ProgressFn = Callable[[int, int], None]


class GradingQueue:
    def __init__(self, grade: GradeFn, resolve: ResolveFn, store: Store, workers: int = 1) -> None:
        self._grade = grade
        self._resolve = resolve
        self._store = store
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="grader")
        self._futures: dict[tuple[str, int], Future[dict[str, Any]]] = {}
        self._lock = threading.Lock()
        self.on_ready: ReadyFn | None = None

    def _run(self, session_id: str, turn: dict[str, Any]) -> dict[str, Any]:
        index, question_id = int(turn["index"]), str(turn["question_id"])
        try:
            grade = self._grade(self._resolve(turn), str(turn.get("answer", "")))
            grade["question_id"] = question_id
        except Exception as exc:  # a grader bug must not lose the turn: pending, retried
            grade = Grade.pending(question_id, str(exc), method="error").model_dump()
        self._store.save_grade(session_id, index, grade)
        if self.on_ready is not None:
            with contextlib.suppress(Exception):  # a UI callback must not lose the grade
                self.on_ready(session_id, index, grade)
        return grade

    def submit(self, session_id: str, turn: dict[str, Any]) -> None:
        """Grade ``turn`` in the background (no-op while it is already being graded)."""
        with self._lock:
            key = (session_id, int(turn["index"]))
            if key in self._futures and not self._futures[key].done():
                return
            self._futures[key] = self._pool.submit(self._run, session_id, dict(turn))

    def background(self, job: Callable[[], None]) -> None:
        """Run ``job`` on the grading worker, after what is queued (e.g. warming the
        model's prompt cache for the next answer). Its failure costs only time."""

        def run() -> None:
            with contextlib.suppress(Exception):
                job()

        self._pool.submit(run)

    def save_now(self, session_id: str, turn: int, grade: dict[str, Any]) -> None:
        """A grade decided without the model (skipped turn)."""
        self._store.save_grade(session_id, turn, grade)
        if self.on_ready is not None:
            self.on_ready(session_id, turn, grade)

    def ready(self, session_id: str) -> dict[int, dict[str, Any]]:
        return self._store.grades(session_id)

    def collect(
        self,
        session_id: str,
        turns: list[dict[str, Any]],
        progress: ProgressFn | None = None,
        retries: int = 1,
    ) -> dict[int, dict[str, Any]]:
        """Every turn's grade: waits for those in flight, (re)grades missing/pending."""
        total = len(turns)
        for _ in range(retries + 1):
            grades = self._store.grades(session_id)
            for turn in turns:
                idx = int(turn["index"])
                have = grades.get(idx)
                with self._lock:
                    running = self._futures.get((session_id, idx))
                in_flight = running is not None and not running.done()
                if not in_flight and (have is None or have.get("status") == "pending"):
                    self.submit(session_id, turn)
            for done, turn in enumerate(turns, start=1):
                with self._lock:
                    future = self._futures.get((session_id, int(turn["index"])))
                if future is not None:
                    future.result()
                if progress is not None:
                    progress(done, total)
            grades = self._store.grades(session_id)
            if all(grades.get(int(t["index"]), {}).get("status") == "graded" for t in turns):
                break
        return self._store.grades(session_id)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
