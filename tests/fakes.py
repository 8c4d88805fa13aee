"""The one stand-in for the language model in unit tests: it satisfies
``agent.llm.protocol.LLM`` (mypy checks it wherever one is passed), records every
call, and answers each kind of call as configured:

- ``stream_tokens`` (the 是/否 verdicts): one 是/否 token per key point asked for,
  with top logprobs from ``p`` (one probability, or one per point);
- ``chat``: ``reply`` (a string, or an exception to raise);
- ``structured``: ``structured_reply`` validated into the schema asked for;
- ``prompt_logprobs``: ``score`` (a function of the prompt and ``score_from``), or the
  endpoint cannot score prompts (``has_prompt_logprobs`` False);
- ``fail``: verdicts and structured replies raise it (an endpoint that is down).

Integration tests use the real embedded model instead (tests/conftest.py).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any, TypeVar

from pydantic import BaseModel

from agent.llm.capabilities import Capabilities
from agent.llm.errors import BadOutput
from agent.llm.protocol import Message

T = TypeVar("T", bound=BaseModel)
Scores = list[tuple[int, float | None]]
#: the key points a model "derives" for an entry without curated ones
DERIVED = ["要点一：注意力公式", "要点二：多头", "要点三：复杂度"]


def yes_no_token(token: str, p_yes: float) -> SimpleNamespace:
    """A streamed 是/否 token with its top logprobs, as the openai client gives it."""
    alts = [
        SimpleNamespace(token="是", logprob=math.log(max(p_yes, 1e-9))),
        SimpleNamespace(token="否", logprob=math.log(max(1 - p_yes, 1e-9))),
    ]
    return SimpleNamespace(token=token, top_logprobs=alts)


class FakeLLM:
    model = "fake"
    shown_url = "http://fake"

    def __init__(
        self,
        p: float | list[float] = 0.9,
        fail: Exception | None = None,
        *,
        reply: str | Exception = "写得不错。",
        structured_reply: dict[str, Any] | None = None,
        score: Callable[[str, int], Scores] | None = None,
        caps: Capabilities | None = None,
    ) -> None:
        self.p, self.fail, self.reply, self.score = p, fail, reply, score
        self.structured_reply = structured_reply or {"points": DERIVED}
        self.caps = caps or Capabilities(structured="prompt", logprobs=True, grammar=True)
        self.lock = threading.Lock()
        self.calls: list[list[Message]] = []  # verdict calls
        self.warmed: list[list[Message]] = []  # warm-ups of a prompt's prefix (complete)
        self.kwargs: list[dict[str, Any]] = []  # each verdict call's options
        self.chats: list[list[Message]] = []
        self.prompts: list[str] = []  # prompts scored
        self.structured_calls = 0

    def capabilities(self) -> Capabilities:
        return self.caps

    def has_prompt_logprobs(self) -> bool:
        return self.score is not None

    def chat(
        self, messages: list[Message], *, max_tokens: int = 256, temperature: float = 0.3,
        **kwargs: Any,
    ) -> str:  # fmt: skip
        with self.lock:
            self.chats.append(messages)
        if isinstance(self.reply, Exception):
            raise self.reply
        return self.reply

    def complete(self, messages: list[Message], **kwargs: Any) -> Any:
        with self.lock:
            self.warmed.append(messages)
        return SimpleNamespace(choices=[])

    def stream_tokens(self, messages: list[Message], **kwargs: Any) -> tuple[str, list[Any]]:
        if self.fail is not None:
            raise self.fail
        with self.lock:
            self.calls.append(messages)
            self.kwargs.append(kwargs)
        n = (kwargs.get("max_tokens", 8) - 2) // 2
        ps = [self.p] * n if isinstance(self.p, float) else list(self.p)
        tokens: list[Any] = []
        for p in ps:
            tokens += [yes_no_token("是" if p >= 0.5 else "否", p),
                       SimpleNamespace(token="\n", top_logprobs=[])]  # fmt: skip
        return "".join(t.token for t in tokens), tokens

    def structured(
        self, messages: list[Message], schema: type[T], *, max_tokens: int = 512,
        attempts: int = 3,
    ) -> T:  # fmt: skip
        with self.lock:
            self.structured_calls += 1
        if self.fail is not None:
            raise self.fail
        return schema.model_validate(self.structured_reply)

    def prompt_logprobs(self, prompt: str, *, score_from: int = 0) -> Scores:
        with self.lock:
            self.prompts.append(prompt)
        if self.score is None:
            raise BadOutput("the fake endpoint cannot score a prompt")
        return self.score(prompt, score_from)
