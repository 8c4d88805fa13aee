"""Candidate accounts: a name and an Argon2 password hash in the sessions database.

With accounts, the app asks for a login, and each candidate sees, resumes and
downloads only their own sessions. ``mianshi users add|list|remove`` manages them.
Passwords are hashed with argon2-cffi's ``PasswordHasher`` (Argon2id, its defaults);
a hash made with older parameters is upgraded at the next login.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from agent.db import Database, open_database
from agent.errors import UserError

NAME = re.compile(r"^[A-Za-z0-9_.\-@\u4e00-\u9fff]{1,64}$")
MIN_PASSWORD = 8


class Accounts:
    def __init__(self, target: Database | Path | str) -> None:
        self.db = open_database(target)
        self._owned = not isinstance(target, Database)  # a shared database stays open
        self._hasher = PasswordHasher()

    def close(self) -> None:
        if self._owned:
            self.db.close()

    def names(self) -> list[str]:
        return [str(r[0]) for r in self.db.all("SELECT name FROM users ORDER BY name")]

    def any(self) -> bool:
        return self.db.one("SELECT 1 FROM users LIMIT 1") is not None

    def add(self, name: str, password: str) -> None:
        if not NAME.match(name):
            raise UserError(
                f"invalid user name {name!r}: 1–64 letters, digits, Chinese characters or _.-@"
            )
        if len(password) < MIN_PASSWORD:
            raise UserError(f"the password is too short: at least {MIN_PASSWORD} characters")
        digest = self._hasher.hash(password)
        added = self.db.run(
            "INSERT INTO users VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            (name, digest, time.time()),
        )
        if not added:
            raise UserError(f"user {name!r} exists already (remove it first)")

    def remove(self, name: str) -> None:
        if self.db.run("DELETE FROM users WHERE name=?", (name,)) == 0:
            raise UserError(f"no user {name!r}")

    def verify(self, name: str, password: str) -> bool:
        """True when ``password`` is ``name``'s (constant-time in the hash check)."""
        row = self.db.one("SELECT hash FROM users WHERE name=?", (name,))
        if row is None:
            # spend the same time as a real check, so a name's existence does not leak
            self._hasher.hash(password)
            return False
        try:
            self._hasher.verify(str(row[0]), password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False
        if self._hasher.check_needs_rehash(str(row[0])):
            self.db.run("UPDATE users SET hash=? WHERE name=?", (self._hasher.hash(password), name))
        return True
