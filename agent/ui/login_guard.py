"""Every request's login checked again: an ASGI middleware in front of Gradio.

Gradio keeps logins as tokens in memory (``App.tokens``: token -> name, one per
browser, in the ``access-token-*`` cookies) and never lets one go. Here, before Gradio
sees a request, its token is dropped when

- it is older than the login lifetime (``ui_login_hours``), or
- the account behind it is gone (``mianshi users remove``) or is no longer the one
  that logged in (removed and added again), or the shared login has lost its name;

then Gradio treats the browser as logged out (its login page; 401 for the API).
Gradio's own ``/logout`` drops the tokens of the name on every browser.

The middleware also tells the login check (``access.Login.check``) the client's
address (``current_request``), for the backoff per address. Behind a reverse proxy
that is the proxy's, unless uvicorn trusts it to forward the client's
(``FORWARDED_ALLOW_IPS``; a proxy on 127.0.0.1 is trusted by default).
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)
COOKIES = ("access-token-", "access-token-unsecure-")  # + the app's cookie_id
SWEEP_S = 600.0  # expired tokens no browser brings back are dropped this often


@dataclass
class RequestInfo:
    """The request a login check runs in: where it comes from, and (set by the check
    on success) who logged in with which account stamp."""

    address: str
    login: tuple[str, float] | None = None


_request: contextvars.ContextVar[RequestInfo | None] = contextvars.ContextVar(
    "mianshi_login_request", default=None
)


def current_request() -> RequestInfo:
    return _request.get() or RequestInfo("unknown")


@dataclass
class _Stamp:
    issued: float  # time.time() of the login
    name: str
    account: float | None  # the account's stamp then (see Login.account_stamp)


class LoginGuard:
    """ASGI middleware: ``account_stamp(name)`` is the account's identity now (None:
    no such account); a token lives ``lifetime_s`` seconds at most."""

    def __init__(
        self, app: ASGIApp, *, lifetime_s: float, account_stamp: Callable[[str], float | None]
    ) -> None:
        self.app = app
        self.lifetime_s = lifetime_s
        self.account_stamp = account_stamp
        self._stamps: dict[str, _Stamp] = {}
        self._swept = time.monotonic()
        # its own threads: a lookup never waits behind password checks
        self._lookups = ThreadPoolExecutor(max_workers=2, thread_name_prefix="mianshi-logins")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        info = RequestInfo(str(client[0]) if client else "unknown")
        reset = _request.set(info)
        try:
            await self._check(scope)
            if scope.get("method") == "POST" and scope["path"].rstrip("/").endswith("/login"):
                send = self._stamping(send, info, scope)
            await self.app(scope, receive, send)
        finally:
            _request.reset(reset)

    async def _check(self, scope: Scope) -> None:
        app = scope.get("app")
        tokens = getattr(app, "tokens", None)
        if not isinstance(tokens, dict):
            return
        for token in _cookie_tokens(scope, str(getattr(app, "cookie_id", ""))):
            name = tokens.get(token)
            if name is None:
                self._stamps.pop(token, None)
            elif not await self._valid(token, str(name)):
                tokens.pop(token, None)
                self._stamps.pop(token, None)
                log.info("a login of %s ended (expired, or the account is gone)", name)
        self._sweep(tokens)

    async def _valid(self, token: str, name: str) -> bool:
        loop = asyncio.get_running_loop()
        account = await loop.run_in_executor(self._lookups, self.account_stamp, name)
        now = time.time()
        stamp = self._stamps.setdefault(token, _Stamp(now, name, account))  # unseen: now
        alive = now - stamp.issued < self.lifetime_s
        return alive and stamp.name == name and account is not None and account == stamp.account

    def _stamping(self, send: Send, info: RequestInfo, scope: Scope) -> Send:
        """``send`` noting the token a successful login hands out, with its time."""
        cookie_id = str(getattr(scope.get("app"), "cookie_id", ""))

        async def stamped(message: Message) -> None:
            if message["type"] == "http.response.start" and info.login is not None:
                name, account = info.login
                for token in _set_cookie_tokens(message.get("headers", []), cookie_id):
                    self._stamps[token] = _Stamp(time.time(), name, account)
            await send(message)

        return stamped

    def _sweep(self, tokens: dict[Any, Any]) -> None:
        """Drop what is stale: stamps of tokens Gradio let go (a logout), and expired
        tokens no browser came back with."""
        if time.monotonic() - self._swept < SWEEP_S and len(self._stamps) <= 2 * len(tokens) + 64:
            return
        self._swept = time.monotonic()
        live = set(list(tokens))  # list(): one step under the GIL (logout runs on a thread)
        now = time.time()
        for token, stamp in list(self._stamps.items()):
            if token not in live or now - stamp.issued >= self.lifetime_s:
                tokens.pop(token, None)
                del self._stamps[token]


def _cookie_tokens(scope: Scope, cookie_id: str) -> set[str]:
    header = b"; ".join(v for k, v in scope.get("headers", []) if k == b"cookie")
    cookies = cookie_parser(header.decode("latin-1"))
    return {cookies[f"{c}{cookie_id}"] for c in COOKIES if f"{c}{cookie_id}" in cookies}


def _set_cookie_tokens(headers: list[tuple[bytes, bytes]], cookie_id: str) -> set[str]:
    names = {f"{c}{cookie_id}" for c in COOKIES}
    found = set()
    for key, value in headers:
        if key.lower() == b"set-cookie":
            name, _, token = value.decode("latin-1").split(";", 1)[0].partition("=")
            if name.strip() in names and token:
                found.add(token.strip())
    return found
