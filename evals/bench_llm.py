"""LLM benchmark (not a test): prompt and generation tokens per second and the latency
of one point verdict, for the configured endpoint (the embedded model by default).

Run: ``python -m evals.bench_llm [--repeat N]``. Prompt speed is measured on a ~400-token
prompt with a unique prefix (no cache reuse) and ``max_tokens=1``; generation speed on
128 new tokens after the same prompt was just evaluated (so the server's prompt cache
makes the second call almost pure generation).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
import uuid

from agent.llm.server import connect, describe_endpoint
from agent.prompts import render
from agent.settings import load_settings

_FILLER = "Transformer 的自注意力机制通过查询、键和值的点积计算每个位置对其他位置的权重。"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.bench_llm")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    settings = load_settings()
    results: dict[str, list[float]] = {"prompt_tps": [], "gen_tps": [], "verdict_s": []}
    with connect(settings) as llm:
        print(f"endpoint: {describe_endpoint(settings)}  model: {llm.model}")
        llm.capabilities()
        for _ in range(args.repeat):
            text = f"[{uuid.uuid4().hex}] " + _FILLER * 12
            msgs = [{"role": "user", "content": text + "\n用一句话总结。"}]
            t0 = time.perf_counter()
            r = llm._create(msgs, max_tokens=1, temperature=0.0)
            prompt_s = time.perf_counter() - t0
            n_prompt = r.usage.prompt_tokens if r.usage else 0
            results["prompt_tps"].append(n_prompt / prompt_s)

            msgs2 = [
                {
                    "role": "user",
                    "content": f"[{uuid.uuid4().hex}] 请写一段约200字的关于注意力机制的介绍。",
                }
            ]
            llm._create(msgs2, max_tokens=1, temperature=0.0)  # warm the prompt cache
            t0 = time.perf_counter()
            r2 = llm._create(msgs2, max_tokens=128, temperature=0.0)
            total_s = time.perf_counter() - t0
            n_gen = r2.usage.completion_tokens if r2.usage else 0
            results["gen_tps"].append(n_gen / total_s)

            answer = (
                f"[{uuid.uuid4().hex}] 除以根号 d_k 是因为点积方差随维度增大，避免 softmax 饱和。"
            )
            verdict_msgs = [
                {"role": "system", "content": render("grade_point.system")},
                {
                    "role": "user",
                    "content": render(
                        "grade_point",
                        answer=answer,
                        question="为什么要除以根号 d_k？",
                        point="点积方差随 d_k 增大，缩放防止 softmax 饱和",
                    ),
                },
            ]
            t0 = time.perf_counter()
            llm.verdict(verdict_msgs)
            results["verdict_s"].append(time.perf_counter() - t0)
    summary = {k: round(statistics.median(v), 2) for k, v in results.items()}
    for key, values in results.items():
        print(
            f"{key:11} median {statistics.median(values):8.2f}   runs "
            + ", ".join(f"{v:.2f}" for v in values)
        )
    print(json.dumps({"bench": "llm", "model": settings.llm_model or "embedded", **summary}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
