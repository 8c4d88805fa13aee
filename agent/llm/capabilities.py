"""What an OpenAI-compatible endpoint can do, probed with tiny requests: how a JSON
schema is enforced (``json_schema``, llama-cpp-python's ``json_object`` + schema, or
only by the prompt), whether chat completions return ``top_logprobs``, and whether it
takes a GBNF ``grammar`` (llama.cpp). ``LLMClient.capabilities`` probes once and
remembers the answer."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from agent.llm.errors import EndpointUnavailable, InvalidKey, LLMError, ModelNotFound
from agent.prompts import render

if TYPE_CHECKING:
    from agent.llm.client import LLMClient

StructuredMode = Literal["json_schema", "json_object", "prompt"]


@dataclass(frozen=True)
class Capabilities:
    structured: StructuredMode  # how a JSON schema can be enforced at this endpoint
    logprobs: bool
    grammar: bool = False  # accepts a GBNF ``grammar`` (llama.cpp servers)


def probe_logprobs(client: LLMClient) -> bool:
    msgs = [{"role": "user", "content": render("ping")}]
    try:
        response = client.complete(msgs, probe=True, max_tokens=1, logprobs=True, top_logprobs=2)
    except (EndpointUnavailable, InvalidKey, ModelNotFound):
        raise
    except LLMError:
        return False
    content = getattr(response.choices[0].logprobs, "content", None) if response.choices else None
    return bool(content and content[0].top_logprobs)


def probe_grammar(client: LLMClient) -> bool:
    msgs = [{"role": "user", "content": render("ping")}]
    try:
        text = client.chat(
            msgs,
            probe=True,
            max_tokens=2,
            temperature=0.0,
            extra_body={"grammar": 'root ::= "ok"'},
        )
    except (EndpointUnavailable, InvalidKey, ModelNotFound):
        raise
    except LLMError:
        return False
    return text.strip() == "ok"


def probe_structured(client: LLMClient) -> StructuredMode:
    schema = {"type": "object", "properties": {"ok": {"type": "boolean"}}, "required": ["ok"]}
    # The prompt does not mention JSON: only an enforced schema yields JSON here.
    msgs = [{"role": "user", "content": render("ping")}]
    for mode in ("json_schema", "json_object"):
        try:
            fmt = response_format(mode, "Ping", schema)
            text = client.chat(msgs, probe=True, max_tokens=16, temperature=0.0, **fmt)
            if isinstance(json.loads(strip_fences(text)).get("ok"), bool):
                return mode
        except (EndpointUnavailable, InvalidKey, ModelNotFound):
            raise
        except (LLMError, ValueError, AttributeError):
            continue
    return "prompt"


def probe(client: LLMClient) -> Capabilities:
    return Capabilities(
        structured=probe_structured(client),
        logprobs=probe_logprobs(client),
        grammar=probe_grammar(client),
    )


def response_format(mode: StructuredMode, name: str, schema: dict[str, Any]) -> dict[str, Any]:
    """Request arguments that enforce ``schema`` in the given mode.

    ``json_schema`` is OpenAI's form; ``json_object`` with a ``schema`` key is what
    llama-cpp-python's server turns into a grammar.
    """
    if mode == "json_schema":
        fmt = {"type": "json_schema", "json_schema": {"name": name, "schema": schema}}
        return {"response_format": fmt}
    if mode == "json_object":
        return {"response_format": {"type": "json_object", "schema": schema}}
    return {}


def strip_fences(text: str) -> str:
    text = text.strip()
    if text.startswith("```"):
        text = text.split("\n", 1)[1] if "\n" in text else ""
        text = text.rsplit("```", 1)[0]
    return text.strip()
