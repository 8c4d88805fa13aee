"""Gradio's auth, ``Login.check``: a coroutine that checks off the event loop, backs
off, and refuses with HTTP 429 saying how long to wait."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest
from fastapi import HTTPException

from agent.accounts import Accounts
from agent.settings import Settings
from agent.ui import access, login_limits
from agent.ui.access import Login


@pytest.fixture
def login(tmp_path: Path) -> Login:
    accounts = Accounts(tmp_path / "s.sqlite")
    accounts.add("alice", "violet tram at dusk")
    return Login(Settings(data_dir=tmp_path), accounts)


def test_a_wrong_password_backs_off_and_the_wait_is_said(login: Login) -> None:
    async def tries() -> list[object]:
        said: list[object] = []
        for _ in range(login_limits.NAME_FREE + 1):
            try:
                said.append(await login.check("alice", "not her password"))
            except HTTPException as exc:
                said.append(exc)
        return said

    said = asyncio.run(tries())
    assert said[: login_limits.NAME_FREE] == [False] * login_limits.NAME_FREE
    refused = said[-1]
    assert isinstance(refused, HTTPException) and refused.status_code == 429
    assert "try again in 1 s" in str(refused.detail)
    assert refused.headers == {"Retry-After": "1"}


def test_the_check_leaves_the_event_loop_free_and_refuses_when_busy(
    login: Login, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(access, "MAX_PENDING", 1)
    release = threading.Event()
    verify = login._verify
    monkeypatch.setattr(login, "_verify", lambda n, p: (release.wait(10), verify(n, p))[1])

    async def scene() -> tuple[int, object, bool]:
        first = asyncio.ensure_future(login.check("alice", "violet tram at dusk"))
        ticks = 0
        for _ in range(5):  # the loop runs while the first check waits on its thread
            await asyncio.sleep(0.01)
            ticks += 1
        try:
            second: object = await login.check("alice", "violet tram at dusk")
        except HTTPException as exc:
            second = exc
        release.set()
        return ticks, second, await first

    ticks, second, first = asyncio.run(scene())
    assert ticks == 5 and first is True
    assert isinstance(second, HTTPException) and second.status_code == 429
    assert "checking many logins" in str(second.detail)
