"""Interview latency benchmark (not a test), with the configured model (embedded by
default): Start with two CV projects ticked -> the first question (the CV read, its
project questions built, the interview started), answer -> the interviewer's next line
(p50/p95) and answer -> grade ready.

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
from agent.profile.project_questions import with_projects
from agent.profile.read import read_document
from agent.settings import load_settings
from evals.common import percentile

ANSWERS = [
    "我理解它的核心是通过注意力机制计算各个位置之间的相关性，再加权求和得到表示。",
    "不太清楚，可能和模型训练的稳定性有关吧。",
    "主要有三点：第一是原理，第二是实现上的细节，第三是它的优缺点和适用场景。",
]


#: The issue 29 CV: two projects under 项目经历, each a ### title with its bullets.
CV = """# 王小明 · 大模型算法工程师
## 项目经历
### 企业知识库问答助手「QiaoDoc」（2024.03 – 2025.06）
- 检索层用 BM25 和 bge-m3 做 RRF 融合，再用 bge-reranker 精排
- 构建 500 条人工标注评测集，Recall@5 从 71% 提升到 89%
### 客服对话模型「SmartReply」LoRA 微调（2023.07 – 2024.02）
- 基于 Qwen2-7B 用 LoRA 做指令微调，QLoRA 把训练显存降到 24G
## 教育背景
- 某大学 计算机科学 硕士
"""


def _cv_docx(path: Path) -> Path:
    """``CV`` as a Word file (Markdown headings as Word headings, bullets as a list)."""
    import docx

    document = docx.Document()
    for line in CV.splitlines():
        level = len(line) - len(line.lstrip("#"))
        if level:
            document.add_heading(line[level:].strip(), level=level)
        elif line.startswith("- "):
            document.add_paragraph(line[2:], style="List Bullet")
    document.save(str(path))
    return path


def start_with_projects(engine: Engine, tmp: Path) -> float:
    """Seconds from Start with two CV projects ticked to the first question, as the
    app does it (the DOCX read in the worker, then the questions, then the start)."""
    cv = _cv_docx(tmp / "cv.docx")
    started = time.perf_counter()
    config = with_projects(InterviewConfig(questions=3, seed=5), 2, read_document(cv),
                           bank=engine.bank)  # fmt: skip
    step = engine.start(config)
    took = time.perf_counter() - started
    assert len(config.projects) == 2 and step.say
    engine.reply(step.session_id, "结束")  # end it: the bench's own session comes next
    return took


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
            projects_s = start_with_projects(engine, Path(tmp))
            print(f"Start with 2 CV projects -> first question: {projects_s:.3f} s")
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
        "start_with_2_projects_s": round(projects_s, 3),
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
