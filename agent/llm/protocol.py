"""The language model as the grader, the interviewer and the rest of the product use
it: one Protocol, which ``LLMClient`` (any OpenAI-compatible endpoint, the embedded
llama.cpp server among them) satisfies and the tests' one fake (``tests/fakes.py``)
stands in for."""

from __future__ import annotations

from typing import Any, Protocol, TypeVar

from pydantic import BaseModel

from agent.llm.capabilities import Capabilities

Message = dict[str, str]
T = TypeVar("T", bound=BaseModel)


class LLM(Protocol):
    @property
    def model(self) -> str:
        """The model's name (part of every cache key)."""
        ...

    @property
    def shown_url(self) -> str:
        """The endpoint's address as messages may show it (no credentials)."""
        ...

    def capabilities(self) -> Capabilities:
        """What the endpoint can do: schema enforcement, logprobs, grammar."""
        ...

    def has_prompt_logprobs(self) -> bool:
        """Whether the endpoint scores a prompt's own tokens (``prompt_logprobs``)."""
        ...

    def chat(
        self, messages: list[Message], *, max_tokens: int = 256, temperature: float = 0.3,
        **kwargs: Any,
    ) -> str:  # fmt: skip
        """The reply's text."""
        ...

    def complete(self, messages: list[Message], **kwargs: Any) -> Any:
        """The raw completion (a warm-up of the prompt cache, a probe)."""
        ...

    def stream_tokens(self, messages: list[Message], **kwargs: Any) -> tuple[str, list[Any]]:
        """The reply's text and its tokens with their top logprobs."""
        ...

    def structured(
        self, messages: list[Message], schema: type[T], *, max_tokens: int = 512,
        attempts: int = 3,
    ) -> T:  # fmt: skip
        """A reply validated into ``schema``."""
        ...

    def prompt_logprobs(
        self, prompt: str, *, score_from: int = 0
    ) -> list[tuple[int, float | None]]:
        """(character offset, logprob) of each token of ``prompt`` from ``score_from``."""
        ...
