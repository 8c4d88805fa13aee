"""A slow step the candidate waits for logs where every thread was (agent/diagnostics.py)."""

from __future__ import annotations

import logging
import threading
import time

import pytest

from agent.diagnostics import warn_if_slow


def test_a_slow_block_is_logged_with_the_stack_it_waits_in(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="agent.diagnostics")
    gate = threading.Event()

    def stuck_in_here() -> None:
        gate.wait(5)

    worker = threading.Thread(target=stuck_in_here, name="stuck-worker")
    worker.start()
    with warn_if_slow("the reply", 0.2):
        time.sleep(0.6)
    gate.set()
    worker.join()
    [record] = caplog.records
    assert record.getMessage().startswith("the reply: still running after 0.2 s")
    assert (
        "--- thread stuck-worker" in record.getMessage() and "stuck_in_here" in record.getMessage()
    )


def test_a_quick_block_logs_nothing(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="agent.diagnostics")
    with warn_if_slow("the reply", 0.5):
        pass
    time.sleep(0.7)
    assert caplog.records == []
