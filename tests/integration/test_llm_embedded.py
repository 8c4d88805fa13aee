"""The LLM runtime against the real llama.cpp server with the real bundled model."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from pydantic import BaseModel

from agent.cli.main import main
from agent.llm.client import LLMClient
from agent.llm.errors import EndpointUnavailable
from agent.llm.server import connect, responds
from agent.prompts import render
from agent.settings import Settings

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[2]


class Fact(BaseModel):
    country: str
    capital: str


def test_structured_output_round_trip(embedded_llm: LLMClient) -> None:
    fact = embedded_llm.structured(
        [{"role": "user", "content": "法国的首都是哪里？用 JSON 回答 country 与 capital。"}], Fact
    )
    assert isinstance(fact, Fact)
    assert "巴黎" in fact.capital or "paris" in fact.capital.lower()


def _verdict(client: LLMClient, answer: str) -> float:
    messages = [
        {"role": "system", "content": render("grade_point.system")},
        {
            "role": "user",
            "content": render(
                "grade_point",
                answer=answer,
                question="Transformer 为什么需要位置编码？",
                point="自注意力本身与词序无关（置换不变），需要位置编码注入位置信息",
            ),
        },
    ]
    verdict = client.verdict(messages)
    assert verdict.method == "logprobs"
    assert 0.0 <= verdict.p_yes <= 1.0
    return verdict.p_yes


def test_verdict_separates_stated_from_not_stated(embedded_llm: LLMClient) -> None:
    stated = _verdict(
        embedded_llm,
        "因为自注意力对输入顺序是置换不变的，打乱词序结果一样，所以必须加入位置编码来提供位置信息。",
    )
    not_stated = _verdict(embedded_llm, "今天天气很好，我中午吃了面条。")
    print(f"P(是) stated={stated:.3f} not_stated={not_stated:.3f}")
    assert stated > not_stated


def test_status_reports_capabilities(
    embedded_llm: LLMClient, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MIANSHI_LLM_BASE_URL", embedded_llm.base_url)
    assert main(["llm", "status", "--json"]) == 0
    info = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert info["logprobs"] is True
    assert info["structured_output"] in ("json_object", "json_schema")
    assert info["model"] == embedded_llm.model


def test_endpoint_down_gives_clear_error(isolated_settings: Settings) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings = isolated_settings.model_copy(
        update={"llm_base_url": f"http://127.0.0.1:{port}/v1", "llm_timeout": 5.0}
    )
    with connect(settings) as client, pytest.raises(EndpointUnavailable, match="cannot reach"):
        client.chat([{"role": "user", "content": "hi"}])


# SIGINT as a terminal's Ctrl-C gives it: a test run started in the background by a
# shell without job control inherits SIGINT ignored, and the child would sleep on.
CHILD = textwrap.dedent(
    """
    import signal, sys, time
    signal.signal(signal.SIGINT, signal.default_int_handler)
    from agent.llm.server import connect
    from agent.settings import load_settings
    with connect(load_settings(llm_base_url=None)) as client:
        print(client.base_url, flush=True)
        time.sleep(600)
    """
)


def _gone(base_url: str, wait_s: float = 20.0) -> bool:
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        if not responds(base_url):
            return True
        time.sleep(0.2)
    return False


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL])
def test_server_stops_when_the_process_ends(sig: signal.Signals) -> None:
    env = {k: v for k, v in os.environ.items() if not k.endswith("_BASE_URL")}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD], cwd=REPO, stdout=subprocess.PIPE, text=True, env=env
    )
    try:
        assert child.stdout is not None
        base_url = child.stdout.readline().strip()
        assert base_url.startswith("http://127.0.0.1:"), base_url
        assert responds(base_url)
        child.send_signal(sig)
        # generous: under a loaded CI run one SIGINT exit took over 30 s (the server's
        # own shutdown); what is tested is that the server goes, not how fast
        child.wait(timeout=90)
        assert _gone(base_url), f"server at {base_url} still answers after {sig.name}"
    finally:
        if child.poll() is None:
            child.kill()
