"""Candidate accounts: a name and an Argon2 password hash in the sessions database.

With accounts, the app asks for a login, and each candidate sees, resumes and
downloads only their own sessions. ``mianshi users add|list|remove`` manages them.
Passwords are hashed with argon2-cffi's ``PasswordHasher`` (Argon2id, its defaults);
a hash made with older parameters is upgraded at the next login.
"""

from __future__ import annotations

import re
import sqlite3
import threading
import time
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from agent.errors import UserError

_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY,
    hash TEXT NOT NULL,
    created REAL NOT NULL
);
"""
NAME = re.compile(r"^[A-Za-z0-9_.\-@\u4e00-\u9fff]{1,64}$")
MIN_PASSWORD = 8


class Accounts:
    def __init__(self, path: Path | str) -> None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(str(path), check_same_thread=False, timeout=30)
        self._lock = threading.Lock()
        self._hasher = PasswordHasher()
        with self._lock, self._conn:
            self._conn.executescript(_SCHEMA)

    def close(self) -> None:
        self._conn.close()

    def names(self) -> list[str]:
        with self._lock:
            rows = self._conn.execute("SELECT name FROM users ORDER BY name").fetchall()
        return [str(r[0]) for r in rows]

    def any(self) -> bool:
        with self._lock:
            return self._conn.execute("SELECT 1 FROM users LIMIT 1").fetchone() is not None

    def add(self, name: str, password: str) -> None:
        if not NAME.match(name):
            raise UserError(
                f"invalid user name {name!r}: 1–64 letters, digits, Chinese characters or _.-@"
            )
        if len(password) < MIN_PASSWORD:
            raise UserError(f"the password is too short: at least {MIN_PASSWORD} characters")
        digest = self._hasher.hash(password)
        try:
            with self._lock, self._conn:
                self._conn.execute(
                    "INSERT INTO users VALUES (?, ?, ?)", (name, digest, time.time())
                )
        except sqlite3.IntegrityError:
            raise UserError(f"user {name!r} exists already (remove it first)") from None

    def remove(self, name: str) -> None:
        with self._lock, self._conn:
            cur = self._conn.execute("DELETE FROM users WHERE name=?", (name,))
        if cur.rowcount == 0:
            raise UserError(f"no user {name!r}")

    def verify(self, name: str, password: str) -> bool:
        """True when ``password`` is ``name``'s (constant-time in the hash check)."""
        with self._lock:
            row = self._conn.execute("SELECT hash FROM users WHERE name=?", (name,)).fetchone()
        if row is None:
            # spend the same time as a real check, so a name's existence does not leak
            self._hasher.hash(password)
            return False
        try:
            self._hasher.verify(str(row[0]), password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False
        if self._hasher.check_needs_rehash(str(row[0])):
            with self._lock, self._conn:
                self._conn.execute(
                    "UPDATE users SET hash=? WHERE name=?", (self._hasher.hash(password), name)
                )
        return True
