"""The embedded server's patches (agent/llm/serve.py) on the real bundled model: a
reply's tokens and top logprobs (streamed, and not) are those of unpatched
llama-cpp-python, for a fresh prompt and for one that reuses the cached prefix of the
one before."""

from __future__ import annotations

from typing import Any

import pytest

from agent.llm.assets import llm_model_file
from agent.llm.serve import patched
from agent.settings import Settings

pytestmark = pytest.mark.integration

ASK = "\n这个回答提到了低秩分解吗？答："
PROMPTS = (
    "问题：什么是 LoRA？\n回答：低秩分解，冻结原权重，只训练 A 和 B。" + ASK,
    "问题：什么是 LoRA？\n回答：它把全部参数都重新训练一遍。" + ASK,
)


def _replies(llm: Any) -> list[list[tuple[str, dict[str, float]]]]:
    """Streamed (as the grader asks) and not (as ``LLMClient.verdict`` does)."""
    out = []
    for prompt in PROMPTS:  # the second reuses the first's cached prefix
        stream = llm.create_completion(
            prompt, max_tokens=3, temperature=0.0, logprobs=5, stream=True
        )
        chunks = [c["choices"][0] for c in stream]
        out.append([(c["text"], c["logprobs"]["top_logprobs"][0]) for c in chunks if c["logprobs"]])
        whole = llm.create_completion(prompt, max_tokens=2, temperature=0.0, logprobs=5)
        lp = whole["choices"][0]["logprobs"]
        out.append(list(zip(lp["tokens"], lp["top_logprobs"], strict=True)))
    return out


def test_patched_server_streams_the_same_tokens_and_logprobs(isolated_settings: Settings) -> None:
    from llama_cpp import Llama

    llm = Llama(
        model_path=str(llm_model_file(isolated_settings)), n_ctx=512, logits_all=True,
        n_threads=2, verbose=False,
    )  # fmt: skip
    with patched():  # first: no row the unpatched model computed is left to read
        fast = _replies(llm)
    llm.reset()
    plain = _replies(llm)
    assert all(plain) and [[t for t, _ in r] for r in fast] == [[t for t, _ in r] for r in plain]
    for reply_fast, reply_plain in zip(fast, plain, strict=True):
        for (_, top_fast), (_, top_plain) in zip(reply_fast, reply_plain, strict=True):
            assert list(top_fast) == list(top_plain)
            assert all(abs(top_fast[k] - top_plain[k]) < 1e-3 for k in top_plain)
    import llama_cpp.llama

    assert llama_cpp.llama.Llama.eval is not None and not hasattr(llama_cpp.llama, "sorted")
