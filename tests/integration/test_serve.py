"""The embedded server's patches (agent/llm/serve.py) on the real bundled model: a
reply's tokens and top logprobs (streamed, and not) are those of unpatched
llama-cpp-python, for a fresh prompt and for one that reuses the cached prefix of the
one before; and a prompt's own logprobs (``echo``, the grader's key-point
likelihoods) are the unpatched library's, also after other requests left rows
without logits in the cache."""

from __future__ import annotations

from typing import Any

import pytest

from agent.assets import llm_model_file
from agent.llm.client import LLMClient
from agent.llm.serve import patched
from agent.settings import Settings

pytestmark = pytest.mark.integration

ASK = "\n这个回答提到了低秩分解吗？答："
PROMPTS = (
    "问题：什么是 LoRA？\n回答：低秩分解，冻结原权重，只训练 A 和 B。" + ASK,
    "问题：什么是 LoRA？\n回答：它把全部参数都重新训练一遍。" + ASK,
)


def _model(settings: Settings) -> Any:
    """The bundled model in this process, as the server loads it (every row kept)."""
    from llama_cpp import Llama

    return Llama(
        model_path=str(llm_model_file(settings)), n_ctx=512, logits_all=True,
        n_threads=2, verbose=False,
    )  # fmt: skip


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
    llm = _model(isolated_settings)
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


CONTEXT = "问题：什么是 LoRA？\n回答：低秩分解，冻结原权重，只训练 A 和 B。\n要点："
POINTS = ("冻结预训练权重", "只训练低秩矩阵 A 和 B", "推理时可以合并回原权重")


def _echo(llm: Any, prompt: str, **extra: Any) -> list[float | None]:
    whole = llm.create_completion(
        prompt=prompt, max_tokens=1, temperature=0.0, logprobs=0, echo=True, **extra
    )
    return list(whole["choices"][0]["logprobs"]["token_logprobs"])


def _floats(logprobs: list[float | None]) -> list[float]:
    """Logprobs the reply gave every one of (asserted)."""
    assert None not in logprobs, logprobs
    return [x for x in logprobs if x is not None]


def _truth(llm: Any, prompt: str, split: int) -> list[float]:
    """Each token's logprob from the unpatched library's rows: the prompt evaluated
    afresh in the same two pieces as the request (llama.cpp's sums differ by batch
    shape, up to ~0.1 here). Not its ``echo`` reply: that pairs token i with row i,
    the row that predicts token i + 1."""
    import numpy as np

    tokens = llm.tokenize(prompt.encode("utf-8"), special=True)
    llm.reset()
    for piece in (tokens[:split], tokens[split:]):
        llm.eval(piece)
    rows = np.asarray(llm.scores[: len(tokens)], dtype=np.float64)
    logp = rows - np.logaddexp.reduce(rows, axis=1, keepdims=True)
    return [float("nan")] + [float(logp[j - 1, tokens[j]]) for j in range(1, len(tokens))]


def test_prompt_logprobs_are_the_unpatched_ones_after_any_request(
    isolated_settings: Settings,
) -> None:
    llm = _model(isolated_settings)
    with patched():
        _replies(llm)  # leaves a context whose rows were computed last-row-only
        fast = [_echo(llm, CONTEXT + p) for p in POINTS]  # each reuses the one before
        llm.create_completion(CONTEXT + "这个回答", max_tokens=2, temperature=0.0)
        fast.append(_echo(llm, CONTEXT + POINTS[0]))  # after a plain reply in between
        echoed = llm.create_completion(
            prompt=CONTEXT + POINTS[1], max_tokens=1, logprobs=0, echo=True
        )["choices"][0]
    shared = len(llm.tokenize(CONTEXT.encode("utf-8"), special=True))
    splits = (
        len(llm.tokenize((CONTEXT + POINTS[0]).encode("utf-8"), special=True)),
        shared,
        shared,
        shared,
    )
    plain = [_truth(llm, CONTEXT + p, k) for p, k in zip((*POINTS, POINTS[0]), splits, strict=True)]
    for got, want in zip(fast, plain, strict=True):
        assert len(got) == len(want) > 20 and got[0] is None
        pairs = zip(_floats(got[1:]), want[1:], strict=True)
        assert all(abs(g - w) < 1e-6 for g, w in pairs), (got, want)
    offsets = echoed["logprobs"]["text_offset"]
    assert echoed["text"] == CONTEXT + POINTS[1]
    assert offsets[0] == 0 and offsets == sorted(offsets) and offsets[-1] < len(echoed["text"])
    assert (CONTEXT + POINTS[1])[offsets[-1] :] == echoed["logprobs"]["tokens"][-1]


def test_scoring_from_an_offset_gives_the_points_logprobs_without_the_rows_before(
    isolated_settings: Settings,
) -> None:
    llm = _model(isolated_settings)
    shared = len(llm.tokenize(CONTEXT.encode("utf-8"), special=True))
    with patched():
        whole = [_echo(llm, CONTEXT + p) for p in POINTS]
        llm.reset()
        _replies(llm)
        part = [_echo(llm, CONTEXT + p, mianshi_score_from=len(CONTEXT)) for p in POINTS]
    assert any(v is None for v in part[0][1:shared])  # the context's rows were skipped
    for got, want in zip(part, whole, strict=True):
        assert len(got) == len(want) > shared and None not in got[shared:]
        pairs = zip(_floats(got[shared:]), _floats(want[shared:]), strict=True)
        assert all(abs(g - w) < 1e-4 for g, w in pairs), (
            got[shared:],
            want[shared:],
        )


def test_the_embedded_server_takes_the_offset_over_http(embedded_llm: LLMClient) -> None:
    assert embedded_llm.scores_from
    prompt = "问题：KV cache 省的是什么？\n回答：省掉重复计算历史 token 的 K 和 V。\n要点："
    at = len(prompt)
    prompt += "缓存历史 token 的键值"
    part = embedded_llm.prompt_logprobs(prompt, score_from=at)
    before = [v for o, v in part[1:] if o < at]
    assert before and None in before  # not evaluated with rows: the field got through
    assert all(v is not None for o, v in part if o >= at)
    whole = embedded_llm.prompt_logprobs(prompt)  # scores the rest; the point's are reused
    assert all(v is not None for _, v in whole[1:])
    assert [v for o, v in whole if o >= at] == [v for o, v in part if o >= at]
    apart = LLMClient(embedded_llm.base_url, model=embedded_llm.model)  # as another process
    assert not apart.scores_from and apart.has_prompt_logprobs() and apart.scores_from
