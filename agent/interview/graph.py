"""The interview as a LangGraph state machine.

    configure -> select -> ask -> [interrupt: wait for the answer] -> assess | command
    assess  -> follow_up -> ask        (key points missing, follow-ups left)
    assess  -> select                  (next main question)
    command -> ask                     (hint, repeat, empty answer)
    command -> select | wrap_up        (skip | end)
    select  -> wrap_up -> END          (all main questions asked)

Nodes are named by verb and get their dependencies (bank, store, grading queue, the
fast lexical signal, the LLM for probes and hints) through ``Deps``; the graph is
compiled with a checkpointer so every step is saved (``thread_id`` = session id).
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.types import RunnableConfig, interrupt

from agent.bank import Bank, Entry, FollowUp, RubricPoint
from agent.grading.models import Grade
from agent.grading.queue import GradingQueue
from agent.interview import phrases as say
from agent.interview.report import build_report
from agent.interview.selection import choose_next, next_difficulty
from agent.interview.state import Current, InputState, InterviewConfig, InterviewState, Turn
from agent.llm.client import LLMClient

#: A key point counts as missing for the follow-up decision below this fast
#: lexical coverage; an answer this weak overall gets no follow-up (move on).
MISSING_BELOW = 0.5
HOPELESS_BELOW = 0.08

CoverageFn = Callable[[Entry, str], list[float]]
RubricFn = Callable[[Entry], list[RubricPoint]]
ProgressFn = Callable[[int, int], None]


@dataclass
class Deps:
    bank: Bank
    queue: GradingQueue
    coverage: CoverageFn
    rubric: RubricFn
    llm: LLMClient | None = None
    history: Callable[[str], tuple[list[str], list[str]]] = lambda candidate: ([], [])
    on_session: Callable[[str, str, dict[str, Any]], None] = lambda sid, cand, cfg: None
    on_finish: Callable[[str, dict[str, Any]], None] = lambda sid, report: None
    progress: ProgressFn | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def entry_for_turn(bank: Bank, rubric: RubricFn, turn: dict[str, Any]) -> Entry:
    """What a turn is graded against: the bank entry, or for a follow-up the follow-up
    question with the parent's rubric points it aims at (and its answer, if any)."""
    entry = bank.get(turn["question_id"])
    if turn.get("kind") != "follow_up":
        return entry
    points = rubric(entry)
    targets = [i for i in turn.get("targets") or [] if 0 <= i < len(points)]
    chosen = [points[i] for i in targets] or points
    return entry.model_copy(
        update={
            "question": turn["question"],
            "rubric": chosen,
            "reference_answer": turn.get("reference") or entry.reference_answer,
            "rubric_source": entry.rubric_source if entry.rubric else "derived",
        }
    )


def _cfg(state: InterviewState) -> InterviewConfig:
    return InterviewConfig.model_validate(state["config"])


def _current(state: InterviewState) -> dict[str, Any]:
    current = state.get("current")
    if current is None:
        raise RuntimeError("no question on the table")
    return current


def _session_id(config: RunnableConfig) -> str:
    return str(config.get("configurable", {}).get("thread_id", "session"))


def _answer_text(raw: Any) -> tuple[str, dict[str, Any] | None]:
    if isinstance(raw, dict):
        return str(raw.get("text", "")).strip(), raw.get("speech")
    return str(raw or "").strip(), None


def build_graph(deps: Deps) -> StateGraph:
    bank = deps.bank

    def configure(state: InterviewState, config: RunnableConfig) -> dict[str, Any]:
        cfg = InterviewConfig.model_validate(state.get("config") or {})
        sid = _session_id(config)
        deps.on_session(sid, cfg.candidate, cfg.model_dump())
        return {
            "config": cfg.model_dump(),
            "session_id": sid,
            "difficulty": cfg.band,
            "main_count": 0,
            "done": False,
            "current": None,
            "report": None,
            "transcript": [
                {
                    "role": "interviewer",
                    "content": say.opening(cfg.lang, cfg.role, cfg.questions, cfg.mode),
                }
            ],
        }

    def select(state: InterviewState) -> dict[str, Any]:
        cfg = _cfg(state)
        if state.get("main_count", 0) >= cfg.questions:
            return {"current": None}
        recent, weak = deps.history(cfg.candidate)
        asked = state.get("asked_ids", [])
        turns = state.get("turns", [])
        seed = cfg.seed if cfg.seed is not None else zlib.crc32(state["session_id"].encode())
        rng = random.Random(seed * 1000 + len(asked))
        entry = choose_next(
            bank,
            role=cfg.role,
            difficulty=state.get("difficulty", cfg.band),
            band=cfg.band,
            topics=cfg.topics,
            asked_ids=asked,
            asked_topics=[t.get("topic", "") for t in turns],
            recent_ids=recent,
            weak_topics=weak,
            rng=rng,
        )
        if entry is None:
            return {"current": None}
        index = state.get("main_count", 0)
        current = Current(
            question_id=entry.id,
            kind="main",
            question=entry.question,
            asked=f"{say.transition(cfg.lang, index)}{entry.question}",
        )
        return {
            "current": current.model_dump(),
            "asked_ids": [entry.id],
            "main_count": index + 1,
            "difficulty_path": [
                {
                    "question_id": entry.id,
                    "difficulty": entry.difficulty,
                    "target": state.get("difficulty", cfg.band),
                }
            ],
        }

    def ask(state: InterviewState) -> dict[str, Any]:
        current = Current.model_validate(state["current"])
        raw = interrupt(
            {
                "say": current.asked,
                "question_id": current.question_id,
                "kind": current.kind,
                "turn": len(state.get("turns", [])),
                "main_index": state.get("main_count", 0),
            }
        )
        text, _speech = _answer_text(raw)
        return {
            "pending_answer": raw,
            "command": say.parse_command(text) if text else "empty",
            "transcript": [
                {"role": "interviewer", "content": current.asked},
                {"role": "candidate", "content": text},
            ],
        }

    def after_ask(state: InterviewState) -> str:
        return "command" if state.get("command") else "assess"

    def _record(state: InterviewState, **fields: Any) -> dict[str, Any]:
        current = Current.model_validate(state["current"])
        entry = bank.get(current.question_id)
        turn = Turn(
            index=len(state.get("turns", [])),
            question_id=current.question_id,
            kind=current.kind,
            question=current.question,
            asked=current.asked,
            hints=current.hints,
            difficulty=entry.difficulty,
            topic=entry.topic,
            parent_id=current.parent_id,
            **fields,
        ).model_dump()
        turn.update(_current(state).get("grading") or {})
        return turn

    def command(state: InterviewState) -> dict[str, Any]:
        cfg = _cfg(state)
        cmd = state.get("command")
        current = Current.model_validate(state["current"])
        if cmd == "empty":
            asked = f"{say.phrase(cfg.lang, 'empty_answer')}\n{current.question}"
            return {"current": {**_current(state), "asked": asked}, "route": "ask"}
        if cmd == "repeat":
            asked = f"{say.phrase(cfg.lang, 'repeat_prefix')}{current.question}"
            return {"current": {**_current(state), "asked": asked}, "route": "ask"}
        if cmd == "hint":
            entry = bank.get(current.question_id)
            points = deps.rubric(entry)
            targets = (_current(state).get("grading") or {}).get("targets") or range(len(points))
            pending = [points[i].point for i in targets if i < len(points)]
            point = pending[len(current.hints) % len(pending)] if pending else None
            line = say.hint(deps.llm, cfg.lang, current.question, point)
            hints = [*current.hints, line]
            asked = f"{line}\n{current.question}"
            return {
                "current": {**_current(state), "asked": asked, "hints": hints},
                "route": "ask",
                "transcript": [{"role": "interviewer", "content": line}],
            }
        if cmd == "skip":
            turn = _record(state, answer="", skipped=True)
            deps.queue.save_now(
                state["session_id"], turn["index"], skipped_grade(bank, deps.rubric, turn, cfg)
            )
            return {
                "turns": [turn],
                "route": "select",
                "transcript": [
                    {"role": "interviewer", "content": say.phrase(cfg.lang, "skip_ack")}
                ],
            }
        # end
        return {
            "route": "wrap_up",
            "transcript": [{"role": "interviewer", "content": say.phrase(cfg.lang, "end_ack")}],
        }

    def assess(state: InterviewState) -> dict[str, Any]:
        cfg = _cfg(state)
        text, speech = _answer_text(state.get("pending_answer"))
        current = Current.model_validate(state["current"])
        turn = _record(state, answer=text, speech=speech)
        graded_against = entry_for_turn(bank, deps.rubric, turn)
        coverage = deps.coverage(graded_against, text)
        turn["coverage"] = coverage
        deps.queue.submit(state["session_id"], turn)
        update: dict[str, Any] = {"turns": [turn], "route": "select"}
        mean = sum(coverage) / len(coverage) if coverage else 0.0
        if current.kind == "main":
            new = next_difficulty(state.get("difficulty", cfg.band), cfg.band, mean)
            update["difficulty"] = new
            update["difficulty_path"] = [
                {"after": current.question_id, "coverage": round(mean, 2), "next_difficulty": new}
            ]
        if current.kind == "main":
            missing = [i for i, c in enumerate(coverage) if c < MISSING_BELOW]
            if mean < HOPELESS_BELOW:  # nothing to build on: move on, don't pile on
                missing = []
        else:
            probed = set((_current(state).get("grading") or {}).get("targets") or [])
            missing = [i for i in state.get("missing") or [] if i not in probed]
        update["missing"] = missing
        if missing and current.follow_ups_used < cfg.max_follow_ups:
            update["route"] = "follow_up"
        return update

    def follow_up(state: InterviewState) -> dict[str, Any]:
        cfg = _cfg(state)
        current = Current.model_validate(state["current"])
        entry = bank.get(current.question_id)
        missing: list[int] = list(state.get("missing") or [])
        asked_fu = {a for a in state.get("asked_ids", []) if a.startswith(entry.id + "#")}
        chosen = _aimed_follow_up(entry, missing, asked_fu)
        intro = say.follow_up_intro(cfg.lang, len(state.get("turns", [])))
        if chosen is not None:
            n, fu = chosen
            question = fu.question
            grading = {"targets": fu.targets or missing, "reference": fu.answer}
            tag = f"{entry.id}#fu{n}"
        else:
            points = deps.rubric(entry)
            point = points[missing[0]].point if missing else points[0].point
            question = say.probe(deps.llm, cfg.lang, entry.question, point)
            grading = {"targets": missing[:1], "reference": None}
            tag = f"{entry.id}#probe{len(asked_fu)}"
        nxt = Current(
            question_id=entry.id,
            kind="follow_up",
            question=question,
            asked=f"{intro}{question}",
            parent_id=entry.id,
            follow_ups_used=current.follow_ups_used + 1,
        ).model_dump()
        nxt["grading"] = grading
        return {"current": nxt, "asked_ids": [tag]}

    def wrap_up(state: InterviewState) -> dict[str, Any]:
        cfg = _cfg(state)
        turns = state.get("turns", [])
        grades = deps.queue.collect(state["session_id"], turns, progress=deps.progress)
        report = build_report(bank, dict(state), grades)
        deps.on_finish(state["session_id"], report)
        return {
            "report": report,
            "done": True,
            "current": None,
            "transcript": [{"role": "interviewer", "content": say.phrase(cfg.lang, "closing")}],
        }

    def route(state: InterviewState) -> str:
        return str(state.get("route") or "select")

    def after_select(state: InterviewState) -> str:
        return "ask" if state.get("current") else "wrap_up"

    graph = StateGraph(InterviewState, input_schema=InputState)
    graph.add_node("configure", configure)
    graph.add_node("select", select)
    graph.add_node("ask", ask)
    graph.add_node("command", command)
    graph.add_node("assess", assess)
    graph.add_node("follow_up", follow_up)
    graph.add_node("wrap_up", wrap_up)
    graph.add_edge(START, "configure")
    graph.add_edge("configure", "select")
    graph.add_conditional_edges("select", after_select, ["ask", "wrap_up"])
    graph.add_conditional_edges("ask", after_ask, ["command", "assess"])
    graph.add_conditional_edges("command", route, ["ask", "select", "wrap_up"])
    graph.add_conditional_edges("assess", route, ["follow_up", "select"])
    graph.add_edge("follow_up", "ask")
    graph.add_edge("wrap_up", END)
    return graph


def _aimed_follow_up(
    entry: Entry, missing: list[int], asked: set[str]
) -> tuple[int, FollowUp] | None:
    """The unasked bank follow-up whose targets are all among the ``missing`` points,
    the one covering most of them (first on ties); None when no bank follow-up aims
    only at missing points: the caller then probes a missing point itself rather than
    asking again about something the candidate already covered."""
    best: tuple[int, FollowUp] | None = None
    best_hits = 0
    for n, fu in enumerate(entry.follow_ups):
        if f"{entry.id}#fu{n}" in asked or not set(fu.targets) <= set(missing):
            continue
        if len(fu.targets) > best_hits:
            best, best_hits = (n, fu), len(fu.targets)
    return best


def compile_graph(deps: Deps, checkpointer: BaseCheckpointSaver[Any] | None) -> Any:
    return build_graph(deps).compile(checkpointer=checkpointer)


def skipped_grade(
    bank: Bank, rubric: RubricFn, turn: dict[str, Any], cfg: InterviewConfig
) -> dict[str, Any]:
    """A skipped question scores 0 with every point missing: decided, not a model call."""
    entry = entry_for_turn(bank, rubric, turn)
    points = [p.point for p in entry.rubric or rubric(entry)]
    feedback = "跳过了这道题。" if cfg.lang == "zh" else "Skipped."
    return Grade.skipped(str(turn["question_id"]), points, feedback).model_dump()
