"""The progress tab's chart (agent/ui/trend_chart.py): a Vega-Lite spec with a mark at
every score, so one interview already shows its scores, on a whole-number session
axis. The browser test reads the rendered SVG (tests/browser/test_app.py)."""

from __future__ import annotations

import json

from agent.ui.trend_chart import plot, trend_spec, trend_values

ONE = [{"session": 1, "when": "05-01 10:00", "topic": "RAG与检索", "score": 6},
       {"session": 1, "when": "05-01 10:00", "topic": "Agent", "score": 3.5}]  # fmt: skip


def test_one_session_has_a_filled_mark_per_topic_on_an_ordinal_axis() -> None:
    spec = trend_spec(ONE)
    lines, points = spec["layer"]
    assert lines["mark"]["type"] == "line"
    mark = points["mark"]
    assert mark["type"] == "point" and mark["filled"] and mark["size"] > 0 and mark["opacity"] == 1
    for layer in (lines, points):
        x = layer["encoding"]["x"]
        assert (x["field"], x["type"]) == ("session", "ordinal")  # 1, 2, 3: no 1.5, 1.000000
        assert layer["encoding"]["y"]["scale"]["domain"] == [0, 10]
        # Gradio themes a line chart by mapping each layer's colour range, in order
        colour = layer["encoding"]["color"]
        assert colour["scale"]["domain"] == ["RAG与检索", "Agent"]
        assert len(colour["scale"]["range"]) == 2
    assert spec["data"]["values"] == [
        {"session": 1, "when": "05-01 10:00", "topic": "RAG与检索", "score": 6.0},
        {"session": 1, "when": "05-01 10:00", "topic": "Agent", "score": 3.5},
    ]
    assert spec["usermeta"]["embedOptions"]["renderer"] == "svg"


def test_sessions_are_whole_numbers_in_order_whatever_the_rows_hold() -> None:
    rows = [{"session": 2.0, "topic": "Agent", "score": "7"}]
    assert trend_values(rows) == [{"session": 2, "when": "", "topic": "Agent", "score": 7.0}]
    many = [{"session": n, "topic": "Agent", "score": 5} for n in (10, 9, 2, 1)]
    for layer in trend_spec(many)["layer"]:
        assert layer["encoding"]["x"]["sort"] == [1, 2, 9, 10]  # 10 after 9, not after 1


def test_the_plot_is_a_vega_lite_spec_for_gradio_or_nothing() -> None:
    assert plot([]) is None
    shown = plot(ONE)
    assert shown.type == "altair" and shown.chart == "line"
    assert json.loads(shown.plot) == trend_spec(ONE)
