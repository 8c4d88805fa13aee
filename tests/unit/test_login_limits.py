"""The login backoff, on a clock the test moves."""

from __future__ import annotations

import pytest

from agent.ui import login_limits
from agent.ui.login_limits import CAP_S, FORGET_S, LoginLimits


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_name_waits_twice_as_long_after_each_failure_past_its_free_ones() -> None:
    clock = Clock()
    limits = LoginLimits(clock)
    waits: list[float] = []
    for _ in range(login_limits.NAME_FREE + 4):
        limits.record("alice", f"10.0.0.{len(waits)}", ok=False)  # from ever new addresses
        waits.append(limits.wait("alice", "10.9.9.9"))
    assert waits == [0, 0, 0, 0, 1, 2, 4, 8, 16]
    clock.now += 16.5
    assert limits.wait("alice", "10.9.9.9") == 0  # the wait is over: one more try
    limits.record("alice", "10.9.9.9", ok=True)  # her password: the count starts afresh
    limits.record("alice", "10.9.9.9", ok=False)
    assert limits.wait("alice", "10.9.9.9") == 0


def test_an_address_has_more_free_failures_and_a_success_does_not_reset_it() -> None:
    clock = Clock()
    limits = LoginLimits(clock)
    for n in range(login_limits.ADDRESS_FREE - 1):
        limits.record(f"name{n}", "10.0.0.1", ok=False)
    assert limits.wait("new", "10.0.0.1") == 0
    limits.record("mine", "10.0.0.1", ok=True)  # the guesser's own account
    limits.record("name-last", "10.0.0.1", ok=False)
    assert limits.wait("new", "10.0.0.1") == pytest.approx(1.0)
    assert limits.wait("new", "10.0.0.2") == 0  # another address is not held up


def test_waits_are_capped_and_failures_forgotten() -> None:
    clock = Clock()
    limits = LoginLimits(clock)
    for _ in range(60):
        limits.record("alice", "10.0.0.1", ok=False)
    assert limits.wait("alice", "10.0.0.2") == CAP_S
    clock.now += max(FORGET_S, CAP_S) + 1
    assert limits.wait("alice", "10.0.0.1") == 0
    limits.record("alice", "10.0.0.1", ok=False)
    assert limits.wait("alice", "10.0.0.1") == 0  # counting from one again


def test_random_names_cost_bounded_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(login_limits, "MAX_KEYS", 50)
    limits = LoginLimits(Clock())
    for n in range(500):
        limits.names.failed(f"name{n}")
    assert len(limits.names._failures) == 50
