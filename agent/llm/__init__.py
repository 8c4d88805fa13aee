"""Language models: the openai-client wrapper (``client``), what can go wrong
(``errors``), the embedded llama.cpp server (``server``) and the bundled model files
(``agent.assets`` assembles the bundled model files)."""

from agent.llm.client import Capabilities, LLMClient, Message

__all__ = ["Capabilities", "LLMClient", "Message"]
