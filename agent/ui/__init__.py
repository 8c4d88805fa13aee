"""The Gradio app: ``create_app()`` builds it, ``launch()`` serves it, ``main()`` is
``python app.py``.

``handlers`` (``MianshiUI``, whose methods are the event handlers), ``events`` (which
event runs which handler), ``layout`` (the components), ``views`` (engine steps, grades
and reports as what the app shows), ``session`` (a browser session's interview, in
``gr.State``), ``services`` (the process-wide engine, speech model and workers). The
report's Markdown is ``agent.interview.report_markdown``, shared with the CLI.

Gradio is imported only when the app is built, so ``views`` and ``session`` stay cheap
to import.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import TYPE_CHECKING

from agent.errors import UserError
from agent.settings import Settings, load_settings

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # offline: no telemetry calls

if TYPE_CHECKING:
    import gradio as gr

    from agent.ui.services import Services


def create_app(services: Services | None = None) -> gr.Blocks:
    """The app, its handlers wired; ``services`` default to the settings' own."""
    from agent.ui.handlers import MianshiUI
    from agent.ui.services import Services

    return MianshiUI(services or Services(load_settings())).create_app()


def launch(settings: Settings | None = None) -> None:
    """Serve the app (blocks until it is stopped)."""
    from agent.ui.access import keep_private

    settings = settings or load_settings()
    keep_private(settings)  # before Gradio is imported: its cache goes in the data dir

    from agent.ui.handlers import MianshiUI
    from agent.ui.services import Services

    MianshiUI(Services(settings)).launch()


def main() -> int:
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("agent").setLevel(logging.INFO)  # the app's own notes, not libraries'
    try:
        launch()
    except UserError as exc:
        print(f"mianshi: {exc}", file=sys.stderr)
        return 2
    return 0
