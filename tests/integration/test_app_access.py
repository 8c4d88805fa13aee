"""The real `python app.py` refuses to serve a network address without accounts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[2]


def test_app_refuses_an_open_network_bind(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MIANSHI_UI_", "GRADIO_"))}
    env.update(
        GRADIO_SERVER_NAME="0.0.0.0",
        MIANSHI_DATA_DIR=str(tmp_path / "data"),
        MIANSHI_CONFIG=str(tmp_path / "none.toml"),
    )
    done = subprocess.run(
        [sys.executable, "app.py"], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2
    assert "refusing to listen on 0.0.0.0 without accounts" in done.stderr
    assert "mianshi users add" in done.stderr
