"""Soak: N candidates answering at once while the embedded model server is killed.

Each candidate (a thread on one shared ``Engine``, as the app runs them) starts an
interview of M main questions and answers every line; after the first round of
answers the llama.cpp server is killed with SIGKILL. The engine restarts it on the
next model call and grades that failed stay pending until the report collects them.

Reported: lost turns (answers given that no turn records; must be 0), invented grades
(a grade marked graded without a model verdict or a deterministic pre-check; must be
0), grades still pending at the end, the server restarts, and p50/p90 of the time from
an answer to the interviewer's next line under that load.

Run: ``python -m evals.soak [--candidates 2 4 8] [--questions 2]`` (``make bench``);
``tests/faults/test_soak.py`` runs the CI-size form.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from agent.interview.engine import Engine
from agent.interview.state import InterviewConfig
from agent.llm.server import EmbeddedServer
from agent.settings import Settings, load_settings
from evals.common import percentile

#: said when a question has no reference answer; else the candidate answers with the
#: reference (on topic, so a pre-check never decides it: every answer meets the model)
ANSWER = (
    "我理解它的核心是先讲清楚原理，再说实现上的细节，最后说优缺点和适用场景；"
    "比如注意力就是 query 和 key 点积后 softmax 加权求和 value。"
)


def answer_for(engine: Engine, question_id: str | None) -> str:
    entry = engine.bank.by_id.get(question_id) if question_id else None
    return (entry.reference_answer or ANSWER)[:600] if entry is not None else ANSWER


HONEST_METHODS = {"likelihood", "logprobs", "sampled", "precheck"}


@dataclass
class SoakResult:
    candidates: int
    questions: int
    answers: int = 0
    lost_turns: int = 0
    invented_grades: int = 0
    pending_at_end: int = 0
    restarts: int = 0
    failed_candidates: int = 0
    latency_p50_s: float | None = None
    latency_p90_s: float | None = None
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)


def _candidate(
    engine: Engine, i: int, questions: int, first_round: threading.Barrier, out: dict[str, Any]
) -> None:
    config = InterviewConfig(
        questions=questions, max_follow_ups=0, seed=100 + i, candidate=f"soak-{i}", mode="real"
    )
    step = engine.start(config)
    out["session"], out["latency"], out["answers"] = step.session_id, [], 0
    first = True
    while not step.done:
        start = time.perf_counter()
        step = engine.reply(step.session_id, answer_for(engine, step.question_id))
        out["answers"] += 1
        if not step.done:  # the last answer waits for the report, not for a next line
            out["latency"].append(time.perf_counter() - start)
        if first:
            first = False
            first_round.wait(timeout=600)  # every candidate has answered once: kill now


def run(settings: Settings, candidates: int, questions: int) -> SoakResult:
    result = SoakResult(candidates=candidates, questions=questions)
    server = EmbeddedServer(settings)
    begun = time.perf_counter()
    url = server.start()
    try:
        llm = server.client(url)
        engine = Engine(settings, llm)

        def kill() -> None:
            if server.process is not None:
                server.process.kill()

        first_round = threading.Barrier(candidates + 1)
        outs: list[dict[str, Any]] = [{} for _ in range(candidates)]
        threads = [
            threading.Thread(target=_run_one, args=(engine, i, questions, first_round, outs[i]))
            for i in range(candidates)
        ]
        for t in threads:
            t.start()
        first_round.wait(timeout=900)
        kill()
        for t in threads:
            t.join()
        _tally(engine, outs, result)
        result.restarts = len(server.restarts)
        engine.close()
    finally:
        server.stop()
    result.seconds = round(time.perf_counter() - begun, 1)
    return result


def _run_one(
    engine: Engine, i: int, questions: int, barrier: threading.Barrier, out: dict[str, Any]
) -> None:
    try:
        _candidate(engine, i, questions, barrier, out)
    except Exception as exc:  # counted, not raised: the soak reports what broke
        out["error"] = f"{type(exc).__name__}: {exc}"
        barrier.abort()


def _tally(engine: Engine, outs: list[dict[str, Any]], result: SoakResult) -> None:
    latencies: list[float] = []
    for out in outs:
        if "error" in out:
            result.failed_candidates += 1
            result.errors.append(out["error"])
        if "session" not in out:
            continue
        sid = out["session"]
        turns = engine.turns(sid)
        result.answers += out["answers"]
        latencies += out["latency"]
        # every answer is a turn (no command words are sent)
        result.lost_turns += max(0, out["answers"] - len(turns))
        grades = engine.grades(sid)
        for turn in turns:
            grade = grades.get(turn.index)
            if grade is None or grade.status != "graded":
                result.pending_at_end += 1
            elif grade.method not in HONEST_METHODS:
                result.invented_grades += 1
    if latencies:
        result.latency_p50_s = round(percentile(latencies, 0.5), 2)
        result.latency_p90_s = round(percentile(latencies, 0.9), 2)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.soak")
    parser.add_argument("--candidates", type=int, nargs="+", default=[2, 4, 8])
    parser.add_argument("--questions", type=int, default=2)
    args = parser.parse_args(argv)
    rows = []
    for n in args.candidates:
        with tempfile.TemporaryDirectory() as tmp:
            result = run(load_settings(data_dir=Path(tmp)), n, args.questions)
        rows.append(asdict(result))
        print(json.dumps(rows[-1], ensure_ascii=False), flush=True)
        broken = result.lost_turns or result.invented_grades or result.failed_candidates
        if broken:
            print(f"broke at {n} candidates", flush=True)
            break
    p50s = [r["latency_p50_s"] for r in rows if r["latency_p50_s"] is not None]
    if p50s:
        print(f"median of p50 latencies: {statistics.median(p50s)} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
