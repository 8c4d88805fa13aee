"""Full grades in the background, so the candidate never waits for one.

``submit`` puts a turn in the shared job table (``jobs.py``) and returns at once; this
instance's worker thread (one by default: a local model serves one request at a time)
claims jobs in fair order, from any instance on the same database, grades them, saves
each grade the moment it is ready and reports it through ``on_ready`` (practice-mode
feedback). A job another instance accepted and could not finish (it died) is picked
up here once its heartbeat stops. ``collect`` is what the report waits on: it waits
for the session's jobs and (re)grades anything missing or still pending (a turn
answered before a crash, or a grade whose endpoint failed: retried, never invented).

When the database cannot take a job or a grade (disk full, database locked), nothing
is lost: the job waits in memory for this instance's worker, and a grade is kept in
memory and still reported (``ready`` and ``collect`` include it); saving is retried
when the report is collected.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections import deque
from collections.abc import Callable, Sequence
from typing import Generic, Protocol, TypeVar

from agent.bank import Entry
from agent.db import Database
from agent.grading.jobs import HEARTBEAT_S, MAX_ATTEMPTS, Job, Jobs
from agent.grading.models import Grade


class GradeStore(Protocol):
    """What the queue needs of the sessions store (``agent.interview.store.Store``
    has it): the database its jobs table lives in, and the grades."""

    db: Database

    def save_grade(self, session_id: str, turn: int, grade: Grade) -> None: ...

    def grades(self, session_id: str) -> dict[int, Grade]: ...


class Answered(Protocol):
    """What the queue reads of a turn (``agent.interview.state.Turn`` has it)."""

    @property
    def index(self) -> int: ...
    @property
    def question_id(self) -> str: ...
    @property
    def answer(self) -> str: ...
    @property
    def lang(self) -> str: ...
    @property
    def previous(self) -> str | None: ...

    def model_dump_json(self) -> str: ...


T = TypeVar("T", bound=Answered)

GradeFn = Callable[..., Grade]  # (entry, answer, *, lang, previous) -> the grade
ReadyFn = Callable[[str, int, Grade], None]
ProgressFn = Callable[[int, int], None]

log = logging.getLogger(__name__)

#: An idle worker looks for jobs other instances left this often.
POLL_S = 1.0


class GradingQueue(Generic[T]):
    """Background grades of turns of type ``T``: ``load`` reads a turn back from the
    JSON the job table holds, ``resolve`` gives the entry it is graded against."""

    def __init__(
        self,
        grade: GradeFn,
        resolve: Callable[[T], Entry],
        load: Callable[[str], T],
        store: GradeStore,
        workers: int = 1,
        instance: str | None = None,
    ) -> None:
        self._grade = grade
        self._resolve = resolve
        self._load = load
        self._store = store
        self.jobs = Jobs(store.db, instance)
        self._cond = threading.Condition()
        self._local: deque[Job] = deque()  # jobs the database could not take
        self._background: deque[Callable[[], None]] = deque()
        self._running: set[tuple[str, int]] = set()
        self._unsaved: dict[tuple[str, int], Grade] = {}
        self._stop = threading.Event()
        self.on_ready: ReadyFn | None = None
        self._threads = [
            threading.Thread(target=self._work, name=f"grader-{n}", daemon=True)
            for n in range(workers)
        ]
        self._threads.append(threading.Thread(target=self._beat, name="heartbeat", daemon=True))
        with contextlib.suppress(Exception):
            self.jobs.beat()  # alive before any job is taken
        for thread in self._threads:
            thread.start()

    # ------------------------------------------------------------------ workers
    def _beat(self) -> None:
        while not self._stop.wait(HEARTBEAT_S):
            try:
                self.jobs.beat()
            except Exception as exc:  # a busy database: the next beat will do
                log.warning("heartbeat not written: %s", exc)

    def _next(self) -> Job | Callable[[], None] | None:
        with self._cond:
            if self._local:
                return self._local.popleft()
        try:
            job = self.jobs.claim()
        except Exception as exc:
            if not self._stop.is_set():  # closing: the database may be gone already
                log.warning("grading jobs not read: %s", exc)
            job = None
        if job is not None:
            return job
        with self._cond:
            return self._background.popleft() if self._background else None

    def _work(self) -> None:
        while not self._stop.is_set():
            item = self._next()
            if item is None:
                with self._cond:
                    self._cond.wait(POLL_S)
                continue
            if isinstance(item, Job):
                self._run(item)
            else:
                with contextlib.suppress(Exception):  # a warm-up's failure costs only time
                    item()

    def _run(self, job: Job) -> None:
        key = (job.session_id, job.index)
        with self._cond:
            self._running.add(key)
        try:
            grade = self._grade_job(job)
            if self._keep(job.session_id, job.index, grade):
                with contextlib.suppress(Exception):
                    self.jobs.done(job.session_id, job.index)
        finally:
            with self._cond:
                self._running.discard(key)
                self._cond.notify_all()

    def _grade_job(self, job: Job) -> Grade:
        try:
            turn = self._load(job.payload)
        except ValueError as exc:  # a job no version of the turn can read: say so
            return Grade.pending("?", f"unreadable grading job: {exc}", method="error")
        if job.attempts > MAX_ATTEMPTS:  # it took instances down with it: give up
            return Grade.pending(turn.question_id, "grading failed repeatedly", method="error")
        try:
            grade = self._grade(
                self._resolve(turn), turn.answer, lang=turn.lang, previous=turn.previous
            )
        except Exception as exc:  # a grader bug must not lose the turn: pending
            return Grade.pending(turn.question_id, str(exc), method="error")
        return grade.model_copy(update={"question_id": turn.question_id})

    def _keep(self, session_id: str, index: int, grade: Grade) -> bool:
        """Save the grade (in memory if the store fails) and report it; saved or not."""
        saved = True
        try:
            self._store.save_grade(session_id, index, grade)
            with self._cond:
                self._unsaved.pop((session_id, index), None)
        except Exception as exc:  # disk full, locked database: keep it, retry later
            log.warning("grade %s/%s not saved (%s); kept in memory", session_id, index, exc)
            saved = False
            with self._cond:
                self._unsaved[(session_id, index)] = grade
        if self.on_ready is not None:
            with contextlib.suppress(Exception):  # a UI callback must not lose the grade
                self.on_ready(session_id, index, grade)
        return saved

    # ------------------------------------------------------------------ the API
    def submit(self, session_id: str, turn: T) -> None:
        """Grade ``turn`` in the background (no-op while it is queued or being graded)."""
        key = (session_id, turn.index)
        with self._cond:
            if key in self._running or any((j.session_id, j.index) == key for j in self._local):
                return
        payload = turn.model_dump_json()
        try:
            self.jobs.add(session_id, turn.index, payload)
        except Exception as exc:  # the database cannot take it: this worker will
            log.warning("grading job %s/%s kept in memory: %s", *key, exc)
            with self._cond:
                self._local.append(Job(session_id, turn.index, payload, 1))
        with self._cond:
            self._cond.notify_all()

    def position(self, session_id: str) -> int | None:
        """How many grades are served before this session's next one (None: none of
        its grades is waiting to start)."""
        try:
            return self.jobs.ahead(session_id)
        except Exception:
            return None

    def background(self, job: Callable[[], None]) -> None:
        """Run ``job`` on the grading worker when no grade is waiting (e.g. warming the
        model's prompt cache for the next answer). Its failure costs only time."""
        with self._cond:
            self._background.append(job)
            self._cond.notify_all()

    def save_now(self, session_id: str, turn: int, grade: Grade) -> None:
        """A grade decided without the model (skipped turn)."""
        self._keep(session_id, turn, grade)

    def ready(self, session_id: str) -> dict[int, Grade]:
        """The session's grades so far: saved ones plus any the store could not save."""
        grades = self._store.grades(session_id)
        with self._cond:
            unsaved = {i: g for (sid, i), g in self._unsaved.items() if sid == session_id}
        return {**grades, **unsaved}

    def _retry_unsaved(self, session_id: str) -> None:
        with self._cond:
            waiting = [(k, g) for k, g in self._unsaved.items() if k[0] == session_id]
        for (sid, index), grade in waiting:
            with contextlib.suppress(Exception):
                self._store.save_grade(sid, index, grade)
                with self._cond:
                    self._unsaved.pop((sid, index), None)
                self.jobs.done(sid, index)

    def _waiting(self, session_id: str) -> int:
        """The session's grades still to come (a grade kept in memory has come)."""
        with self._cond:
            pending = {j.index for j in self._local if j.session_id == session_id}
            pending |= {i for sid, i in self._running if sid == session_id}
            kept = {i for sid, i in self._unsaved if sid == session_id}
        try:
            pending |= self.jobs.waiting(session_id)
        except Exception as exc:
            log.warning("grading jobs not read: %s", exc)
        return len(pending - kept)

    def collect(
        self,
        session_id: str,
        turns: Sequence[T],
        progress: ProgressFn | None = None,
        retries: int = 1,
    ) -> dict[int, Grade]:
        """Every turn's grade: waits for the session's jobs, (re)grades missing/pending."""
        total = len(turns)
        self._retry_unsaved(session_id)
        for _ in range(retries + 1):
            grades = self.ready(session_id)
            for turn in turns:
                have = grades.get(turn.index)
                if have is None or have.status == "pending":
                    self.submit(session_id, turn)
            while (left := self._waiting(session_id)) > 0:
                if progress is not None:
                    progress(max(0, total - left), total)
                with self._cond:
                    self._cond.wait(0.5)
            if progress is not None:
                progress(total, total)
            grades = self.ready(session_id)
            if all((g := grades.get(t.index)) and g.status == "graded" for t in turns):
                break
        return self.ready(session_id)

    def shutdown(self) -> None:
        """Stop the workers; jobs not finished are free for the other instances."""
        self._stop.set()
        with self._cond:
            self._cond.notify_all()
        with contextlib.suppress(Exception):
            self.jobs.leave()
        for thread in self._threads:  # idle ones stop within a poll; a grade runs on
            thread.join(timeout=POLL_S + 0.5)
