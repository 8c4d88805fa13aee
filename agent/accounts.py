"""Candidate accounts: a name and an Argon2 password hash in the sessions database.

With accounts, the app asks for a login, and each candidate sees, resumes and
downloads only their own sessions. ``mianshi users add|list|remove`` manages them.
Passwords are hashed with argon2-cffi's ``PasswordHasher`` (Argon2id, its defaults);
a hash made with older parameters is upgraded at the next login.

A new password must be at least ``MIN_PASSWORD`` characters, must not contain the
account's name, and must not be a common password (``common_passwords.txt``, about
18,000 entries, bundled; also not one with digits or symbols tacked on the end, such
as ``password2024!``).
"""

from __future__ import annotations

import functools
import re
import time
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from agent.db import Database, open_database
from agent.errors import UserError

NAME = re.compile(r"^[A-Za-z0-9_.\-@\u4e00-\u9fff]{1,64}$")
MIN_PASSWORD = 10
COMMON_PASSWORDS = Path(__file__).with_name("common_passwords.txt")
#: what is often tacked on the end of a common password: "password" + "2024!"
_TACKED_ON = re.compile(r"[\d\W_]+$")


@functools.cache
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


def password_problem(name: str, password: str) -> str | None:
    """Why ``password`` will not do for ``name``, or None when it will."""
    if len(password) < MIN_PASSWORD:
        return (
            f"the password is too short: at least {MIN_PASSWORD} characters "
            "(a few unrelated words are long and easy to remember)"
        )
    lowered = password.lower()
    if len(name) >= 3 and name.lower() in lowered:
        return "the password must not contain the user name"
    core = _TACKED_ON.sub("", lowered)
    if lowered in common_passwords() or (len(core) >= 4 and core in common_passwords()):
        return (
            "the password is one of the most common passwords (or one with digits or "
            "symbols added), the first ones anybody guesses: choose another"
        )
    return None


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

    def created(self, name: str) -> float | None:
        """When the account ``name`` was made (None: there is none). A login holds on
        to it: removed, or removed and made again, the account's logins end."""
        row = self.db.one("SELECT created FROM users WHERE name=?", (name,))
        return float(row[0]) if row is not None else None

    def any(self) -> bool:
        return self.db.one("SELECT 1 FROM users LIMIT 1") is not None

    def add(self, name: str, password: str) -> None:
        if not NAME.match(name):
            raise UserError(
                f"invalid user name {name!r}: 1–64 letters, digits, Chinese characters or _.-@"
            )
        problem = password_problem(name, password)
        if problem is not None:
            raise UserError(f"{problem}; nothing was changed")
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
