"""Where the time went when something the candidate waits for is slow: a warning with
every thread's stack, logged while the slow step still runs (so the log of a stalled
turn says what it waited on, not only that it waited)."""

from __future__ import annotations

import contextlib
import logging
import sys
import threading
import traceback
from collections.abc import Iterator

log = logging.getLogger(__name__)


def thread_stacks() -> str:
    """Every thread's name and stack, innermost call last."""
    names = {t.ident: t.name for t in threading.enumerate()}
    out = []
    for ident, frame in sys._current_frames().items():
        stack = "".join(traceback.format_stack(frame, limit=12))
        out.append(f"--- thread {names.get(ident, ident)}\n{stack}")
    return "\n".join(out)


@contextlib.contextmanager
def warn_if_slow(what: str, seconds: float) -> Iterator[None]:
    """Log ``what`` with every thread's stack if the block is still running after
    ``seconds``."""

    def warn() -> None:
        log.warning("%s: still running after %.1f s\n%s", what, seconds, thread_stacks())

    timer = threading.Timer(seconds, warn)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
