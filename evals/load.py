"""Capacity: simulated candidates against 1 and 2 app instances that share one
PostgreSQL database and one model endpoint, as N grows.

An instance is a process with its own ``Engine`` (what ``app.py`` runs) on the shared
database and endpoint; its candidates are threads. Each candidate starts an interview
of Q main questions (practice mode, no follow-ups), waits THINK seconds before each
answer (reading, thinking), answers on topic (the start of the reference answer), and
finally waits for its report. Measured:

- turns per minute (answers taken across all candidates / wall time);
- p50 / p90 of answer → interviewer's next line (what a candidate waits for);
- p50 / p90 of grade completion (answer → its grade saved; the shared grading queue);
- p50 of the report wait after the last answer.

Run: ``python -m evals.load [--instances 1 2] [--candidates 1 2 4 8]`` (``mianshi eval
load``); with no ``--database`` a throwaway PostgreSQL cluster is started, with no
``--llm-url`` one embedded llama.cpp server with the bundled model.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from evals.common import REPO, git_short_sha, percentile, save_result

#: A candidate's answer: the first part of the question's reference answer (on topic,
#: so it takes the model's verdicts like a real answer, not a deterministic pre-check).
ANSWER_CHARS = 300
FALLBACK = (
    "我理解它的核心是先讲清楚原理，再说实现上的细节，最后说优缺点和适用场景；"
    "比如注意力就是 query 和 key 点积后 softmax 加权求和 value。"
)


def _answer(engine: Any, question_id: str | None) -> str:
    entry = engine.bank.by_id.get(question_id or "")
    reference = (entry.reference_answer or "") if entry else ""
    return reference[:ANSWER_CHARS] or FALLBACK


def _candidate(engine: Any, name: str, questions: int, think: float, out: dict[str, Any]) -> None:
    from agent.interview.state import InterviewConfig

    config = InterviewConfig(questions=questions, max_follow_ups=0, candidate=name)
    step = engine.start(config)
    out.update(session=step.session_id, answered=[], latency=[], report_wait=None)
    while not step.done:
        time.sleep(think)
        began = time.time()
        step = engine.reply(step.session_id, _answer(engine, step.question_id), at=step.at)
        waited = time.time() - began
        out["answered"].append(began)
        if step.done:
            out["report_wait"] = waited
        else:
            out["latency"].append(waited)


def worker(args: argparse.Namespace) -> int:
    """One instance: its candidates as threads; one JSON line per candidate."""
    from agent.interview.engine import Engine
    from agent.llm.client import LLMClient
    from agent.settings import Settings

    settings = Settings(data_dir=Path(args.data), cache_dir=Path(args.data) / "cache",
                        database_url=args.database)  # fmt: skip
    engine = Engine(settings, LLMClient(args.llm_url, model=args.model))
    count = args.candidates[0]  # this instance's share
    outs: list[dict[str, Any]] = [{} for _ in range(count)]
    threads = [
        threading.Thread(target=_safe, args=(engine, f"{args.name}-{i}", args, outs[i]))
        for i in range(count)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for out in outs:
        if "session" in out:
            grades = engine.store.db.all(
                "SELECT turn, updated, status FROM grades WHERE session_id=?", (out["session"],)
            )
            out["grades"] = sorted([int(t), float(u), str(s)] for t, u, s in grades)
        print(json.dumps(out), flush=True)
    engine.close()
    return 0


def _safe(engine: Any, name: str, args: argparse.Namespace, out: dict[str, Any]) -> None:
    try:
        _candidate(engine, name, args.questions, args.think, out)
    except Exception as exc:  # counted: the run reports what broke
        out["error"] = f"{type(exc).__name__}: {exc}"


def measure(
    instances: int, candidates: int, args: argparse.Namespace, database: str, llm: str, tmp: Path
) -> dict[str, Any]:
    """One point of the curve: ``candidates`` spread over ``instances`` processes."""
    began = time.time()
    procs = []
    for n in range(instances):
        share = candidates // instances + (1 if n < candidates % instances else 0)
        if share == 0:
            continue
        cmd = [sys.executable, "-m", "evals.load", "--worker", "--name", f"i{n}-c{candidates}",
               "--candidates", str(share), "--questions", str(args.questions),
               "--think", str(args.think), "--database", database, "--llm-url", llm,
               "--model", args.model, "--data", str(tmp / f"i{n}")]  # fmt: skip
        procs.append(subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, text=True))
    outs: list[dict[str, Any]] = []
    for proc in procs:
        stdout, _ = proc.communicate(timeout=3600)
        outs += [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]
        if proc.returncode != 0:
            outs.append({"error": f"instance exited with {proc.returncode}"})
    wall = time.time() - began
    latency = [x for o in outs for x in o.get("latency", [])]
    completion = [  # turn i is the i-th answer (no follow-ups, no command words)
        updated - o["answered"][turn]
        for o in outs
        for turn, updated, status in o.get("grades", [])
        if status == "graded" and turn < len(o.get("answered", []))
    ]
    waits = [o["report_wait"] for o in outs if o.get("report_wait") is not None]
    answers = sum(len(o.get("answered", [])) for o in outs)

    def p(values: list[float], q: float) -> float | None:
        return round(percentile(values, q), 2) if values else None

    return {
        "instances": instances,
        "candidates": candidates,
        "answers": answers,
        "errors": [o["error"] for o in outs if "error" in o],
        "wall_s": round(wall, 1),
        "turns_per_min": round(answers / wall * 60, 2),
        "next_line_p50_s": p(latency, 0.5),
        "next_line_p90_s": p(latency, 0.9),
        "grade_done_p50_s": p(completion, 0.5),
        "grade_done_p90_s": p(completion, 0.9),
        "report_wait_p50_s": p(waits, 0.5),
    }


def table(rows: list[dict[str, Any]]) -> str:
    head = ("| instances | candidates | turns/min | next line p50 / p90 (s) | "
            "grade done p50 / p90 (s) | report wait p50 (s) |")  # fmt: skip
    lines = [head, "|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(
            f"| {r['instances']} | {r['candidates']} | {r['turns_per_min']} | "
            f"{r['next_line_p50_s']} / {r['next_line_p90_s']} | "
            f"{r['grade_done_p50_s']} / {r['grade_done_p90_s']} | {r['report_wait_p50_s']} |"
        )
    return "\n".join(lines)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The run's options (shared with ``mianshi eval load``)."""
    parser.add_argument("--instances", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--candidates", type=int, nargs="+", default=[1, 2, 4, 8])
    parser.add_argument("--questions", type=int, default=2)
    parser.add_argument("--think", type=float, default=5.0, help="seconds before each answer")
    parser.add_argument("--database", help="postgresql://… (default: a throwaway cluster)")
    parser.add_argument("--llm-url", help="OpenAI-compatible endpoint (default: embedded)")
    parser.add_argument("--model", default="qwen")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--name", default="c", help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.load", description=__doc__)
    add_arguments(parser)
    return run(parser.parse_args(argv))


def run(args: argparse.Namespace) -> int:
    if args.worker:
        return worker(args)
    import tempfile
    from contextlib import ExitStack

    from agent.db.cluster import Cluster
    from agent.llm.server import EmbeddedServer
    from agent.settings import load_settings

    rows: list[dict[str, Any]] = []
    path = None
    with ExitStack() as stack, tempfile.TemporaryDirectory(prefix="mianshi-load-") as tmp:
        llm = args.llm_url
        if not llm:
            server = stack.enter_context(EmbeddedServer(load_settings(llm_base_url=None)))
            llm, args.model = server.base_url, server.alias
        cluster = None if args.database else stack.enter_context(Cluster())
        for instances in args.instances:
            for n in args.candidates:
                database = args.database
                if cluster is not None:  # a fresh database per point: no backlog carried on
                    database = cluster.create_database(f"load_{instances}_{n}")
                row = measure(instances, n, args, database, llm, Path(tmp) / f"{instances}-{n}")
                rows.append(row)
                print(json.dumps(row, ensure_ascii=False), flush=True)
                result = {"commit": git_short_sha(), "questions": args.questions,
                          "think_s": args.think, "rows": rows}  # fmt: skip
                path = save_result(result, f"load-{git_short_sha()}")  # each point, as it comes
    print(table(rows))
    print(f"saved {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
