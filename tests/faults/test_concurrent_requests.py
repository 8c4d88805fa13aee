"""Two requests at once on the real embedded server: the second waits, the first is
served to the end (llama-cpp-python's default cuts a running stream short)."""

from __future__ import annotations

import threading
import time

import pytest

from agent.llm.client import LLMClient

pytestmark = pytest.mark.integration


def test_a_request_arriving_mid_stream_does_not_cut_it(embedded_llm: LLMClient) -> None:
    count = [{"role": "user", "content": "从 1 数到 30，用逗号隔开，只输出数字。"}]
    result: dict[str, str] = {}

    def stream() -> None:
        text, _tokens = embedded_llm.stream_tokens(count, max_tokens=90, temperature=0.0)
        result["text"] = text

    worker = threading.Thread(target=stream)
    worker.start()
    time.sleep(1.5)  # the stream is under way
    other = embedded_llm.chat([{"role": "user", "content": "你好"}], max_tokens=4)
    worker.join(timeout=300)
    assert other
    assert "20" in result.get("text", ""), result  # it ran past the interruption point
