"""Where the LLM comes from: a configured endpoint, or the embedded llama.cpp server.

``connect(settings)`` yields an ``LLMClient``. With no endpoint configured it starts
llama-cpp-python's server (``python -m agent.llm.serve``: ``llama_cpp.server`` with
its logprobs made cheaper, see there) on a free 127.0.0.1 port with the bundled model, waits
until it answers, and stops it when the block ends (normal exit, Ctrl-C or error).
The child also receives SIGTERM if this process dies (Linux ``PR_SET_PDEATHSIG``),
so no orphaned server keeps the port or memory. Each Mianshi process has its own
server on its own port; the model file is only read (memory-mapped), so two
processes share it safely.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import logging
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType
from typing import Any

from agent.assets import LLM_MODEL, llm_model_file
from agent.errors import UserError
from agent.llm.client import LLMClient
from agent.llm.errors import EndpointUnavailable
from agent.osutil import free_port
from agent.redact import redact_url
from agent.settings import Settings

EMBEDDED_ALIAS = "qwen2.5-coder-1.5b-instruct-q4_k_m"


#: The server's CPU priority (niceness). On 2 cores a grade keeps both busy for tens of
#: seconds; at the default priority it took the CPU from what the candidate waits for
#: (a voice-mode answer's transcription took 10.7 s instead of 2.9 s beside a grade's
#: prompt). Niced, it gets the cores whenever nothing interactive runs.
NICE = 10


def _child_setup() -> None:  # runs in the child between fork and exec
    with contextlib.suppress(Exception):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    with contextlib.suppress(OSError):
        os.nice(NICE)  # inherited by the threads the server starts


#: revive() restarts a dead server at most this often within the window
MAX_RESTARTS = 3
RESTART_WINDOW_S = 600.0

log = logging.getLogger(__name__)


def responds(base_url: str, timeout: float = 2.0) -> bool:
    """An OpenAI-compatible server answers ``GET /models`` at ``base_url``."""
    try:
        with urllib.request.urlopen(base_url + "/models", timeout=timeout) as response:
            return bool(response.status == 200)
    except (OSError, urllib.error.URLError):
        return False


class EmbeddedServer:
    """One llama.cpp OpenAI-compatible server process serving one GGUF file."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.model_path: Path = llm_model_file(settings)
        self.alias = EMBEDDED_ALIAS if settings.llm_model_path is None else self.model_path.stem
        self.port: int | None = None
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path: Path | None = None
        self.restarts: list[float] = []  # when revive() restarted the server
        self._revive_lock = threading.Lock()

    @property
    def base_url(self) -> str:
        if self.port is None:
            raise RuntimeError("server not started")
        return f"http://127.0.0.1:{self.port}/v1"

    def command(self, port: int) -> list[str]:
        s = self.settings
        cmd = [
            sys.executable, "-m", "agent.llm.serve",
            "--model", str(self.model_path),
            "--model_alias", self.alias,
            "--host", "127.0.0.1",
            "--port", str(port),
            "--n_ctx", str(s.llm_ctx),
            "--logits_all", "true",  # needed for logprobs (point verdicts)
            "--verbose", "false",
            # a request waiting for the model must not cut the one being served: by
            # default llama-cpp-python ends a running stream early ([DONE]) when another
            # request arrives, so a grade lost its verdicts whenever a probe came in
            "--interrupt_requests", "false",
        ]  # fmt: skip
        # llama-cpp-python defaults generation to half the cores; use them all
        threads = s.llm_threads or os.cpu_count() or 1
        cmd += ["--n_threads", str(threads), "--n_threads_batch", str(threads)]
        return cmd

    def start(self, *, attempts: int = 3) -> str:
        """Start and wait until ``/v1/models`` answers; returns the base URL."""
        logs = self.settings.cache_dir / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        last = ""
        for _ in range(attempts):  # a port taken between probe and bind: try another
            port = free_port()
            self.log_path = logs / f"llama-server-{port}.log"
            with open(self.log_path, "wb") as log:
                self.process = subprocess.Popen(
                    self.command(port),
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    preexec_fn=_child_setup,
                )
            self.port = port
            try:
                self._wait_ready()
                self._check_decodes()
                return self.base_url
            except _StartFailed as exc:
                last = str(exc)
                self.stop()
                if "address already in use" not in last.lower():
                    break
        raise UserError(f"the embedded model server did not start: {last}")

    def _wait_ready(self) -> None:
        assert self.process is not None
        deadline = time.monotonic() + self.settings.llm_start_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise _StartFailed(self.died() or "it exited")
            if responds(self.base_url):
                return
            time.sleep(0.25)
        raise _StartFailed(
            f"no answer within {self.settings.llm_start_timeout:.0f} s (raise "
            f"MIANSHI_LLM_START_TIMEOUT). Log tail:\n{self._log_tail()}"
        )

    def _check_decodes(self) -> None:
        """One token through the model: a build that cannot run on this CPU (SIGILL in
        its matrix kernels) fails here, at start, not on the candidate's first answer."""
        body = b'{"prompt": "1", "max_tokens": 1, "temperature": 0}'
        request = urllib.request.Request(
            self.base_url + "/completions", body, {"Content-Type": "application/json"}
        )
        try:
            urllib.request.urlopen(request, timeout=self.settings.llm_start_timeout).close()
        except (OSError, urllib.error.URLError):
            assert self.process is not None
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=5)  # a crash drops the connection before exit
        if (died := self.died()) is not None:
            raise _StartFailed(died)

    def died(self) -> str | None:
        """Why the server process is gone (exit code or signal, log tail), or None while
        it runs."""
        if self.process is None or (code := self.process.poll()) is None:
            return None
        how = f"exited with code {code}"
        if code < 0:
            try:
                name = signal.Signals(-code).name
            except ValueError:
                name = f"signal {-code}"
            how = f"was killed by {name}"
            if name == "SIGILL":
                how += (
                    " (an instruction this CPU cannot run: llama-cpp-python was built for "
                    "another CPU; delete ~/.cache/mianshi/wheels and .venv, then `make setup`)"
                )
        return f"it {how}. Log {self.log_path}:\n{self._log_tail()}"

    def client(self, base_url: str) -> LLMClient:
        """A client for this server at ``base_url``: it restarts the server when the
        server is gone, and asks for key-point logprobs only (``mianshi_score_from``)."""
        client = LLMClient.from_settings(self.settings, base_url=base_url, model=self.alias)
        client.recover = self.revive
        client.scores_from = True
        return client

    def revive(self, failed_url: str | None = None) -> str | None:
        """The base URL to retry ``failed_url``'s call against: the server restarted if
        its process is gone, or already restarted by another caller meanwhile. None when
        it runs at that very URL (the fault is elsewhere), died of SIGILL (a restart
        cannot help), or was restarted ``MAX_RESTARTS`` times within ``RESTART_WINDOW_S``."""
        with self._revive_lock:
            died = self.died()
            if died is None:
                if self.process is None or self.port is None:
                    return None
                moved = failed_url is not None and failed_url.rstrip("/") != self.base_url
                return self.base_url if moved else None
            now = time.monotonic()
            self.restarts = [t for t in self.restarts if now - t < RESTART_WINDOW_S]
            if "SIGILL" in died or len(self.restarts) >= MAX_RESTARTS:
                return None
            log.warning("the embedded model server stopped (%s); restarting it", died[:200])
            self.restarts.append(now)
            self.process = None
            try:
                return self.start()
            except UserError as exc:
                log.warning("restarting the embedded model server failed: %s", exc)
                return None

    def _log_tail(self, lines: int = 15) -> str:
        if self.log_path is None or not self.log_path.exists():
            return "(no log)"
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self, timeout: float = 10.0) -> None:
        proc, self.process = self.process, None
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if self.log_path is not None:
            with contextlib.suppress(OSError):
                self.log_path.unlink()

    def __enter__(self) -> EmbeddedServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class _StartFailed(Exception):
    pass


def describe_endpoint(settings: Settings) -> str:
    if settings.uses_embedded_llm:
        return f"embedded llama.cpp server ({LLM_MODEL.description})"
    return f"configured endpoint {redact_url(settings.llm_base_url or '')}"


@contextlib.contextmanager
def connect(settings: Settings) -> Iterator[LLMClient]:
    """An ``LLMClient`` for the configured endpoint, or for an embedded server
    started for the duration of the block."""
    if not settings.uses_embedded_llm:
        yield LLMClient.from_settings(settings)
        return
    server = EmbeddedServer(settings)
    previous = _install_sigterm_handler()
    try:
        client = server.client(server.start())
        try:
            yield client
        except EndpointUnavailable as exc:
            if (died := server.died()) is not None:
                raise UserError(f"the embedded model server stopped: {died}") from exc
            raise
    finally:
        server.stop()
        _restore_sigterm_handler(previous)


_shared_lock = threading.Lock()
_shared: dict[str, tuple[EmbeddedServer | None, LLMClient]] = {}


def shared_client(settings: Settings) -> LLMClient:
    """One client for the whole process (the app): the embedded server, if used, is
    started on first use and stopped at interpreter exit."""
    key = settings.llm_base_url or f"embedded:{settings.llm_model_path}"
    with _shared_lock:
        if key not in _shared:
            if settings.uses_embedded_llm:
                server = EmbeddedServer(settings)
                client = server.client(server.start())
                atexit.register(server.stop)
                _shared[key] = (server, client)
            else:
                _shared[key] = (None, LLMClient.from_settings(settings))
        return _shared[key][1]


#: what ``signal.getsignal`` gives back: a handler, SIG_DFL/SIG_IGN, or None (not set
#: from Python)
SignalHandler = Callable[[int, FrameType | None], Any] | int | None


def _install_sigterm_handler() -> SignalHandler:
    """Turn SIGTERM into SystemExit so ``finally`` blocks (server stop) run."""
    if threading.current_thread() is not threading.main_thread():
        return None

    def _handler(signum: int, frame: FrameType | None) -> None:
        raise SystemExit(128 + signum)

    previous = signal.getsignal(signal.SIGTERM)
    if previous in (signal.SIG_DFL, None):
        signal.signal(signal.SIGTERM, _handler)
    return previous


def _restore_sigterm_handler(previous: SignalHandler) -> None:
    if previous is not None and threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, previous)


__all__ = ["EmbeddedServer", "connect", "describe_endpoint", "shared_client"]
