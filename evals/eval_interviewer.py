"""Interviewer behaviour eval: scripted candidate personas run whole interviews, and a
checklist is scored on each.

Each persona (``evals/interviewer_personas.py``: strong, weak, off_topic, rambling,
silent, injection, fine, hints, cv) answers every question the same scripted way,
through the real ``Engine`` (graph, bank, background grader, store in a temporary
data dir) with the configured model, in practice and in real mode (2 main questions,
at most 1 follow-up each by default; the CV persona 4, so both its projects are
asked). The persona takes as long to answer as a candidate would (``Typing``: a delay
proportional to the answer's length, capped; ``--typing-cps 0`` answers at once).

The chat is recorded as the app shows it: after an answer, practice mode holds the
next main question until every earlier answer is graded (the app's
``_feedback_first``, at most ``Settings.feedback_wait_s``), then shows the feedback
ready (``agent.ui.views.new_feedback``), then the interviewer's lines; while the
candidate types, the app's timer shows feedback as grades come in.

The checklist (``evals/interviewer_checklist.py``) is scored per run; the result has
each item's pass rate over the runs it applies to, and the **feedback wait**: per
main question but the last in practice mode, the time from the candidate's last
answer to it until its feedback (every answer to it) is all shown, p50 / p90 over
those not already shown by then, and over those whose next main question was held
for a grade still with the model (a pre-checked answer's feedback is there at once),
with how long it was held. The last line printed is a one-line JSON summary; results go to
``evals/results/interviewer-<model>-<sha>.json``.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from agent.interview.phrases import phrase
from agent.interview.state import InterviewConfig
from agent.llm.protocol import LLM
from agent.profile.project_questions import with_projects
from agent.settings import Settings
from agent.ui.session import UISession
from agent.ui.views import new_feedback, ungraded
from evals.common import RESULTS_DIR, percentile, save_result
from evals.interviewer_checklist import ITEMS, Context, checklist, feedback_turn, is_answer
from evals.interviewer_personas import (
    INSTANT,
    PERSONAS,
    Persona,
    Typing,
    cv_projects,
    cv_text,
    first_clause,
)

__all__ = ["MODES", "PERSONAS", "Persona", "Typing", "first_clause", "run", "run_interview"]

MODES = ("practice", "real")
#: How often the chat looks for feedback (the app's timer is every 2 s; finer here so
#: the wait is measured closely).
POLL_S = 0.5
#: The next main question counts as held for a grade when it waited longer than this.
HELD_S = 0.1


class Chat:
    """The chat as the app shows it, each message with when it was shown."""

    def __init__(self, engine: Any, ui: UISession, started: float, lang: str) -> None:
        self.engine, self.ui, self.started, self.lang = engine, ui, started, lang
        self.messages: list[dict[str, Any]] = []

    def now(self) -> float:
        return round(time.perf_counter() - self.started, 3)

    def add(self, role: str, content: str, **extra: Any) -> None:
        self.messages.append({"role": role, "content": content, "t": self.now(), **extra})

    def poll(self) -> None:
        """The feedback ready and not shown yet (practice mode; real mode shows none)."""
        sid = self.ui.session_id
        for msg in new_feedback(self.ui, self.engine.grades(sid), self.engine.turns(sid)):
            self.add("feedback", msg["content"])

    def typing(self, seconds: float) -> None:
        """The candidate takes ``seconds`` to answer; the timer shows feedback meanwhile."""
        end = time.perf_counter() + seconds
        while True:
            self.poll()
            left = end - time.perf_counter()
            if left <= 0:
                return
            time.sleep(min(POLL_S, left))

    def hold(self, timeout: float) -> None:
        """Practice mode, a main question next: wait until every earlier answer is
        graded (the app's ``_feedback_first``), at most ``timeout`` seconds."""
        sid, deadline = self.ui.session_id, time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if not ungraded(self.engine.turns(sid), self.engine.grades(sid)):
                return
            time.sleep(POLL_S)

    def interviewer(self, step: Any, first: bool = False) -> None:
        """The interviewer's lines after an answer (``views.reply_messages``: a line the
        next question repeats is shown once), the question marked with its main index."""
        say = step.say or ""
        new = step.transcript if first else step.transcript[2:]
        for line in new:
            text = line.get("content") or ""
            if line.get("role") == "interviewer" and text and text not in say:
                self.add("interviewer", text, closing=text == phrase(self.lang, "closing"))
        if say:
            self.add("interviewer", say, main_index=step.main_index)


def run_interview(
    engine: Any,
    persona: Persona,
    config: InterviewConfig,
    *,
    max_steps: int = 24,
    feedback_wait: float = 180.0,
) -> dict[str, Any]:
    """Drive one interview to its report as a candidate in the app would (see the
    module docstring); returns the lines answered, the chat, turns, report and the
    feedback wait per main question."""
    started = time.perf_counter()
    step = engine.start(config)
    ui = UISession(session_id=step.session_id, mode=config.mode)
    chat = Chat(engine, ui, started, config.lang)
    chat.interviewer(step, first=True)
    lines: list[dict[str, Any]] = []
    blocks: list[dict[str, Any]] = []
    for _ in range(max_steps):
        if step.done:
            break
        answer = persona.answer(step, step.main_index)
        chat.typing(persona.typing.seconds(answer))
        lines.append(
            {
                "say": step.say,
                "question_id": step.question_id,
                "kind": step.kind,
                "turn": step.turn,
                "main_index": step.main_index,
                "answer": answer,
            }
        )
        chat.add("candidate", answer)
        sent, main = chat.now(), step.main_index
        lines[-1]["sent"] = sent
        step = engine.reply(step.session_id, answer)
        returned = chat.now()
        if config.mode == "practice" and not step.done and step.kind == "main":
            chat.hold(feedback_wait)
        chat.poll()
        chat.interviewer(step)
        if config.mode == "practice" and (step.done or step.main_index != main):
            blocks.append(_block(chat, lines, main, sent, returned, last=step.done))
    chat.poll()  # anything still unshown comes after the closing line
    return {
        "session_id": step.session_id,
        "done": step.done,
        "report": step.report.as_json() if step.report else None,
        "lines": lines,
        "chat": chat.messages,
        "transcript": engine.transcript(step.session_id),
        "turns": [t.model_dump(mode="json") for t in engine.turns(step.session_id)],
        "blocks": blocks,
        "seconds": round(time.perf_counter() - started, 1),
    }


def _block(
    chat: Chat, lines: list[dict[str, Any]], main: int, sent: float, returned: float, last: bool
) -> dict[str, Any]:
    """Main question ``main`` just ended (its last answer ``sent``; the interviewer's
    next line was ready at ``returned``): when all its feedback was shown."""
    skipped = {t.index for t in chat.engine.turns(chat.ui.session_id) if t.skipped}
    wanted = {
        int(x["turn"])
        for x in lines
        if x["main_index"] == main and is_answer(x) and x["turn"] not in skipped
    }
    times = {feedback_turn(m["content"]): m["t"] for m in chat.messages if m["role"] == "feedback"}
    shown = [times[i] for i in wanted if i in times]
    at = max(shown) if wanted and len(shown) == len(wanted) else None
    return {
        "main_index": main,
        "last": last,
        "answers": len(wanted),
        "turns": sorted(wanted),
        "answered_at": sent,
        "shown_at": at,
        "already_shown": at is not None and at <= sent,
        "wait_s": None if at is None else round(max(0.0, at - sent), 2),
        "held_s": None if at is None else round(max(0.0, at - returned), 2),
    }


# --------------------------------------------------------------------------- checks


def context(
    engine: Any, persona: Persona, config: InterviewConfig, projects: Sequence[str] = ()
) -> Context:
    return Context(
        bank=engine.bank,
        rubric=engine.deps.rubric,
        persona=persona.name,
        mode=config.mode,
        questions=config.questions,
        max_follow_ups=config.max_follow_ups,
        on_topic=persona.on_topic,
        commands=persona.commands,
        lang=config.lang,
        projects=list(projects),
    )


def check_run(run: dict[str, Any], ctx: Context) -> dict[str, Any]:
    """The checklist for one interview (``evals/interviewer_checklist.py``)."""
    return checklist(run, ctx)


def _config(name: str, mode: str, questions: int, max_follow_ups: int, seed: int) -> Any:
    n = max(questions, 4) if name == "cv" else questions
    return InterviewConfig(
        questions=n, max_follow_ups=max_follow_ups, mode=mode, seed=seed, candidate=f"eval-{name}"
    )


def _one(
    engine: Any, name: str, config: InterviewConfig, typing: Typing, feedback_wait: float
) -> dict[str, Any]:
    """One persona's interview, checked."""
    projects = cv_projects() if name == "cv" else []
    if projects:
        config = with_projects(config, projects, cv_text(), bank=engine.bank)
    persona = Persona(name, engine.bank, config.mode, config.questions, typing)
    persona.projects = {e.id: e for e in config.projects}
    result = run_interview(engine, persona, config, feedback_wait=feedback_wait)
    checks = check_run(result, context(engine, persona, config, projects))
    report = result["report"] or {}
    return {
        "persona": name,
        "mode": config.mode,
        "seconds": result["seconds"],
        "lines": result["lines"],
        "chat": result["chat"],
        "transcript": result["transcript"],
        "blocks": result["blocks"],
        "scores": [(t.get("grade") or {}).get("score") for t in report.get("turns", [])],
        "overall": (report.get("summary") or {}).get("overall_score"),
        "checks": checks,
        "passed": all(c["passed"] is not False for c in checks.values()),
    }


def run(
    llm: LLM | None,
    settings: Settings,
    *,
    personas: Sequence[str] = PERSONAS,
    modes: Sequence[str] = MODES,
    questions: int = 2,
    max_follow_ups: int = 1,
    seed: int = 7,
    typing: Typing = INSTANT,
    data_dir: Path | None = None,
    log: Callable[[str], None] = print,
    checkpoint: Callable[[dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """Every persona × mode as a whole interview in a temporary data dir.
    ``checkpoint`` receives the partial result after each interview."""
    from agent.interview.engine import Engine

    tmp = None
    if data_dir is None:
        tmp = tempfile.TemporaryDirectory(prefix="mianshi-eval-interviewer-")
        data_dir = Path(tmp.name)
    local = settings.model_copy(update={"data_dir": data_dir})
    engine = Engine(local, llm)
    started = time.perf_counter()
    runs: list[dict[str, Any]] = []
    try:
        for name in personas:
            for mode in modes:
                config = _config(name, mode, questions, max_follow_ups, seed)
                entry = _one(engine, name, config, typing, local.feedback_wait_s)
                runs.append(entry)
                if checkpoint is not None:
                    checkpoint(_result(runs, llm, started, typing))
                failed = [k for k, c in entry["checks"].items() if c["passed"] is False]
                log(
                    f"{name:10} {mode:8} {entry['seconds']:6.1f}s  lines {len(entry['lines'])}"
                    f"  scores {entry['scores']}  "
                    + ("all checks pass" if not failed else "FAIL " + ",".join(failed))
                )
    finally:
        engine.close()
        if tmp is not None:
            tmp.cleanup()
    return _result(runs, llm, started, typing)


def feedback_wait(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Practice mode, per main question before the next one: the wait from the last
    answer to it until all its feedback is shown (over those not already shown), and
    over those whose next main question was held for it (an answer still with the model
    when the interviewer's next line was ready; a pre-checked answer's grade is saved
    as it is taken), with how long it was held."""
    blocks = [b for r in runs for b in r.get("blocks") or [] if not b["last"] and b["answers"]]
    waited = [b for b in blocks if b["wait_s"] is not None and not b["already_shown"]]
    held = [b for b in waited if (b["held_s"] or 0.0) > HELD_S]

    def p(values: list[float], q: float) -> float | None:
        return round(percentile(values, q), 2) if values else None

    return {
        "main_questions": len(blocks),
        "not_shown_by_then": len(waited),
        "never_shown": sum(1 for b in blocks if b["shown_at"] is None),
        "wait_p50_s": p([b["wait_s"] for b in waited], 0.5),
        "wait_p90_s": p([b["wait_s"] for b in waited], 0.9),
        "wait_max_s": max((b["wait_s"] for b in waited), default=None),
        "held": len(held),
        "held_wait_p50_s": p([b["wait_s"] for b in held], 0.5),
        "held_wait_p90_s": p([b["wait_s"] for b in held], 0.9),
        "held_p50_s": p([b["held_s"] for b in held], 0.5),
        "held_p90_s": p([b["held_s"] for b in held], 0.9),
    }


def _result(
    runs: list[dict[str, Any]], llm: LLM | None, started: float, typing: Typing
) -> dict[str, Any]:
    table: dict[str, dict[str, Any]] = {
        name: {
            "source": source,
            "item": text,
            "passed": sum(1 for r in runs if r["checks"][name]["passed"] is True),
            "runs": sum(1 for r in runs if r["checks"][name]["applicable"]),
        }
        for name, (source, text, _) in ITEMS.items()
    }
    for row in table.values():
        row["rate"] = round(row["passed"] / row["runs"], 3) if row["runs"] else None
    failed_runs = [f"{r['persona']}/{r['mode']}" for r in runs if not r["passed"]]
    wait = feedback_wait(runs)
    summary = {
        "eval": "interviewer",
        "model": getattr(llm, "model", None),
        "runs": len(runs),
        "passed_runs": len(runs) - len(failed_runs),
        "failed_runs": failed_runs,
        "checks": {k: f"{v['passed']}/{v['runs']}" for k, v in table.items()},
        "feedback_wait_p50_s": wait["wait_p50_s"],
        "feedback_wait_p90_s": wait["wait_p90_s"],
        "feedback_wait_held_p50_s": wait["held_wait_p50_s"],
        "feedback_wait_held_p90_s": wait["held_wait_p90_s"],
        "typing": {"chars_per_s": typing.chars_per_s, "cap_s": typing.cap_s},
        "all_passed": not failed_runs,
        "seconds": round(time.perf_counter() - started, 1),
    }
    return {"summary": summary, "checks": table, "feedback_wait": wait, "runs": runs}


def report(result: dict[str, Any], log: Callable[[str], None] = print) -> None:
    log("\nchecklist (runs passing / runs it applies to)")
    log(f"  {'item':28} {'from':12} {'pass':>7} {'rate':>6}  what")
    for name, c in result["checks"].items():
        rate = "n/a" if c["rate"] is None else f"{100 * c['rate']:.0f}%"
        log(f"  {name:28} {c['source']:12} {c['passed']:>3}/{c['runs']:<3} {rate:>6}  {c['item']}")
    w = result["feedback_wait"]
    log(
        f"\npractice feedback before the next main question ({w['main_questions']} main "
        f"questions, {w['not_shown_by_then']} not shown by the last answer): wait p50 "
        f"{w['wait_p50_s']} s, p90 {w['wait_p90_s']} s, max {w['wait_max_s']} s; the "
        f"{w['held']} whose next question was held for the model's grade: wait p50 "
        f"{w['held_wait_p50_s']} s, p90 {w['held_wait_p90_s']} s, held p50 {w['held_p50_s']} s, "
        f"p90 {w['held_p90_s']} s"
    )
    for r in result["runs"]:
        for name, c in r["checks"].items():
            if c["passed"] is False:
                detail = json.dumps(c["detail"], ensure_ascii=False)[:400]
                log(f"  FAIL {r['persona']}/{r['mode']} {name}: {detail}")


def save(result: dict[str, Any], commit: str, results_dir: Path = RESULTS_DIR) -> Path:
    model = str(result["summary"].get("model") or "model").replace("/", "_")
    result["summary"]["commit"] = commit
    return save_result(result, f"interviewer-{model}-{commit}", results_dir)
