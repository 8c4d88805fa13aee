"""Entry point for LangGraph Studio / ``langgraph dev`` (see langgraph.json).

Studio supplies its own persistence, so the graph is compiled without our
checkpointer; the grader, bank and LLM are the same as in the app.
"""

from __future__ import annotations

from typing import Any

from agent.interview.graph import build_graph
from agent.settings import load_settings


def make_graph() -> Any:
    from agent.interview.engine import Engine
    from agent.llm.server import shared_client

    settings = load_settings()
    engine = Engine(settings, shared_client(settings))
    return build_graph(engine.deps).compile()
