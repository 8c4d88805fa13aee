"""Language models: the openai-client wrapper (``client``), its errors, the embedded
llama.cpp server (``server``) and the bundled model files (``assets``)."""

from agent.llm.client import Capabilities, LLMClient, Message
from agent.llm.errors import (
    BadOutput,
    ContextTooLong,
    EndpointUnavailable,
    InvalidKey,
    LLMError,
    ModelNotFound,
    ServerError,
)

__all__ = [
    "BadOutput",
    "Capabilities",
    "ContextTooLong",
    "EndpointUnavailable",
    "InvalidKey",
    "LLMClient",
    "LLMError",
    "Message",
    "ModelNotFound",
    "ServerError",
]
