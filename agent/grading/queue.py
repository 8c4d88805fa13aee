"""Full grades in the background, so the candidate never waits for one.

``submit`` hands a turn to a worker thread (one by default: a local model serves one
request at a time) and returns at once; each grade is saved to the store the moment
it is ready and reported through ``on_ready`` (practice-mode feedback). ``collect``
is what the report waits on: it awaits grades in flight and grades anything missing
or still pending (a turn answered before a crash, or a grade whose endpoint failed:
retried, never invented).

A grade the store cannot save (disk full, database locked) is kept in memory and
still reported; ``ready`` and ``collect`` include it, and saving is retried when the
report is collected. A finished grade's future is dropped, so the queue does not grow
with the sessions it has served.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from agent.grading.models import Grade
from agent.interview.store import Store

GradeFn = Callable[[Any, str], Grade]  # (entry, answer) -> the grade
ResolveFn = Callable[[dict[str, Any]], Any]  # turn -> the entry to grade it against
ReadyFn = Callable[[str, int, dict[str, Any]], None]
ProgressFn = Callable[[int, int], None]

log = logging.getLogger(__name__)


class GradingQueue:
    def __init__(self, grade: GradeFn, resolve: ResolveFn, store: Store, workers: int = 1) -> None:
        self._grade = grade
        self._resolve = resolve
        self._store = store
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="grader")
        self._futures: dict[tuple[str, int], Future[dict[str, Any]]] = {}
        self._lock = threading.Lock()
        self._unsaved: dict[tuple[str, int], dict[str, Any]] = {}
        self.on_ready: ReadyFn | None = None

    def _run(self, session_id: str, turn: dict[str, Any]) -> dict[str, Any]:
        index, question_id = int(turn["index"]), str(turn["question_id"])
        try:
            grade = self._grade(self._resolve(turn), str(turn.get("answer", "")))
            grade = grade.model_copy(update={"question_id": question_id})
        except Exception as exc:  # a grader bug must not lose the turn: pending, retried
            grade = Grade.pending(question_id, str(exc), method="error")
        return self._keep(session_id, index, grade)

    def _keep(self, session_id: str, index: int, grade: Grade) -> dict[str, Any]:
        """Save the grade (in memory if the store fails) and report it."""
        data = grade.model_dump()
        try:
            self._store.save_grade(session_id, index, data)
            with self._lock:
                self._unsaved.pop((session_id, index), None)
        except Exception as exc:  # disk full, locked database: keep it, retry later
            log.warning("grade %s/%s not saved (%s); kept in memory", session_id, index, exc)
            with self._lock:
                self._unsaved[(session_id, index)] = data
        if self.on_ready is not None:
            with contextlib.suppress(Exception):  # a UI callback must not lose the grade
                self.on_ready(session_id, index, data)
        return data

    def submit(self, session_id: str, turn: dict[str, Any]) -> None:
        """Grade ``turn`` in the background (no-op while it is already being graded)."""
        with self._lock:
            key = (session_id, int(turn["index"]))
            if key in self._futures and not self._futures[key].done():
                return
            future = self._pool.submit(self._run, session_id, dict(turn))
            self._futures[key] = future
        future.add_done_callback(lambda f: self._forget(key, f))

    def _forget(self, key: tuple[str, int], future: Future[dict[str, Any]]) -> None:
        with self._lock:
            if self._futures.get(key) is future:
                del self._futures[key]

    def in_flight(self) -> int:
        """How many grades are queued or running (finished ones are forgotten)."""
        with self._lock:
            return len(self._futures)

    def background(self, job: Callable[[], None]) -> None:
        """Run ``job`` on the grading worker, after what is queued (e.g. warming the
        model's prompt cache for the next answer). Its failure costs only time."""

        def run() -> None:
            with contextlib.suppress(Exception):
                job()

        self._pool.submit(run)

    def save_now(self, session_id: str, turn: int, grade: Grade) -> None:
        """A grade decided without the model (skipped turn)."""
        self._keep(session_id, turn, grade)

    def ready(self, session_id: str) -> dict[int, dict[str, Any]]:
        """The session's grades so far: saved ones plus any the store could not save."""
        grades = self._store.grades(session_id)
        with self._lock:
            unsaved = {i: g for (sid, i), g in self._unsaved.items() if sid == session_id}
        return {**grades, **unsaved}

    def _retry_unsaved(self, session_id: str) -> None:
        with self._lock:
            waiting = [(k, g) for k, g in self._unsaved.items() if k[0] == session_id]
        for (sid, index), data in waiting:
            with contextlib.suppress(Exception):
                self._store.save_grade(sid, index, data)
                with self._lock:
                    self._unsaved.pop((sid, index), None)

    def collect(
        self,
        session_id: str,
        turns: list[dict[str, Any]],
        progress: ProgressFn | None = None,
        retries: int = 1,
    ) -> dict[int, dict[str, Any]]:
        """Every turn's grade: waits for those in flight, (re)grades missing/pending."""
        total = len(turns)
        self._retry_unsaved(session_id)
        for _ in range(retries + 1):
            grades = self.ready(session_id)
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
            grades = self.ready(session_id)
            if all(grades.get(int(t["index"]), {}).get("status") == "graded" for t in turns):
                break
        return self.ready(session_id)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
