"""What can go wrong with a model call, as errors whose message says what to do."""

from __future__ import annotations

from agent.errors import UserError


class LLMError(UserError):
    """A model call failed; the message says what to do about it."""


class EndpointUnavailable(LLMError):
    pass


class ModelNotFound(LLMError):
    pass


class ContextTooLong(LLMError):
    pass


class InvalidKey(LLMError):
    pass


class ServerError(LLMError):
    """The endpoint answered with an HTTP error (5xx or other)."""


class BadOutput(LLMError):
    """The endpoint answered, but not with something usable (after retries)."""
