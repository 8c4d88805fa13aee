"""The interview as a LangGraph state machine.

    configure -> [intro] -> select -> ask -> [interrupt: wait for the answer] -> assess | command
    assess  -> follow_up -> ask        (key points missing, follow-ups left)
    assess  -> select                  (next main question)
    command -> ask                     (hint, repeat, empty answer)
    command -> select | wrap_up        (skip | end)
    select  -> wrap_up -> END          (all main questions asked)
    intro   -> select | intro | wrap_up (the self-introduction, when configured:
                                        agent/interview/opening.py)

The nodes are ``agent/interview/nodes.py``; those that route return
``Command(goto=…)``, so the only edges declared here are the fixed ones. The graph is
compiled with a checkpointer so every step is saved (``thread_id`` = session id).
"""

from __future__ import annotations

from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph

from agent.interview.nodes import Deps, Nodes
from agent.interview.opening import Opening
from agent.interview.state import InputState, InterviewState, config_of


def _after_configure(state: InterviewState) -> str:
    """The self-introduction when asked for (not before a review of due cards)."""
    cfg = config_of(state)
    return "intro" if cfg.intro and cfg.mode != "review" else "select"


def build_graph(deps: Deps) -> StateGraph:
    nodes = Nodes(deps)
    graph = StateGraph(InterviewState, input_schema=InputState)
    graph.add_node("configure", nodes.configure)
    graph.add_node("select", nodes.select, destinations=("ask", "wrap_up"))
    graph.add_node("ask", nodes.ask, destinations=("command", "assess"))
    graph.add_node("command", nodes.command, destinations=("ask", "select", "wrap_up"))
    graph.add_node("assess", nodes.assess, destinations=("follow_up", "select"))
    graph.add_node("follow_up", nodes.follow_up)
    graph.add_node("wrap_up", nodes.wrap_up)
    graph.add_node("intro", Opening(deps.bank).intro, destinations=("select", "intro", "wrap_up"))
    graph.add_edge(START, "configure")
    graph.add_conditional_edges("configure", _after_configure, ["intro", "select"])
    graph.add_edge("follow_up", "ask")
    graph.add_edge("wrap_up", END)
    return graph


def compile_graph(deps: Deps, checkpointer: BaseCheckpointSaver[Any] | None) -> Any:
    return build_graph(deps).compile(checkpointer=checkpointer)
