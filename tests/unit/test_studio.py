"""The LangGraph Studio entry point (langgraph.json) builds the real graph, and it
keeps its data where the settings say: a temporary data dir, never the user's own."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def test_langgraph_json_points_at_the_studio_entry_point() -> None:
    spec = json.loads((REPO / "langgraph.json").read_text(encoding="utf-8"))
    path, func = spec["graphs"]["interview"].split(":")
    assert (REPO / path).is_file() and func == "make_graph"


def test_studio_graph_builds_with_a_temporary_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    data = tmp_path / "data"
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.setenv("MIANSHI_DATA_DIR", str(data))
    # an endpoint nothing listens on: building the graph must not need the model
    monkeypatch.setenv("MIANSHI_LLM_BASE_URL", "http://127.0.0.1:9/v1")
    from agent.studio import make_graph

    graph = make_graph().get_graph()
    assert {"configure", "select", "ask", "command", "assess", "follow_up", "wrap_up"} <= set(
        graph.nodes
    )
    # routing nodes declare where their Command may go, so Studio draws every edge
    edges = {(e.source, e.target) for e in graph.edges}
    for edge in [
        ("select", "ask"),
        ("select", "wrap_up"),
        ("ask", "command"),
        ("ask", "assess"),
        ("command", "select"),
        ("assess", "follow_up"),
        ("follow_up", "ask"),
    ]:
        assert edge in edges, edge
    assert (data / "sessions.sqlite").is_file()
    assert not (home / ".local" / "share" / "mianshi").exists()
