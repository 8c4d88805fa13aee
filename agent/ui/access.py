"""Who may use the app: the login (accounts from ``mianshi users add``) and where the
app may listen without one.

Without accounts the app is for one person on one machine: it listens on 127.0.0.1
and refuses any other address unless ``MIANSHI_UI_ALLOW_OPEN=1`` says so explicitly.
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import logging
import math
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from agent.accounts import Accounts, password_problem
from agent.errors import UserError
from agent.osutil import PRIVATE_UMASK, private_dir
from agent.settings import Settings
from agent.ui.login_guard import LoginGuard, current_request
from agent.ui.login_limits import LoginLimits
from agent.ui.login_page import LoginPageNote

log = logging.getLogger(__name__)


def said(exc: BaseException) -> str:
    """What the browser may be told about a failure: a ``UserError``'s message (written
    for the candidate); anything else only by kind, the details go to the server log."""
    if isinstance(exc, UserError):
        return str(exc)
    log.error("handler failed", exc_info=exc)
    return f"内部错误 internal error ({type(exc).__name__}; details in the server log)"


def keep_private(settings: Settings) -> None:
    """What the app writes is its user's alone: files 0600 and folders 0700 from now on
    (umask), the data dir made 0700 (also one an older Mianshi made 0755), and Gradio's
    cache — uploaded recordings and CVs, report downloads — a 0700 folder inside it
    (``GRADIO_TEMP_DIR``, unless the operator chose one)."""
    os.umask(PRIVATE_UMASK)
    private_dir(settings.data_dir, tighten=True)
    if not os.environ.get("GRADIO_TEMP_DIR"):
        os.environ["GRADIO_TEMP_DIR"] = str(private_dir(settings.data_dir / "gradio"))


def bind_host() -> str:
    """Where Gradio will be reachable: ``GRADIO_SERVER_NAME`` (else 127.0.0.1), or a
    public share link when ``GRADIO_SHARE`` is on (never loopback)."""
    if os.environ.get("GRADIO_SHARE", "").strip().lower() in ("1", "true", "yes"):
        return "a public share link (GRADIO_SHARE)"
    return os.environ.get("GRADIO_SERVER_NAME") or "127.0.0.1"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_bind(host: str, login: bool, allow_open: bool) -> None:
    """Refuse to serve everyone's sessions to a network without a login."""
    if login or allow_open or is_loopback(host):
        return
    raise UserError(
        f"refusing to listen on {host} without accounts: anyone who can reach it would see "
        "every session. Add accounts with `mianshi users add NAME`, or set "
        "MIANSHI_UI_ALLOW_OPEN=1 if that is really what you want."
    )


#: password checks waiting at once past which a login is refused (busy): each check
#: takes ~110 ms and 64 MiB, two at a time (``CHECKERS``)
MAX_PENDING = 16
CHECKERS = 2
#: the account stamp of the shared login (MIANSHI_UI_USERNAME), which has no row
SHARED = -1.0
AUTH_MESSAGE = (
    "Mianshi 面试 — 请登录 please log in. 多次输错密码后需等待再试 "
    "(after several wrong passwords, wait before the next try)."
)


class Login:
    """Who may log in: an account's password, or the deprecated shared login.

    ``check`` is Gradio's ``auth`` (a coroutine function, which Gradio awaits): the
    Argon2 check runs on a small thread pool, never on the event loop that serves
    every request, and failed logins back off per name and per client address
    (``login_limits``; HTTP 429 with the wait). ``launch_options`` wires it, with
    ``login_guard.LoginGuard`` (logins expire, and end with their account)."""

    def __init__(self, settings: Settings, accounts: Accounts) -> None:
        self.accounts = accounts
        self.lifetime_s = settings.ui_login_hours * 3600
        self.limits = LoginLimits()
        self._checks = ThreadPoolExecutor(max_workers=CHECKERS, thread_name_prefix="mianshi-login")
        self._pending = 0
        self._shared: tuple[str, str] | None = None
        if settings.ui_username and settings.ui_password:
            self._shared = _shared_login(settings, accounts)

    @property
    def on(self) -> bool:
        return self._shared is not None or self.accounts.any()

    def __call__(self, username: str, password: str) -> bool:
        """The password check itself (blocking: ~110 ms for an account)."""
        if self._shared is not None and username == self._shared[0]:
            if self.accounts.created(username) is not None:  # an account took the name since
                log.error("the shared login %r is also an account's name: refused", username)
                return False
            return hmac.compare_digest(password.encode(), self._shared[1].encode())
        return self.accounts.verify(username, password)

    def account_stamp(self, name: str) -> float | None:
        """Who ``name`` is now: its account's creation time, ``SHARED`` for the shared
        login, None when there is no such account (a login of it ends)."""
        created = self.accounts.created(name)
        if self._shared is not None and name == self._shared[0]:
            return SHARED if created is None else None
        return created

    async def check(self, username: str, password: str) -> bool:
        """Gradio's ``auth``: ``self(username, password)`` off the event loop, within
        the limits; refused with HTTP 429 while the name or the address must wait."""
        request = current_request()
        wait = self.limits.wait(username, request.address)
        if wait > 0:
            raise _refused(wait, "登录失败次数过多 Too many failed logins for this name or "
                           "from this address")  # fmt: skip
        if self._pending >= MAX_PENDING:
            raise _refused(2, "登录请求过多 The server is checking many logins right now")
        self._pending += 1
        try:
            loop = asyncio.get_running_loop()
            ok, stamp = await loop.run_in_executor(self._checks, self._verify, username, password)
        finally:
            self._pending -= 1
        self.limits.record(username, request.address, ok)
        if ok:
            request.login = (username, stamp)
        return ok

    def _verify(self, username: str, password: str) -> tuple[bool, float]:
        ok = self(username, password)
        stamp = self.account_stamp(username) if ok else None
        return ok and stamp is not None, stamp if stamp is not None else 0.0

    def launch_options(self) -> dict[str, Any]:
        """``demo.launch`` arguments: the login, its message, and the guard."""
        if not self.on:
            return {}
        from starlette.middleware import Middleware

        guard = Middleware(LoginGuard, lifetime_s=self.lifetime_s,
                           account_stamp=self.account_stamp)  # fmt: skip
        return {"auth": self.check, "auth_message": AUTH_MESSAGE,
                "app_kwargs": {"middleware": [Middleware(LoginPageNote), guard]}}  # fmt: skip


def _shared_login(settings: Settings, accounts: Accounts) -> tuple[str, str]:
    """The shared login, refused when its name is an account's (it would open that
    account's sessions with the shared password) or its password is weak."""
    name = settings.ui_username or ""
    password = settings.ui_password.get_secret_value() if settings.ui_password else ""
    if accounts.created(name) is not None:
        raise UserError(
            f"MIANSHI_UI_USERNAME={name} is also the name of an account (mianshi users add): "
            "the shared password would open that account's sessions. Give the shared login "
            "another name, or drop it (one account per candidate is better)."
        )
    problem = password_problem(name, password)
    if problem is not None:
        raise UserError(f"MIANSHI_UI_PASSWORD will not do: {problem}")
    print(
        "Mianshi: MIANSHI_UI_USERNAME/PASSWORD is one login for everyone; "
        "prefer `mianshi users add NAME` (one account per candidate)",
        file=sys.stderr,
    )
    return name, password


def _refused(wait: float, why: str) -> Exception:
    from fastapi import HTTPException

    seconds = max(1, math.ceil(wait))
    return HTTPException(
        status_code=429,
        detail=f"{why}: 请 {seconds} 秒后再试 try again in {seconds} s.",
        headers={"Retry-After": str(seconds)},
    )
