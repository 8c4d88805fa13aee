"""How fast one may guess passwords: failed logins back off per account name and per
client address.

Each name (and each address) has a few failures free; after that, each further
failure makes it wait twice as long before the next try (1 s, 2 s, 4 s … at most
``CAP_S``), and a try during the wait is refused at no cost (HTTP 429, no password
check). A name's count is reset by its own successful login; an address's is not (a
guesser with one account of their own could otherwise reset it), both are forgotten
after ``FORGET_S`` without a failure. An address has more free failures than a name:
people behind one proxy or NAT share it. Kept in memory, per app instance.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable

NAME_FREE = 5  # failures a name may have before it waits
ADDRESS_FREE = 20  # failures an address may have before it waits
BASE_S = 1.0  # the first wait; each further failure doubles it
CAP_S = 300.0  # the longest wait
FORGET_S = 900.0  # a key with no failure for this long starts afresh
MAX_KEYS = 10_000  # the oldest are dropped past this (random names cost no memory)


class Backoff:
    """Failures per key (a name or an address) and the wait they cost."""

    def __init__(self, free: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.free = free
        self.clock = clock
        self._failures: OrderedDict[str, tuple[int, float]] = OrderedDict()  # key: n, last
        self._lock = threading.Lock()

    def delay(self, failures: int) -> float:
        """The wait after ``failures`` failures in a row."""
        if failures < self.free:
            return 0.0
        return min(CAP_S, BASE_S * 2.0 ** min(failures - self.free, 32))

    def wait(self, key: str) -> float:
        """Seconds ``key`` must still wait before its next try (0: it may try now)."""
        with self._lock:
            count, last = self._current(key)
            return max(0.0, last + self.delay(count) - self.clock()) if count else 0.0

    def failed(self, key: str) -> None:
        with self._lock:
            count, _ = self._current(key)
            self._failures[key] = (count + 1, self.clock())
            self._failures.move_to_end(key)
            while len(self._failures) > MAX_KEYS:
                self._failures.popitem(last=False)

    def forget(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)

    def _current(self, key: str) -> tuple[int, float]:
        count, last = self._failures.get(key, (0, 0.0))
        if count and self.clock() - last > max(FORGET_S, self.delay(count)):
            del self._failures[key]
            return 0, 0.0
        return count, last


class LoginLimits:
    """The two backoffs a login attempt goes through: its name's and its address's."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.names = Backoff(NAME_FREE, clock)  # read at construction: tests change them
        self.addresses = Backoff(ADDRESS_FREE, clock)

    def wait(self, name: str, address: str) -> float:
        return max(self.names.wait(name), self.addresses.wait(address))

    def record(self, name: str, address: str, ok: bool) -> None:
        if ok:
            self.names.forget(name)
        else:
            self.names.failed(name)
            self.addresses.failed(address)
