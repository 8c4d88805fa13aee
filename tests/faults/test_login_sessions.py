"""A login ends when it should: when its account is removed (`mianshi users remove`,
from another process, while the app runs), when the account is removed and made
again by someone else, when its lifetime is over (``MIANSHI_UI_LOGIN_HOURS``), and at
the Log out button (Gradio's ``/logout``, in every browser of that name). A shared
login (``MIANSHI_UI_USERNAME``) that takes an account's name is refused at start.
Before, alice's cookie kept reading ``/gradio_api/user`` as alice and opening her
sessions after her account was removed, and tokens never expired. The real app."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx

from agent.accounts import Accounts
from tests.faults.login_client import RUNNER, App, app_env, running

ALICE, BOB = "violet tram at dusk", "amber kite on tuesday"


def _who(client: httpx.Client) -> str | None:
    """Who the app thinks the client is, checked on the user route and the app's
    config (what the page loads; 401 without a login)."""
    user = client.get("/gradio_api/user").json()
    config = client.get("/config")
    assert (config.status_code == 200) == (user is not None), (user, config.status_code)
    return None if user is None else str(user)


def _accounts(data: Path) -> Accounts:
    accounts = Accounts(data / "sessions.sqlite")
    accounts.add("alice", ALICE)
    accounts.add("bob", BOB)
    return accounts


def test_removing_an_account_ends_its_logins_and_log_out_ends_them_all(tmp_path: Path) -> None:
    data = tmp_path / "data"
    accounts = _accounts(data)
    with running(app_env(data), tmp_path / "app.log") as app:
        with app.client() as browser:  # the login page shows a 429's message (its script)
            assert 'id = "mianshi-login-wait"' in browser.get("/").text
        alice, bob = app.login("alice", ALICE), app.login("bob", BOB)
        assert (_who(alice), _who(bob)) == ("alice", "bob")
        config = alice.get("/config").json()
        logout = [c for c in config["components"] if c.get("props", {}).get("elem_id") == "logout"]
        assert logout and logout[0]["props"]["link"] == "/logout"  # the button is there
        accounts.remove("alice")  # as `mianshi users remove alice`, another process
        assert _who(alice) is None and _who(bob) == "bob"
        accounts.add("alice", "someone else's pass phrase")  # the name, another person
        assert _who(alice) is None  # the old cookie does not open the new account
        again = app.login("alice", "someone else's pass phrase")
        assert _who(again) == "alice"
        _log_out_everywhere(app, bob)
    accounts.close()


def _log_out_everywhere(app: App, bob: httpx.Client) -> None:
    other = app.login("bob", BOB)  # bob in a second browser
    cookies = dict(bob.cookies)
    answer = bob.get("/logout")
    assert answer.status_code == 302  # back to the login page
    assert _who(bob) is None and _who(other) is None  # every browser of bob's
    with app.client() as replay:  # the old cookie, kept by someone, opens nothing
        replay.cookies.update(cookies)
        assert _who(replay) is None


def test_a_login_expires(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _accounts(data).close()
    lifetime_s = 6.0
    env = app_env(data, MIANSHI_UI_LOGIN_HOURS=str(lifetime_s / 3600))
    with running(env, tmp_path / "app.log") as app:
        alice = app.login("alice", ALICE)
        started = time.monotonic()
        assert _who(alice) == "alice"
        time.sleep(max(0.0, started + lifetime_s + 0.5 - time.monotonic()))
        assert _who(alice) is None
        assert _who(app.login("alice", ALICE)) == "alice"  # a new login works


def test_a_shared_login_may_not_take_an_accounts_name(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _accounts(data).close()
    env = app_env(data, MIANSHI_UI_USERNAME="alice", MIANSHI_UI_PASSWORD="shared pass phrase")
    done = subprocess.run([sys.executable, str(RUNNER)], env=env, capture_output=True,
                          text=True, timeout=120)  # fmt: skip
    assert done.returncode == 2, done.stderr[-2000:]
    assert "MIANSHI_UI_USERNAME=alice is also the name of an account" in done.stderr
