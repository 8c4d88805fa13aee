"""LLMClient against a test double of the HTTP endpoint (httpx2 MockTransport)."""

from __future__ import annotations

import json
import math
import socket
from collections.abc import Callable
from typing import Any

import httpx2
import pytest
from pydantic import BaseModel

from agent.llm.client import LLMClient
from agent.llm.errors import (
    BadOutput,
    ContextTooLong,
    EndpointUnavailable,
    InvalidKey,
    ModelNotFound,
)

SECRET = "sk-test-abcdef123456"


def completion(content: str, top: list[tuple[str, float]] | None = None) -> dict[str, Any]:
    choice: dict[str, Any] = {
        "index": 0,
        "finish_reason": "stop",
        "message": {"role": "assistant", "content": content},
        "logprobs": None,
    }
    if top is not None:
        choice["logprobs"] = {
            "content": [
                {
                    "token": top[0][0],
                    "logprob": top[0][1],
                    "bytes": None,
                    "top_logprobs": [{"token": t, "logprob": lp, "bytes": None} for t, lp in top],
                }
            ]
        }
    return {
        "id": "x",
        "object": "chat.completion",
        "created": 0,
        "model": "fake",
        "choices": [choice],
    }


class FakeEndpoint:
    """Records requests; ``reply`` decides each chat completion."""

    def __init__(self, reply: Callable[[dict[str, Any]], httpx2.Response]) -> None:
        self.reply = reply
        self.requests: list[dict[str, Any]] = []

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        if request.url.path.endswith("/models"):
            return httpx2.Response(
                200,
                json={
                    "object": "list",
                    "data": [
                        {"id": "fake-model", "object": "model", "created": 0, "owned_by": "me"}
                    ],
                },
            )
        body = json.loads(request.content)
        self.requests.append(body)
        return self.reply(body)

    def client(self, **kwargs: Any) -> LLMClient:
        return LLMClient(
            "http://fake.test/v1",
            api_key=SECRET,
            http_client=httpx2.Client(transport=httpx2.MockTransport(self)),
            **kwargs,
        )


def caps_aware(on_call: Callable[[dict[str, Any]], httpx2.Response]) -> FakeEndpoint:
    """An endpoint with json_object schemas and logprobs, like llama.cpp's server."""

    def reply(body: dict[str, Any]) -> httpx2.Response:
        fmt = body.get("response_format") or {}
        if fmt.get("type") == "json_schema":
            return httpx2.Response(500, json={"error": "Input should be 'text' or 'json_object'"})
        if body.get("max_tokens") == 16 and fmt.get("type") == "json_object":
            return httpx2.Response(200, json=completion('{"ok": true}'))
        if body.get("logprobs") and body.get("top_logprobs") == 2:
            return httpx2.Response(200, json=completion("OK", [("OK", -0.1), ("Ok", -2.0)]))
        if body.get("grammar"):
            return httpx2.Response(200, json=completion("ok"))
        return on_call(body)

    return FakeEndpoint(reply)


def test_model_defaults_to_first_listed() -> None:
    fake = FakeEndpoint(lambda body: httpx2.Response(200, json=completion("hi")))
    client = fake.client()
    assert client.chat([{"role": "user", "content": "x"}]) == "hi"
    assert fake.requests[0]["model"] == "fake-model"


def test_verdict_probability_from_top_logprobs() -> None:
    top = [("是", math.log(0.6)), ("否", math.log(0.2)), ("Yes", math.log(0.1)), ("好", -3.0)]
    fake = caps_aware(lambda body: httpx2.Response(200, json=completion("是", top)))
    verdict = fake.client(model="m").verdict([{"role": "user", "content": "q"}])
    assert verdict.method == "logprobs"
    assert verdict.p_yes == pytest.approx(0.7 / 0.9)
    last = fake.requests[-1]
    assert last["max_tokens"] == 1 and last["logprobs"] is True and last["top_logprobs"] == 5


def test_capabilities_probed_once() -> None:
    fake = caps_aware(lambda body: httpx2.Response(200, json=completion("否", [("否", -0.1)])))
    client = fake.client(model="m")
    for _ in range(3):
        assert client.verdict([{"role": "user", "content": "q"}]).p_yes == 0.0
    caps = client.capabilities()
    assert caps.structured == "json_object" and caps.logprobs and caps.grammar
    # 2 json_schema/json_object probes + 1 logprobs probe + 1 grammar probe + 3 verdicts
    assert len(fake.requests) == 7


def test_sampled_verdict_when_no_logprobs() -> None:
    def reply(body: dict[str, Any]) -> httpx2.Response:
        return httpx2.Response(200, json=completion("否。"))

    verdict = FakeEndpoint(reply).client(model="m").verdict([{"role": "user", "content": "q"}])
    assert verdict.method == "sampled" and verdict.p_yes == 0.0


def test_garbage_verdict_is_an_error_not_a_guess() -> None:
    fake = FakeEndpoint(lambda body: httpx2.Response(200, json=completion("banana")))
    with pytest.raises(BadOutput):
        fake.client(model="m").verdict([{"role": "user", "content": "q"}])


class Point(BaseModel):
    x: int
    y: int


def test_structured_repairs_then_validates() -> None:
    replies = iter(["not json at all", '```json\n{"x": 1, "y": 2}\n```'])
    fake = caps_aware(lambda body: httpx2.Response(200, json=completion(next(replies))))
    point = fake.client(model="m").structured([{"role": "user", "content": "p"}], Point)
    assert point == Point(x=1, y=2)
    sent = fake.requests[-1]
    assert sent["response_format"]["type"] == "json_object"
    assert sent["response_format"]["schema"]["required"] == ["x", "y"]
    assert "could not be used" in sent["messages"][-1]["content"]


def test_structured_never_invents() -> None:
    fake = caps_aware(lambda body: httpx2.Response(200, json=completion('{"x": "a"}')))
    with pytest.raises(BadOutput, match="did not match Point after 2 attempts"):
        fake.client(model="m").structured([{"role": "user", "content": "p"}], Point, attempts=2)


@pytest.mark.parametrize(
    ("status", "body", "error", "words"),
    [
        (401, {"error": {"message": f"bad key {SECRET}"}}, InvalidKey, "API key"),
        (404, {"error": {"message": "model nope not found"}}, ModelNotFound, "MIANSHI_LLM_MODEL"),
        (
            400,
            {"error": {"message": "Requested tokens exceed context window of 4096"}},
            ContextTooLong,
            "context window",
        ),
    ],
)
def test_http_errors_become_clear_messages(
    status: int, body: dict[str, Any], error: type[Exception], words: str
) -> None:
    fake = FakeEndpoint(lambda _: httpx2.Response(status, json=body))
    with pytest.raises(error) as info:
        fake.client(model="m", retries=0).chat([{"role": "user", "content": "x"}])
    assert words in str(info.value)
    assert SECRET not in str(info.value)


def test_unreachable_endpoint_fails_fast_and_clearly() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = LLMClient(
        f"http://127.0.0.1:{port}/v1", api_key=SECRET, model="m", timeout=5, retries=1
    )
    with pytest.raises(EndpointUnavailable) as info:
        client.chat([{"role": "user", "content": "x"}])
    assert "cannot reach" in str(info.value) and SECRET not in str(info.value)


def test_timeout_is_reported_as_such() -> None:
    def slow(request: httpx2.Request) -> httpx2.Response:
        raise httpx2.ReadTimeout("slow", request=request)

    client = LLMClient(
        "http://fake.test/v1",
        model="m",
        timeout=3,
        retries=0,
        http_client=httpx2.Client(transport=httpx2.MockTransport(slow)),
    )
    with pytest.raises(EndpointUnavailable, match="did not answer within 3 s"):
        client.chat([{"role": "user", "content": "x"}])


def test_capabilities_probe_without_known_model_does_not_deadlock() -> None:
    fake = caps_aware(lambda body: httpx2.Response(200, json=completion("是", [("是", -0.1)])))
    client = fake.client()  # model unknown: resolved from /models during the probe
    assert client.capabilities().logprobs
    assert client.model == "fake-model"


def test_credentials_in_the_endpoint_url_never_reach_a_message() -> None:
    from agent.llm.client import LLMClient

    url = "https://alice:s3cret@llm.example.com:8443/v1?api_key=sk-abc123"
    assert LLMClient(url).shown_url == "https://***@llm.example.com:8443/v1?api_key=***"
    client = LLMClient("http://bob:hunter2@127.0.0.1:9/v1?token=t0k3n", model="m", retries=0)
    with pytest.raises(EndpointUnavailable) as err:
        client.chat([{"role": "user", "content": "hi"}])
    for secret in ("hunter2", "bob", "t0k3n"):
        assert secret not in str(err.value)


def echo_endpoint(skips: bool = False, rejects: bool = False) -> FakeEndpoint:
    """Legacy completions with ``echo``: one token per character, each logprob -1.0;
    ``skips``: none before ``mianshi_score_from`` (as the embedded server);
    ``rejects``: a 400 for that field."""

    def reply(body: dict[str, Any]) -> httpx2.Response:
        text, start = body["prompt"], body.get("mianshi_score_from")
        if rejects and start is not None:
            return httpx2.Response(400, json={"error": "unknown field mianshi_score_from"})
        values = [
            None if i == 0 or (skips and start and i < start) else -1.0 for i in range(len(text))
        ]
        lp = {"tokens": list(text), "text_offset": list(range(len(text))),
              "token_logprobs": values, "top_logprobs": None}  # fmt: skip
        return httpx2.Response(
            200,
            json={
                "id": "x", "object": "text_completion", "created": 0, "model": "fake",
                "choices": [{"text": text, "index": 0, "logprobs": lp, "finish_reason": "length"}],
            },
        )  # fmt: skip

    return FakeEndpoint(reply)


def test_only_an_endpoint_that_skips_the_prefix_is_sent_the_offset_after_the_probe() -> None:
    for skips, rejects, expected in (
        (True, False, True),
        (False, False, False),
        (False, True, False),
    ):
        client = echo_endpoint(skips, rejects).client(model="fake-model")
        assert client.has_prompt_logprobs() and client.scores_from is expected


def test_prompt_logprobs_ask_for_the_point_only_where_the_server_takes_it() -> None:
    fake = echo_endpoint()
    other = fake.client(model="fake-model")
    assert other.prompt_logprobs("问题回答要点", score_from=4)[4] == (4, -1.0)
    assert "mianshi_score_from" not in fake.requests[-1]  # another server: a plain echo
    embedded = fake.client(model="fake-model")
    embedded.scores_from = True
    embedded.prompt_logprobs("问题回答要点", score_from=4)
    assert fake.requests[-1]["mianshi_score_from"] == 4 and fake.requests[-1]["echo"] is True
    embedded.prompt_logprobs("问题回答要点")
    assert "mianshi_score_from" not in fake.requests[-1]  # the whole prompt: nothing to skip
