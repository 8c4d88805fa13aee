"""The one way Mianshi talks to a language model: an OpenAI-compatible endpoint
through the ``openai`` client.

- ``chat``: plain completion.
- ``structured``: a reply validated into a pydantic model (JSON schema where the
  endpoint supports it, otherwise instructions + validation + a repair retry).
- ``verdict``: a yes/no judgement with its probability from one token's
  ``top_logprobs`` (P(yes) / (P(yes) + P(no))); where the endpoint gives no
  logprobs, a sampled verdict, marked ``method="sampled"``.

Transport retries and timeouts are the openai client's own (``max_retries``,
``timeout``). Failures surface as ``LLMError`` subclasses with messages a user can
act on; nothing is ever invented when a call fails. The API key never appears in
messages.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar, cast

import httpx2
import openai
from pydantic import BaseModel, ValidationError

from agent.llm.capabilities import Capabilities, probe, response_format, strip_fences
from agent.llm.errors import (
    BadOutput,
    ContextTooLong,
    EndpointUnavailable,
    InvalidKey,
    LLMError,
    ModelNotFound,
    ServerError,
)
from agent.llm.prompt_scores import SCORE_FROM
from agent.llm.protocol import Message
from agent.llm.yes_no import YesNo, classify, p_yes_from_logprobs
from agent.prompts import render
from agent.redact import redact, redact_url, url_secrets
from agent.settings import Settings

T = TypeVar("T", bound=BaseModel)
R = TypeVar("R")


class LLMClient:
    """A thin, typed wrapper over ``openai.OpenAI`` for one endpoint and model."""

    def __init__(
        self,
        base_url: str,
        *,
        api_key: str | None = None,
        model: str | None = None,
        timeout: float = 120.0,
        retries: int = 2,
        http_client: httpx2.Client | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._api_key = api_key or "not-needed"
        self._model = model
        self._client = openai.OpenAI(
            base_url=self.base_url,
            api_key=self._api_key,
            timeout=timeout,
            max_retries=retries,
            http_client=http_client,
        )
        self.timeout = timeout
        self._caps: Capabilities | None = None
        self._prompt_logprobs: bool | None = None
        #: The endpoint takes ``mianshi_score_from`` (Mianshi's embedded server).
        self.scores_from = False
        self._lock = threading.RLock()  # capabilities() probes may resolve the model
        #: Called with the URL that could not be reached: the base URL of a restarted
        #: server to retry once against (the embedded server sets it), or None.
        self.recover: Callable[[str], str | None] | None = None

    @classmethod
    def from_settings(
        cls, settings: Settings, base_url: str | None = None, model: str | None = None
    ) -> LLMClient:
        url = base_url or settings.llm_base_url
        if not url:
            raise LLMError("no LLM endpoint configured and none given")
        key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
        return cls(
            url,
            api_key=key,
            model=model or settings.llm_model,
            timeout=settings.llm_timeout,
            retries=settings.llm_retries,
        )

    # ------------------------------------------------------------------ errors
    @property
    def shown_url(self) -> str:
        """The endpoint's URL as messages show it (``agent.redact``)."""
        return redact_url(self.base_url)

    def _redact(self, text: str) -> str:
        return redact(text, self._api_key, *url_secrets(self.base_url))

    @contextlib.contextmanager
    def _translate(self) -> Iterator[None]:
        where = f"the LLM endpoint {self.shown_url}"
        try:
            yield
        except openai.APITimeoutError as exc:
            raise EndpointUnavailable(
                f"{where} did not answer within {self.timeout:.0f} s; it may be overloaded. "
                "Try again, or raise MIANSHI_LLM_TIMEOUT."
            ) from exc
        except openai.APIConnectionError as exc:
            raise EndpointUnavailable(
                f"cannot reach {where}: is the server running and the URL right? "
                "(set MIANSHI_LLM_BASE_URL / OPENAI_BASE_URL, or unset them to use the "
                "embedded model)"
            ) from exc
        except openai.AuthenticationError as exc:
            raise InvalidKey(
                f"{where} rejected the API key (401). Check MIANSHI_LLM_API_KEY / OPENAI_API_KEY."
            ) from exc
        except openai.PermissionDeniedError as exc:
            raise InvalidKey(f"{where} refused access (403) for this key or model.") from exc
        except openai.NotFoundError as exc:
            raise ModelNotFound(
                f"{where} has no model {self._model!r} (404). Set MIANSHI_LLM_MODEL to one of "
                "the names `mianshi llm status` lists."
            ) from exc
        except (openai.BadRequestError, openai.UnprocessableEntityError) as exc:
            detail = self._redact(str(exc))
            if "context" in detail.lower() or "too long" in detail.lower():
                raise ContextTooLong(
                    f"the request is longer than the model's context window: {detail[:300]}"
                ) from exc
            raise LLMError(f"{where} rejected the request: {detail[:300]}") from exc
        except openai.APIStatusError as exc:
            raise ServerError(
                f"{where} failed with HTTP {exc.status_code}: {self._redact(str(exc))[:300]}"
            ) from exc

    # ------------------------------------------------------------------- model
    @property
    def model(self) -> str:
        if self._model is None:
            with self._lock:
                if self._model is None:
                    models = self.list_models()
                    if not models:
                        raise ModelNotFound(f"the LLM endpoint {self.shown_url} lists no models")
                    self._model = models[0]
        return self._model

    def list_models(self) -> list[str]:
        with self._translate():
            return [m.id for m in self._client.models.list().data]

    # ------------------------------------------------------------------- calls
    def _recovering(self, call: Callable[[], R]) -> R:
        """``call()``; if the endpoint is unreachable and ``recover`` restarts it, once more."""
        try:
            return call()
        except EndpointUnavailable:
            url = self.recover(self.base_url) if self.recover is not None else None
            if url is None:
                raise
            with self._lock:
                self.base_url = url.rstrip("/")
                self._client = self._client.with_options(base_url=self.base_url)
            return call()

    def _create(self, messages: list[Message], *, probe: bool = False, **kwargs: Any) -> Any:
        def call() -> Any:
            client = self._client.with_options(max_retries=0) if probe else self._client
            with self._translate():
                return client.chat.completions.create(
                    model=self.model, messages=cast(Any, messages), **kwargs
                )

        return self._recovering(call)

    def complete(self, messages: list[Message], **kwargs: Any) -> Any:
        """The raw chat completion (choices, logprobs …) for callers that need more
        than the text; errors translated like every other call."""
        return self._create(messages, **kwargs)

    def stream_tokens(self, messages: list[Message], **kwargs: Any) -> tuple[str, list[Any]]:
        """Text and per-token logprob entries of a streamed completion.

        Streaming matters on llama-cpp-python: its non-streamed logprobs take the
        log-softmax of every prompt row (seconds for a long prompt); streamed, only
        the generated rows."""

        def call() -> tuple[list[str], list[Any]]:
            text: list[str] = []
            tokens: list[Any] = []
            with self._translate():
                stream = self._client.chat.completions.create(
                    model=self.model, messages=cast(Any, messages), stream=True, **kwargs
                )
                for chunk in stream:
                    if not chunk.choices:
                        continue
                    choice = chunk.choices[0]
                    text.append(choice.delta.content or "")
                    if choice.logprobs is not None and choice.logprobs.content:
                        tokens.extend(choice.logprobs.content)
            return text, tokens

        text, tokens = self._recovering(call)
        return "".join(text), tokens

    def chat(
        self,
        messages: list[Message],
        *,
        max_tokens: int = 256,
        temperature: float = 0.3,
        **kwargs: Any,
    ) -> str:
        response = self._create(messages, max_tokens=max_tokens, temperature=temperature, **kwargs)
        if not response.choices:
            raise BadOutput(f"the LLM endpoint {self.shown_url} returned no choices")
        return (response.choices[0].message.content or "").strip()

    def structured(
        self,
        messages: list[Message],
        schema: type[T],
        *,
        max_tokens: int = 512,
        attempts: int = 3,
    ) -> T:
        """A reply validated into ``schema``; repaired and retried, never invented."""
        json_schema = schema.model_json_schema()
        schema_text = json.dumps(json_schema, ensure_ascii=False)
        mode = self.capabilities().structured
        convo = list(messages)
        if mode == "prompt":
            convo.append(
                {"role": "user", "content": render("json_instructions", schema=schema_text)}
            )
        kwargs = response_format(mode, schema.__name__, json_schema)
        last_error = ""
        for _ in range(max(1, attempts)):
            text = self.chat(convo, max_tokens=max_tokens, temperature=0.0, **kwargs)
            try:
                return schema.model_validate_json(strip_fences(text))
            except ValidationError as exc:
                errors = exc.errors(include_url=False)
                last_error = errors[0]["msg"] if errors else str(exc)
                repair = render("json_repair", error=last_error, schema=schema_text)
                convo = [
                    *convo,
                    {"role": "assistant", "content": text[:2000]},
                    {"role": "user", "content": repair},
                ]
        raise BadOutput(
            f"the model's reply did not match {schema.__name__} after {attempts} attempts "
            f"({last_error})"
        )

    def verdict(self, messages: list[Message]) -> YesNo:
        """P(yes) for a question the prompt asks to answer with one token 是/否 (yes/no)."""
        if self.capabilities().logprobs:
            response = self._create(
                messages, max_tokens=1, temperature=0.0, logprobs=True, top_logprobs=5
            )
            p = p_yes_from_logprobs(response)
            if p is not None:
                return YesNo(p_yes=p[0], method="logprobs", token=p[1])
        text = self.chat(messages, max_tokens=2, temperature=0.0)
        label = classify(text)
        if label is None:
            raise BadOutput(f"expected 是/否 (yes/no) from the model, got {text[:40]!r}")
        return YesNo(p_yes=1.0 if label else 0.0, method="sampled", token=text[:8])

    def prompt_logprobs(
        self, prompt: str, *, score_from: int = 0
    ) -> list[tuple[int, float | None]]:
        """(character offset, logprob) of each token of ``prompt`` as the model reads
        it: a legacy completion with ``echo`` and ``logprobs`` (llama.cpp, vLLM; the
        OpenAI API itself has none, and then this raises ``BadOutput``).

        ``score_from``: only the tokens from this character offset on are wanted. The
        embedded server (``scores_from``) then skips the rows of logits before it and
        may give None for those tokens; other endpoints score them all."""
        return self._echo(prompt, score_from if self.scores_from else 0)

    def _echo(self, prompt: str, score_from: int) -> list[tuple[int, float | None]]:
        """``prompt_logprobs``, sending ``mianshi_score_from`` when ``score_from`` > 0."""
        extra = {SCORE_FROM: score_from} if score_from > 0 else None

        def call() -> Any:
            with self._translate():
                return self._client.completions.create(
                    model=self.model,
                    prompt=prompt,
                    max_tokens=1,
                    temperature=0.0,
                    echo=True,
                    logprobs=0,
                    extra_body=extra,
                )

        response = self._recovering(call)
        found = response.choices[0].logprobs if response.choices else None
        offsets = getattr(found, "text_offset", None)
        values = getattr(found, "token_logprobs", None)
        if not offsets or values is None or len(offsets) != len(values):
            raise BadOutput(f"the LLM endpoint {self.shown_url} gave no prompt logprobs")
        return [
            (int(o), None if v is None else float(v)) for o, v in zip(offsets, values, strict=True)
        ]

    def has_prompt_logprobs(self) -> bool:
        """Whether ``prompt_logprobs`` works here (probed once with a tiny prompt), and
        whether the endpoint skips what comes before ``score_from`` (a Mianshi server
        started apart, ``mianshi llm serve``, does; ``scores_from``)."""
        if self._prompt_logprobs is None:
            try:
                ok = len(self.prompt_logprobs(render("ping"))) > 1
                if ok and not self.scores_from:
                    self.scores_from = self._probe_score_from()
            except (EndpointUnavailable, InvalidKey, ModelNotFound):
                raise
            except LLMError:
                ok = False
            self._prompt_logprobs = ok
        return self._prompt_logprobs

    def _probe_score_from(self) -> bool:
        prompt = "0 " + render("ping")  # not the prompt just scored: nothing known yet
        at = len(prompt) // 2
        try:
            scored = self._echo(prompt, at)
        except (EndpointUnavailable, InvalidKey, ModelNotFound):
            raise
        except LLMError:
            return False  # rejected the field: a plain echo from now on
        return any(v is None for o, v in scored[1:] if o < at)

    # ------------------------------------------------------------ capabilities
    def capabilities(self) -> Capabilities:
        """Probed once per client with two tiny requests, then remembered."""
        if self._caps is None:
            with self._lock:
                if self._caps is None:
                    self._caps = probe(self)
        return self._caps

    def ping(self) -> float:
        """Seconds for one tiny round trip."""
        start = time.perf_counter()
        self.chat([{"role": "user", "content": render("ping")}], max_tokens=2, temperature=0.0)
        return time.perf_counter() - start
