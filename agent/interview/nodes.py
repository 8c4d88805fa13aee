"""The interview's nodes: one method per step, named by verb.

A node that decides where the interview goes next returns ``Command(goto=…,
update=…)``; the others return a state update and follow a fixed edge (``graph.py``).
Dependencies (bank, grading queue, the fast lexical signal, the LLM for probes and
hints, the store's callbacks) come in through ``Deps``. What is asked next on the same
question (a redirect, a bank follow-up, a probe) is ``follow_ups.py``.
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from langgraph.types import Command, RunnableConfig, interrupt

from agent.bank import Bank, Entry
from agent.grading.models import Grade
from agent.grading.queue import GradingQueue
from agent.interview import phrases as say
from agent.interview.follow_ups import next_follow_up, redirect_reason, redirected
from agent.interview.report import build_report
from agent.interview.report_types import Report
from agent.interview.selection import choose_next, next_difficulty
from agent.interview.state import (
    Current,
    InterviewConfig,
    InterviewState,
    Turn,
    answer_text,
    config_of,
    current_of,
    turns_of,
)
from agent.interview.targets import RubricFn, entry_for_turn, skipped_grade
from agent.llm.protocol import LLM
from agent.profile.company import company_ids, company_topics
from agent.review.cards import ReviewCard
from agent.review.questions import due_groups, review_entry, review_line

#: A key point counts as missing for the follow-up decision below this fast
#: lexical coverage; an answer this weak overall gets no follow-up (move on).
MISSING_BELOW = 0.5
HOPELESS_BELOW = 0.08

CoverageFn = Callable[[Entry, str], list[float]]
ProgressFn = Callable[[int, int], None]


@dataclass
class Deps:
    bank: Bank
    queue: GradingQueue[Turn]
    coverage: CoverageFn
    rubric: RubricFn
    llm: LLM | None = None
    history: Callable[[str], tuple[list[str], list[str]]] = lambda candidate: ([], [])
    #: the candidate's review cards due now (agent/review/cards.py)
    due: Callable[[str], list[ReviewCard]] = lambda candidate: []
    on_session: Callable[[str, str, InterviewConfig], None] = lambda sid, cand, cfg: None
    on_finish: Callable[[str, Report], None] = lambda sid, report: None
    #: the candidate's progress over sessions, this report included (the report's
    #: ``progress`` section; agent/review/progress.py)
    progress_of: Callable[[str, Report], dict[str, Any] | None] = lambda c, r: None
    progress: ProgressFn | None = None
    #: the grade of an answer a pre-check decides (no model call), else None
    #: (entry, answer, *, lang, previous): ``Grader.prechecked``
    precheck: Callable[..., Grade | None] = lambda entry, answer, **_: None


_cfg = config_of


def _current(state: InterviewState) -> Current:
    current = current_of(state)
    if current is None:
        raise RuntimeError("no question on the table")
    return current


def _json(model: Current | Turn) -> dict[str, Any]:
    """A model as the state stores it (plain JSON; see state.py)."""
    out: dict[str, Any] = model.model_dump(mode="json")
    return out


def _session_id(config: RunnableConfig) -> str:
    return str(config.get("configurable", {}).get("thread_id", "session"))


def _interviewer(line: str) -> list[dict[str, str]]:
    return [{"role": "interviewer", "content": line}]


class Nodes:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self.bank = deps.bank

    def _entry(self, current: Current, lang: str) -> Entry:
        """The entry of the question on the table (its own, else the bank's), in the
        interview's language."""
        entry = current.entry if current.entry is not None else self.bank.get(current.question_id)
        return entry.in_language(lang)

    def _company(self, company: str | None) -> tuple[set[str], dict[str, float]]:
        """The company's tagged questions and its topics (none: nothing)."""
        if not company:
            return set(), {}
        return company_ids(self.bank, company), company_topics(self.bank, company)

    @staticmethod
    def _project(cfg: InterviewConfig, state: InterviewState) -> Entry | None:
        """The next project question when one is due: the 2nd, 4th … main question."""
        if state.get("main_count", 0) % 2 != 1:
            return None
        asked = set(state.get("asked_ids", []))
        return next((e for e in cfg.projects if e.id not in asked), None)

    def _select_review(self, cfg: InterviewConfig, state: InterviewState) -> Command[Any]:
        """Review mode: the next question with due cards, graded on those points only."""
        index = state.get("main_count", 0)
        groups = due_groups(self.deps.due(cfg.candidate))[: cfg.questions]
        asked = set(state.get("asked_ids", []))
        left = [g for g in groups if g[0].question_id not in asked]
        if not left or index >= cfg.questions:
            return Command(goto="wrap_up", update={"current": None})
        entry = review_entry(left[0], self.bank)
        current = Current(
            question_id=entry.id,
            kind="main",
            question=entry.question,
            asked=review_line(cfg.lang, entry.question, len(left[0]), index + 1, len(groups)),
            origin="review",
            entry=entry,
        )
        update = {"current": _json(current), "asked_ids": [entry.id], "main_count": index + 1}
        return Command(goto="ask", update=update)

    def configure(self, state: InterviewState, config: RunnableConfig) -> dict[str, Any]:
        cfg = config_of(state)
        sid = _session_id(config)
        self.deps.on_session(sid, cfg.candidate, cfg)
        return {
            "config": cfg.model_dump(mode="json"),
            "session_id": sid,
            "difficulty": cfg.band,
            "main_count": 0,
            "done": False,
            "current": None,
            "report": None,
            "transcript": _interviewer(say.opening(cfg.lang, cfg.role, cfg.questions, cfg.mode)),
        }

    def select(self, state: InterviewState) -> Command[Literal["ask", "wrap_up"]]:
        cfg = _cfg(state)
        if state.get("main_count", 0) >= cfg.questions:
            return Command(goto="wrap_up", update={"current": None})
        if cfg.mode == "review":
            return self._select_review(cfg, state)
        recent, weak = self.deps.history(cfg.candidate)
        asked = state.get("asked_ids", [])
        seed = cfg.seed if cfg.seed is not None else zlib.crc32(state["session_id"].encode())
        target = state.get("difficulty", cfg.band)
        project = self._project(cfg, state)
        tagged, flavour = self._company(cfg.company)
        entry = project or choose_next(
            self.bank,
            role=cfg.role,
            difficulty=target,
            band=cfg.band,
            topics=cfg.topics,
            asked_ids=asked,
            asked_topics=[t.topic for t in turns_of(state)],
            recent_ids=recent,
            weak_topics=weak,
            focus=cfg.focus or flavour,
            company_ids=tagged,
            due_ids=[c.question_id for c in self.deps.due(cfg.candidate)],
            rng=random.Random(seed * 1000 + len(asked)),
        )
        if entry is None:
            return Command(goto="wrap_up", update={"current": None})
        index = state.get("main_count", 0)
        question = entry.in_language(cfg.lang).question
        current = Current(
            question_id=entry.id,
            kind="main",
            question=question,
            asked=f"{say.transition(cfg.lang, index)}{question}",
            origin="project" if project else "bank",
            entry=project,
        )
        path = {"question_id": entry.id, "difficulty": entry.difficulty, "target": target}
        update = {
            "current": _json(current),
            "asked_ids": [entry.id],
            "main_count": index + 1,
            "difficulty_path": [path],
        }
        return Command(goto="ask", update=update)

    def ask(self, state: InterviewState) -> Command[Literal["command", "assess"]]:
        current = _current(state)
        raw = interrupt(
            {
                "say": current.asked,
                "question_id": current.question_id,
                "kind": current.kind,
                "turn": len(state.get("turns", [])),
                "main_index": state.get("main_count", 0),
            }
        )
        text, _speech = answer_text(raw)
        command = say.parse_command(text) if text else "empty"
        update = {
            "pending_answer": raw,
            "command": command,
            "transcript": [
                {"role": "interviewer", "content": current.asked},
                {"role": "candidate", "content": text},
            ],
        }
        return Command(goto="command" if command else "assess", update=update)

    def _record(self, state: InterviewState, **fields: Any) -> Turn:
        """The turn the question on the table becomes with ``fields`` (the answer …)."""
        current = _current(state)
        index = len(state.get("turns", []))
        lang = _cfg(state).lang
        return current.answered(index, self._entry(current, lang), lang, **fields)

    def command(self, state: InterviewState) -> Command[Literal["ask", "select", "wrap_up"]]:
        cfg = _cfg(state)
        cmd = state.get("command")
        current = _current(state)
        if cmd == "empty":
            asked = f"{say.phrase(cfg.lang, 'empty_answer')}\n{current.question}"
            return Command(goto="ask", update=self._reask(current, asked))
        if cmd == "repeat":
            asked = f"{say.phrase(cfg.lang, 'repeat_prefix')}{current.question}"
            return Command(goto="ask", update=self._reask(current, asked))
        if cmd == "hint":
            return Command(goto="ask", update=self._hint(cfg, current))
        if cmd == "skip":
            turn = self._record(state, answer="", skipped=True)
            grade = skipped_grade(self.bank, self.deps.rubric, turn)
            self.deps.queue.save_now(state["session_id"], turn.index, grade)
            ack = _interviewer(say.phrase(cfg.lang, "skip_ack"))
            update = {"turns": [_json(turn)], "transcript": ack}
            return Command(goto="select", update=update)
        return Command(  # end
            goto="wrap_up", update={"transcript": _interviewer(say.phrase(cfg.lang, "end_ack"))}
        )

    @staticmethod
    def _reask(current: Current, asked: str) -> dict[str, Any]:
        return {"current": _json(current.model_copy(update={"asked": asked}))}

    def _hint(self, cfg: InterviewConfig, current: Current) -> dict[str, Any]:
        """A hint at the next point still open (a bank follow-up's own points, a probe's
        targets, else any)."""
        entry = self._entry(current, cfg.lang)
        n = current.follow_up
        if n is not None and 0 <= n < len(entry.follow_ups) and entry.follow_ups[n].rubric:
            pending = [p.point for p in entry.follow_ups[n].rubric]
        else:
            points = self.deps.rubric(entry)
            targets = current.targets or range(len(points))
            pending = [points[i].point for i in targets if i < len(points)]
        point = pending[len(current.hints) % len(pending)] if pending else None
        line = say.hint(self.deps.llm, cfg.lang, current.question, point)
        hinted = current.model_copy(
            update={"asked": f"{line}\n{current.question}", "hints": [*current.hints, line]}
        )
        return {"current": _json(hinted), "transcript": _interviewer(line)}

    def assess(self, state: InterviewState) -> Command[Literal["follow_up", "select"]]:
        cfg = _cfg(state)
        text, speech = answer_text(state.get("pending_answer"))
        current = _current(state)
        before = turns_of(state)
        previous = before[-1].answer or None if current.kind == "follow_up" and before else None
        turn = self._record(state, answer=text, speech=speech, previous=previous)
        entry = entry_for_turn(self.bank, self.deps.rubric, turn)
        coverage = self.deps.coverage(entry, text)
        turn = turn.model_copy(update={"coverage": coverage})
        decided = self.deps.precheck(entry, text, lang=cfg.lang, previous=turn.previous)
        if decided is not None:  # its feedback now, not behind grades on the model
            decided = decided.model_copy(update={"question_id": current.question_id})
            self.deps.queue.save_now(state["session_id"], turn.index, decided)
        else:
            self.deps.queue.submit(state["session_id"], turn)
        update: dict[str, Any] = {"turns": [_json(turn)], "redirect": None}
        mean = sum(coverage) / len(coverage) if coverage else 0.0
        if current.kind == "main":
            new = next_difficulty(state.get("difficulty", cfg.band), cfg.band, mean)
            update["difficulty"] = new
            update["difficulty_path"] = [
                {"after": current.question_id, "coverage": round(mean, 2), "next_difficulty": new}
            ]
        if current.kind == "main" or current.redirected:  # graded on every point
            missing = [i for i, c in enumerate(coverage) if c < MISSING_BELOW]
            if mean < HOPELESS_BELOW:  # nothing to build on: move on, don't pile on
                missing = []
        else:
            missing = [i for i in state.get("missing") or [] if i not in set(current.targets)]
        update["missing"] = missing
        reason = redirect_reason(cfg, state, current, decided)
        if reason:
            update["redirect"] = reason
            update["missing"] = list(range(len(coverage)))
            return Command(goto="follow_up", update=update)
        more = bool(missing) and current.follow_ups_used < cfg.max_follow_ups
        more = more and cfg.mode != "review"  # review questions are short: no follow-ups
        return Command(goto="follow_up" if more else "select", update=update)

    def follow_up(self, state: InterviewState) -> dict[str, Any]:
        current = _current(state)
        entry = self._entry(current, _cfg(state).lang)
        if state.get("redirect"):
            again, tag = redirected(state, current, self.deps.rubric(entry))
            return {"current": _json(again), "asked_ids": [tag], "redirect": None}
        nxt, tag = next_follow_up(state, current, entry, self.deps.rubric, self.deps.llm)
        return {"current": _json(nxt), "asked_ids": [tag]}

    def wrap_up(self, state: InterviewState) -> dict[str, Any]:
        cfg = _cfg(state)
        turns = turns_of(state)
        grades = self.deps.queue.collect(state["session_id"], turns, progress=self.deps.progress)
        report = build_report(self.bank, state, grades)
        report.progress = self.deps.progress_of(cfg.candidate, report)
        self.deps.on_finish(state["session_id"], report)
        return {
            "report": report.as_json(),
            "done": True,
            "current": None,
            "transcript": _interviewer(say.phrase(cfg.lang, "closing")),
        }
