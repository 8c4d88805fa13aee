"""The progress tab's chart: the score per topic over sessions as a Vega-Lite spec, a
line per topic with a mark at every session (so one interview already shows its
scores), sessions numbered 1, 2, 3 on a whole-number axis.

Gradio's own ``LinePlot`` draws only lines (a topic scored in one session shows
nothing) and numbers its axis as a continuous scale (``1.000000`` for one session);
``gr.Plot`` shows any Vega-Lite spec, so the chart is written here, rendered as SVG
in Gradio's colours (``plot``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

#: Vega's category colours, one per topic (Gradio swaps in its theme's own, in order).
PALETTE = ["#4c78a8", "#f58518", "#e45756", "#72b7b2", "#54a24b", "#eeca3b", "#b279a2",
           "#ff9da6", "#9d755d", "#bab0ac"]  # fmt: skip
TITLE = "各主题得分走势 Score per topic over sessions"
HEIGHT = 300


def trend_values(trend: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The chart's data: one row per (session, topic), the session a whole number."""
    return [
        {
            "session": int(row["session"]),
            "when": str(row.get("when", "")),
            "topic": str(row["topic"]),
            "score": float(row["score"]),
        }
        for row in trend
    ]


def _encoding(topics: list[str], sessions: list[int]) -> dict[str, Any]:
    colours = [PALETTE[i % len(PALETTE)] for i in range(len(topics))]
    return {
        # ordinal: one tick per session, labelled 1, 2, 3 (never 1.5 or 1.000000); many
        # sessions: every other label (never overlapping)
        "x": {"field": "session", "type": "ordinal", "title": "面试 Session", "sort": sessions,
              "axis": {"labelAngle": 0, "labelOverlap": True}},
        "y": {"field": "score", "type": "quantitative", "title": "得分 Score",
              "scale": {"domain": [0, 10]}},
        "color": {"field": "topic", "type": "nominal", "title": "主题 Topic",
                  "scale": {"domain": topics, "range": colours}, "legend": {"orient": "bottom"}},
    }  # fmt: skip


def trend_spec(trend: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Lines joining each topic's scores, and a filled mark at each score."""
    values = trend_values(trend)
    topics = list(dict.fromkeys(v["topic"] for v in values))
    sessions = sorted({v["session"] for v in values})
    tooltip = [
        {"field": "topic", "title": "主题 Topic"},
        {"field": "session", "title": "面试 Session"},
        {"field": "when", "title": "时间 When"},
        {"field": "score", "title": "得分 Score"},
    ]
    lines = {"name": "lines", "mark": {"type": "line", "strokeWidth": 2},
             "encoding": _encoding(topics, sessions)}  # fmt: skip
    points = {"name": "points", "encoding": {**_encoding(topics, sessions), "tooltip": tooltip},
              "mark": {"type": "point", "filled": True, "size": 90, "opacity": 1,
                       "strokeWidth": 0}}  # fmt: skip
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": TITLE,
        "height": HEIGHT,
        "data": {"values": values},
        "layer": [lines, points],
        # SVG (its marks and labels are in the page), no export menu
        "usermeta": {"embedOptions": {"renderer": "svg", "actions": False}},
    }


def plot(trend: Sequence[Mapping[str, Any]]) -> Any:
    """The chart as ``gr.Plot`` shows a Vega-Lite spec, themed like Gradio's own line
    charts (axis colours and fonts, the series' colours); None without data."""
    if not trend:
        return None
    from gradio.components.plot import AltairPlotData

    return AltairPlotData(plot=json.dumps(trend_spec(trend), ensure_ascii=False), chart="line")
