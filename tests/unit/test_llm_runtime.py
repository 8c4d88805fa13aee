"""The embedded server's start checks, with real child processes standing in for a
llama.cpp server that dies (the real server is exercised in the integration tests)."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from agent.llm.server import EmbeddedServer, _StartFailed
from agent.osutil import free_port
from agent.settings import Settings


def _server(
    isolated_settings: Settings, tmp_path: Path, code: str
) -> tuple[EmbeddedServer, subprocess.Popen[bytes]]:
    """A server object whose process is ``code`` (the server and that process)."""
    model = tmp_path / "model.gguf"
    model.write_bytes(b"GGUF")
    settings = isolated_settings.model_copy(
        update={"llm_model_path": model, "llm_start_timeout": 5}
    )
    server = EmbeddedServer(settings)
    server.log_path = tmp_path / "server.log"
    server.log_path.write_text("last line of the server log\n")
    server.port = free_port()  # nothing listens there
    server.process = process = subprocess.Popen([sys.executable, "-c", code])
    return server, process


def test_a_server_killed_by_sigill_is_explained(
    isolated_settings: Settings, tmp_path: Path
) -> None:
    kill = "import os, signal; os.kill(os.getpid(), signal.SIGILL)"
    server, process = _server(isolated_settings, tmp_path, kill)
    process.wait(timeout=10)
    why = server.died()
    assert why is not None
    assert "SIGILL" in why and "another CPU" in why and "make setup" in why
    assert "last line of the server log" in why


def test_a_running_server_has_not_died(isolated_settings: Settings, tmp_path: Path) -> None:
    server, process = _server(isolated_settings, tmp_path, "import time; time.sleep(30)")
    try:
        assert server.died() is None
    finally:
        process.kill()
        process.wait()


def test_start_fails_when_the_first_token_kills_the_server(
    isolated_settings: Settings, tmp_path: Path
) -> None:
    # the process dies as the one-token check is sent: start must say why, not hang
    die = "import os, signal, time; time.sleep(0.5); os.kill(os.getpid(), signal.SIGILL)"
    server, process = _server(isolated_settings, tmp_path, die)
    with pytest.raises(_StartFailed, match="SIGILL"):
        server._check_decodes()
    assert process.poll() == -signal.SIGILL


def test_a_caller_that_failed_on_the_old_port_gets_the_restarted_server(
    isolated_settings: Settings, tmp_path: Path
) -> None:
    """Two calls fail while the server is down; the first restarts it, the second must
    be sent to the new port rather than fail (a sleeping process stands in for it)."""
    server, _ = _server(isolated_settings, tmp_path, "import time; time.sleep(30)")
    url = server.base_url
    try:
        assert server.revive(url) is None  # alive at the very URL that failed
        assert server.revive("http://127.0.0.1:1/v1") == url  # restarted meanwhile
    finally:
        server.stop()
