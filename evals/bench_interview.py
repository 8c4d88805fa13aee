"""Interview latency benchmark (not a test), with the configured model (embedded by
default): answer -> the interviewer's next line (p50/p95) and answer -> grade ready.

Run: ``python -m evals.bench_interview [--questions N]``. Uses a scratch data dir.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import threading
import time
from pathlib import Path

from agent.grading.models import Grade
from agent.interview.engine import Engine
from agent.interview.state import InterviewConfig
from agent.llm.server import connect
from agent.settings import load_settings
from evals.common import percentile

ANSWERS = [
    "我理解它的核心是通过注意力机制计算各个位置之间的相关性，再加权求和得到表示。",
    "不太清楚，可能和模型训练的稳定性有关吧。",
    "主要有三点：第一是原理，第二是实现上的细节，第三是它的优缺点和适用场景。",
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.bench_interview")
    parser.add_argument("--questions", type=int, default=3)
    parser.add_argument(
        "--think",
        type=float,
        default=20.0,
        help="seconds a candidate takes to answer each line (the grader warms its "
        "prompt meanwhile); 0 answers at once",
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(data_dir=Path(tmp))
        with connect(settings) as llm:
            engine = Engine(settings, llm)
            answered_at: dict[int, float] = {}
            ready_s: list[float] = []
            lock = threading.Lock()

            def on_ready(session_id: str, turn: int, grade: Grade) -> None:
                with lock:
                    if turn in answered_at:
                        ready_s.append(time.perf_counter() - answered_at[turn])

            engine.on_grade(on_ready)
            config = InterviewConfig(questions=args.questions, max_follow_ups=1, seed=5)
            step = engine.start(config)
            next_line_s: list[float] = []
            i = 0
            while not step.done and step.say is not None:
                answer = ANSWERS[i % len(ANSWERS)]
                time.sleep(args.think)
                t0 = time.perf_counter()
                with lock:
                    answered_at[step.turn] = t0
                nxt = engine.reply(step.session_id, answer)
                if not nxt.done:
                    next_line_s.append(time.perf_counter() - t0)
                step = nxt
                i += 1
            engine.close()
    summary = {
        "bench": "interview",
        "answers": i,
        "next_line_p50_s": round(statistics.median(next_line_s), 3) if next_line_s else None,
        "next_line_p95_s": round(percentile(next_line_s, 0.95), 3) if next_line_s else None,
        "grade_ready_p50_s": round(statistics.median(ready_s), 2) if ready_s else None,
        "grade_ready_max_s": round(max(ready_s), 2) if ready_s else None,
    }
    print("answer -> next line (s):", ", ".join(f"{v:.3f}" for v in next_line_s))
    print("answer -> grade ready (s):", ", ".join(f"{v:.1f}" for v in ready_s))
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
