"""Starting ``login_app.py`` and talking to it like a browser (helpers for the
login fault tests)."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from agent.osutil import free_port

REPO = Path(__file__).resolve().parents[2]
RUNNER = Path(__file__).with_name("login_app.py")


@dataclass
class App:
    url: str
    proc: subprocess.Popen[bytes]
    log: Path

    def client(self, address: str = "127.0.0.1") -> httpx.Client:
        """A client connecting from ``address`` (any of 127.0.0.0/8: another client)."""
        transport = httpx.HTTPTransport(local_address=address)
        return httpx.Client(base_url=self.url, timeout=30, transport=transport)

    def login(self, name: str, password: str, address: str = "127.0.0.1") -> httpx.Client:
        """A client holding the login cookie of ``name``."""
        client = self.client(address)
        answer = client.post("/login", data={"username": name, "password": password})
        assert answer.status_code == 200, answer.text
        return client


def app_env(data: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MIANSHI_", "GRADIO_"))}
    env.update(
        PYTHONPATH=str(REPO), MIANSHI_DATA_DIR=str(data), GRADIO_SERVER_PORT=str(free_port()),
        MIANSHI_CONFIG=str(data.parent / "none.toml"), GRADIO_ANALYTICS_ENABLED="False",
    )  # fmt: skip
    env.update(extra)
    return env


@contextlib.contextmanager
def running(env: dict[str, str], log: Path) -> Iterator[App]:
    """``login_app.py`` with ``env``, once it answers; stopped on exit."""
    out = log.open("wb")
    proc = subprocess.Popen([sys.executable, str(RUNNER)], cwd=REPO, env=env,
                            stdout=out, stderr=subprocess.STDOUT)  # fmt: skip
    app = App(f"http://127.0.0.1:{env['GRADIO_SERVER_PORT']}", proc, log)
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"the app exited: {log.read_text()[-3000:]}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(app.url + "/gradio_api/user", timeout=2).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(f"the app did not start: {log.read_text()[-3000:]}")
            time.sleep(0.5)
        yield app
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        out.close()
