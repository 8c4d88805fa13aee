"""What the app shares across browser sessions: one engine, one speech model, a worker pool.

Everything here is created lazily, once per process, behind a lock: the engine (and so
the embedded llama.cpp server) on the first interview or at warm-up, the Whisper model
on the first spoken answer. Nothing here holds a browser session's state (that lives
in ``gr.State``, see ``agent.ui.session.UISession``).
"""

from __future__ import annotations

import atexit
import contextlib
import contextvars
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from agent.bank import Bank, load_bank
from agent.diagnostics import warn_if_slow
from agent.interview.report import write_report
from agent.interview.report_types import Report
from agent.interview.store import Store
from agent.osutil import private_dir
from agent.settings import Settings
from agent.speech.audio import SAMPLE_RATE
from agent.ui.views import stopwatch

if TYPE_CHECKING:
    from agent.interview.engine import Engine
    from agent.speech.transcriber import Transcriber, Transcript
    from agent.voice.voice import Voice

T = TypeVar("T")
#: a voice-mode piece takes about 0.5 s; this long, and the log says what it waits on
SLOW_PIECE_S = 5.0

EngineFactory = Callable[[Settings, Bank, Store], "Engine"]
TranscriberFactory = Callable[[Settings], "Transcriber"]


ProgressFn = Callable[[int, int], None]

#: Where the engine's wrap-up reports grading progress: set per call (see
#: ``Services.submit``), so each browser session hears only about its own report.
_progress: contextvars.ContextVar[ProgressFn | None] = contextvars.ContextVar(
    "mianshi_ui_progress", default=None
)


def report_progress(done: int, total: int) -> None:
    """The engine's ``progress`` callback: forwards to the caller that is waiting."""
    listener = _progress.get()
    if listener is not None:
        listener(done, total)


def _gradio_cache() -> Path:
    """Gradio's cache folder (``GRADIO_TEMP_DIR``, see ``access.keep_private``), made
    when missing (0700)."""
    from gradio.utils import get_upload_folder

    return private_dir(Path(get_upload_folder()))


def default_engine(settings: Settings, bank: Bank, store: Store) -> Engine:
    from agent.interview.engine import Engine
    from agent.llm.server import shared_client

    return Engine(
        settings, shared_client(settings), bank=bank, store=store, progress=report_progress
    )


def default_transcriber(settings: Settings) -> Transcriber:
    from agent.speech.transcriber import Transcriber

    return Transcriber(settings)


class Services:
    def __init__(
        self,
        settings: Settings,
        *,
        engine_factory: EngineFactory = default_engine,
        transcriber_factory: TranscriberFactory = default_transcriber,
        workers: int = 16,
    ) -> None:
        self.settings = settings
        self._engine_factory = engine_factory
        self._transcriber_factory = transcriber_factory
        self._lock = threading.Lock()  # bank, store
        self._engine_lock = threading.Lock()
        self._transcriber_lock = threading.Lock()
        self._engine: Engine | None = None
        self._transcriber: Transcriber | None = None
        self._voices: dict[str, Voice] = {}
        self._bank: Bank | None = None
        self._store: Store | None = None
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="mianshi-ui")
        #: Whisper, one recording at a time in arrival order: on 2 cores parallel
        #: transcriptions only thrash (three voice-mode pieces of 2.6–17 s in flight at
        #: once each took 10–12 s; the last words' piece should not wait behind others)
        self._speech = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mianshi-asr")
        #: this process's own folder for report downloads: private (0700, a fresh name
        #: per process), removed at exit; inside Gradio's cache, so Gradio serves the
        #: files from there instead of copying them (its copies were 0644)
        self.reports_dir = Path(tempfile.mkdtemp(prefix="mianshi-reports-", dir=_gradio_cache()))
        atexit.register(shutil.rmtree, self.reports_dir, True)

    # ------------------------------------------------------------- shared objects
    @property
    def bank(self) -> Bank:
        with self._lock:
            if self._bank is None:
                self._bank = load_bank()
            return self._bank

    @property
    def store(self) -> Store:
        with self._lock:
            if self._store is None:
                self._store = Store(self.settings.database)
            return self._store

    def engine(self) -> Engine:
        """The engine (starting the embedded model server on first use)."""
        bank, store = self.bank, self.store
        with self._engine_lock:
            if self._engine is None:
                self._engine = self._engine_factory(self.settings, bank, store)
            return self._engine

    def engine_if_ready(self) -> Engine | None:
        return self._engine

    def voice(self, lang: str = "zh") -> Voice:
        """The interviewer's voice in ``lang``, the interview's language (its worker
        starts on the first line)."""
        from agent.voice.voice import Voice

        with self._transcriber_lock:
            if lang not in self._voices:
                self._voices[lang] = Voice(self.settings, lang)
            return self._voices[lang]

    def transcriber(self) -> Transcriber:
        with self._transcriber_lock:
            if self._transcriber is None:
                self._transcriber = self._transcriber_factory(self.settings)
            return self._transcriber

    def reading(self, topic: str) -> list[dict[str, str]]:
        return [r.model_dump() for r in self.bank.reading_for_topic(topic)]

    def downloads(self, report: Report) -> tuple[Path, Path]:
        """The report as JSON and Markdown files (for the download buttons)."""
        sid = re.sub(r"[^0-9A-Za-z_-]", "_", report.session_id or "report")[:64]
        path = private_dir(self.reports_dir / sid) / f"mianshi-{sid}.json"
        files = write_report(report, path, reading=self.reading)
        for file in files:
            file.chmod(0o600)
        return files

    # ------------------------------------------------------------------- workers
    def submit(
        self, fn: Callable[..., T], *args: Any, progress: ProgressFn | None = None
    ) -> Future[T]:
        """Run ``fn(*args)`` on a worker; ``progress`` hears the engine's wrap-up
        progress (grades done / total) for this call only."""

        def run() -> T:
            _progress.set(progress)
            return fn(*args)

        return self._pool.submit(contextvars.Context().run, run)

    def transcribe(
        self, audio: str | Path | np.ndarray, *, short: bool = False, language: str | None = None
    ) -> Future[Transcript]:
        """``audio`` transcribed on the speech worker (see ``_speech``) in ``language``
        (the interview's, zh or en); ``short``: a voice-mode piece (see
        ``Transcriber.transcribe``); one the candidate waits for that is still running
        after ``SLOW_PIECE_S`` is logged with every thread's stack."""

        def run() -> Transcript:
            if not short:
                return self.transcriber().transcribe(audio, language=language)
            seconds = len(audio) / SAMPLE_RATE if isinstance(audio, np.ndarray) else 0.0
            with warn_if_slow(f"transcribing a {seconds:.1f} s voice-mode piece", SLOW_PIECE_S):
                return self.transcriber().transcribe(audio, short=True, language=language)

        return self._speech.submit(run)

    def warm_up(self) -> Future[Any]:
        """Start the engine in the background so the first interview starts quickly."""
        return self.submit(self._warm)

    def _warm(self) -> None:
        with contextlib.suppress(Exception):  # tried again, and shown, on the first start
            self.engine()

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._speech.shutdown(wait=False, cancel_futures=True)
        if self._engine is not None:
            self._engine.close()
        for voice in self._voices.values():
            voice.close()


def waiting(future: Future[Any], interval: float = 0.5) -> Iterator[float]:
    """Yield the seconds elapsed, every ``interval``, until ``future`` is done (so a
    Gradio generator can stream a status line while the work runs in a thread)."""
    start = time.monotonic()
    while True:
        try:
            future.result(timeout=interval)
            return
        except FutureTimeout:
            yield time.monotonic() - start
        except BaseException:
            return  # the caller reads the exception from future.result()


def status_while(
    status: Any, future: Future[Any], line: Callable[[float], str]
) -> Iterator[dict[Any, Any]]:
    """The status line ``status`` as ``line(seconds elapsed)`` with a stopwatch, every
    half second until ``future`` is done (the caller then reads its result)."""
    for elapsed in waiting(future):
        yield {status: f"⏳ {line(elapsed)}…{stopwatch(elapsed)}"}
