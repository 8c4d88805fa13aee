"""Mianshi 面试 — the Gradio app: `python app.py` opens it on http://127.0.0.1:7860.

The app is ``agent.ui`` (``create_app()`` builds it, ``launch()`` serves it).

Binds 127.0.0.1 unless ``GRADIO_SERVER_NAME`` says otherwise (``GRADIO_SERVER_PORT``
for the port); ``MIANSHI_UI_USERNAME`` + ``MIANSHI_UI_PASSWORD`` turn on a login;
``MIANSHI_UI_CONCURRENCY`` is how many requests run at once (the rest queue).
"""

from __future__ import annotations

import sys

from agent.ui import main

if __name__ == "__main__":
    sys.exit(main())
