"""The interview engine as the CLI and the app use it: the graph wired to the real
bank, store, background grader and LLM, driven one step at a time.

    engine = Engine(settings, llm)
    step = engine.start(InterviewConfig(...))      # -> the interviewer's first line
    step = engine.reply(step.session_id, "...")    # -> the next line, or the report
    step = engine.resume(session_id)               # after a crash / restart
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from langgraph.types import Command

from agent import grading
from agent.bank import Bank, Entry, RubricPoint, load_bank
from agent.errors import UserError
from agent.grading.checks import too_long
from agent.grading.models import Grade
from agent.grading.queue import GradingQueue
from agent.grading.rubric import rubric_for
from agent.interview.graph import compile_graph
from agent.interview.nodes import Deps
from agent.interview.report_types import Report
from agent.interview.state import InterviewConfig, Turn, turns_of
from agent.interview.store import SessionRecord, Store, new_session_id
from agent.interview.targets import entry_for_turn
from agent.llm.protocol import LLM
from agent.review import progress
from agent.review.cards import Cards, ReviewCard
from agent.settings import Settings


@dataclass
class Step:
    session_id: str
    say: str | None = None  # the interviewer's line waiting for an answer
    question_id: str | None = None
    kind: str | None = None
    turn: int = 0
    main_index: int = 0
    done: bool = False
    report: Report | None = None
    transcript: list[dict[str, str]] = field(default_factory=list)
    #: the checkpoint the session waits at: an answer meant for this line gives it
    #: back to ``Engine.reply`` (``at=``), so a window that fell behind is refused
    at: str | None = None


def _waiting(
    session_id: str, value: dict[str, Any], transcript: list[dict[str, str]], at: str | None
) -> Step:
    """The step of a session waiting at the interrupt whose payload is ``value``."""
    return Step(
        session_id=session_id,
        say=value["say"],
        question_id=value["question_id"],
        kind=value["kind"],
        turn=value["turn"],
        main_index=value["main_index"],
        transcript=transcript,
        at=at,
    )


def _report(value: Any) -> Report | None:
    """The report the graph state holds (JSON), typed."""
    return Report.model_validate(value) if value else None


def _checkpoint_id(snapshot: Any) -> str:
    return str(snapshot.config.get("configurable", {}).get("checkpoint_id", ""))


log = logging.getLogger(__name__)

ANSWERED_ELSEWHERE = (
    "this question was already answered in another window or terminal; "
    "reopen the session to see where it stands (nothing was lost)"
)


class Engine:
    def __init__(
        self,
        settings: Settings,
        llm: LLM | None,
        *,
        bank: Bank | None = None,
        store: Store | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> None:
        self.settings = settings
        self.llm = llm
        #: what "now" is for review cards (tests move it forward)
        self.clock: Callable[[], datetime] = lambda: datetime.now(UTC)
        self.bank = bank or load_bank()
        self.store = store or Store(settings.database)
        #: review cards, in the same database (one connection, opened once)
        self.cards = Cards(self.store.db)
        cache = settings.data_dir

        def rubric(entry: Entry) -> list[RubricPoint]:
            return rubric_for(entry, llm, cache)[0]

        def coverage(entry: Entry, answer: str) -> list[float]:
            return grading.quick_coverage(rubric(entry), answer)

        grader = grading.Grader(llm, settings) if llm is not None else None
        self.grader = grader

        def grade(
            entry: Entry, answer: str, *, lang: str = "zh", previous: str | None = None
        ) -> grading.Grade:
            if grader is None:
                raise UserError("no LLM available to grade with")
            return grader.grade(entry, answer, lang=lang, previous=previous)

        self.queue: GradingQueue[Turn] = GradingQueue(
            grade,
            lambda turn: entry_for_turn(self.bank, rubric, turn),
            Turn.model_validate_json,
            self.store,
            workers=settings.grading_workers,
        )
        self.deps = Deps(
            bank=self.bank,
            queue=self.queue,
            coverage=coverage,
            rubric=rubric,
            llm=llm,
            history=lambda candidate: self.store.recent_history(candidate),
            due=self._due_cards,
            on_session=self.store.create_session,
            on_finish=self._finished,
            progress_of=self._progress_of,
            progress=progress,
            **({"precheck": grader.prechecked} if grader is not None else {}),
        )
        self.graph = compile_graph(self.deps, self.store.checkpointer)

    def _due_cards(self, candidate: str) -> list[ReviewCard]:
        """The candidate's review cards due now (a failure: none)."""
        try:
            return self.cards.due(candidate, now=self.clock())
        except Exception as exc:
            log.warning("review cards not read: %s", exc)
            return []

    def _progress_of(self, candidate: str, report: Report) -> dict[str, Any] | None:
        """The candidate's progress with ``report`` as the latest session (a failure:
        none; the report stands without it)."""
        try:
            this = {"report": report.as_json(), "status": "finished", "created": time.time()}
            stored = self.store.sessions(candidate, limit=500)
            sessions = [s.as_json() for s in stored if s.id != report.session_id] + [this]
            found = progress.build(candidate, sessions, self.bank, self._due_cards(candidate))
            return progress.summary(found)
        except Exception as exc:
            log.warning("progress for %s not added to the report: %s", candidate, exc)
            return None

    def _finished(self, session_id: str, report: Report) -> None:
        """The report is saved; the points missed or half-covered become review cards
        (a failure there costs only the cards, never the report)."""
        self.store.finish_session(session_id, report)
        try:
            self.cards.from_report(report.as_json(), now=self.clock())
        except Exception as exc:  # e.g. a locked database: the report stands
            log.warning("review cards for %s not updated: %s", session_id, exc)

    def close(self) -> None:
        self.queue.shutdown()
        self.cards.close()
        self.store.close()

    @staticmethod
    def _config(session_id: str) -> dict[str, Any]:
        return {"configurable": {"thread_id": session_id}}

    def _step(self, session_id: str, result: dict[str, Any], before: int) -> Step:
        transcript = list(result.get("transcript", []))[before:]
        interrupts = result.get("__interrupt__") or []
        if interrupts:
            at = _checkpoint_id(self.graph.get_state(self._config(session_id)))
            step = _waiting(session_id, interrupts[0].value, transcript, at)
            self._warm(step, str((result.get("config") or {}).get("lang") or "zh"))
            return step
        done = bool(result.get("done"))
        if done:
            with contextlib.suppress(Exception):  # only space is at stake, never the report
                self.store.compact(session_id)  # the final state stays; its history goes
        return Step(
            session_id=session_id,
            done=done,
            report=_report(result.get("report")),
            transcript=transcript,
        )

    def _warm(self, step: Step, lang: str) -> None:
        """While the candidate answers a main question, evaluate the grade prompt's
        answer-independent prefix (queued behind any grade in flight)."""
        grader = self.grader
        if grader is None or step.kind != "main" or not step.question_id:
            return
        if step.question_id not in self.bank.by_id:
            return
        entry = self.bank.get(step.question_id).in_language(lang)
        self.queue.background(lambda: grader.warm(entry))

    def start(self, config: InterviewConfig, session_id: str | None = None) -> Step:
        sid = session_id or new_session_id()
        result = self.graph.invoke({"config": config.model_dump()}, self._config(sid))
        return self._step(sid, result, 0)

    def reply(self, session_id: str, answer: str | dict[str, Any], at: str | None = None) -> Step:
        """The answer to the line the session waits at (``at``: the ``Step.at`` the
        answer was written for; another line there now means another window answered)."""
        if isinstance(answer, str):
            self.check_answer(answer)
        config = self._config(session_id)
        snapshot = self.graph.get_state(config)
        if not snapshot.interrupts:
            raise UserError(f"session {session_id!r} is not waiting for an answer")
        step = _checkpoint_id(snapshot)
        if (at is not None and at != step) or not self.store.claim(session_id, step):
            raise UserError(ANSWERED_ELSEWHERE)
        before = len(snapshot.values.get("transcript", []))
        try:
            result = self.graph.invoke(Command(resume=answer), config)
        except BaseException:
            self.store.release(session_id, step)
            raise
        return self._step(session_id, result, before)

    def resume(self, session_id: str) -> Step:
        """Where a session stands: its pending question, or it runs on to the end if
        the process died inside a step (e.g. while waiting for grades); a step another
        window or process is running right now is not run twice."""
        config = self._config(session_id)
        snapshot = self.graph.get_state(config)
        if not snapshot.values:
            raise UserError(f"no interview with session id {session_id!r}")
        transcript = list(snapshot.values.get("transcript", []))
        if snapshot.interrupts:
            value = snapshot.interrupts[0].value
            return _waiting(session_id, value, transcript, _checkpoint_id(snapshot))
        if snapshot.next:
            step = _checkpoint_id(snapshot)
            if not self.store.claim(session_id, step):
                raise UserError(
                    "this session is busy in another window or process (e.g. grading for "
                    "the report); try again in a moment"
                )
            try:
                return self._step(session_id, self.graph.invoke(None, config), len(transcript))
            finally:
                self.store.release(session_id, step)
        return Step(
            session_id=session_id,
            done=True,
            report=_report(snapshot.values.get("report")),
            transcript=transcript,
        )

    def transcript(self, session_id: str) -> list[dict[str, Any]]:
        snapshot = self.graph.get_state(self._config(session_id))
        return list(snapshot.values.get("transcript", [])) if snapshot.values else []

    def turns(self, session_id: str) -> list[Turn]:
        snapshot = self.graph.get_state(self._config(session_id))
        return turns_of(snapshot.values) if snapshot.values else []

    # ------------------------------------------------ what the front ends need
    def check_answer(self, answer: str) -> None:
        """The one rule for an answer's length (UserError naming the limit)."""
        refused = too_long(answer, self.settings.max_answer_chars)
        if refused:
            raise UserError(refused)

    def grades(self, session_id: str) -> dict[int, Grade]:
        """The session's grades ready so far, by turn index."""
        return self.queue.ready(session_id)

    def queue_position(self, session_id: str) -> int | None:
        """How many grades are served before this session's next one (None: none of
        its grades waits to start)."""
        return self.queue.position(session_id)

    def on_grade(self, callback: Callable[[str, int, Grade], None] | None) -> None:
        """Call ``callback(session_id, turn, grade)`` as each grade is ready."""
        self.queue.on_ready = callback

    def due_cards(self, candidate: str) -> list[ReviewCard]:
        """The candidate's review cards due now."""
        return self._due_cards(candidate)

    def card_count(self, candidate: str) -> int:
        return self.cards.count(candidate)

    def session(self, session_id: str) -> SessionRecord | None:
        """A stored session (who, when, config, status, report)."""
        return self.store.session(session_id)
