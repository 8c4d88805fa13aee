"""Accounts (Argon2 hashes in the real SQLite file), `mianshi users`, and where the app
may listen without them."""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from agent.accounts import Accounts
from agent.cli.main import main
from agent.errors import UserError
from agent.settings import Settings
from agent.ui.access import Login, check_bind


def test_passwords_are_hashed_and_checked(tmp_path: Path) -> None:
    db = tmp_path / "s.sqlite"
    accounts = Accounts(db)
    assert not accounts.any()
    accounts.add("alice", "correct horse")
    assert accounts.any() and accounts.names() == ["alice"]
    assert accounts.verify("alice", "correct horse")
    assert not accounts.verify("alice", "wrong horse!")
    assert not accounts.verify("bob", "correct horse")
    stored = sqlite3.connect(db).execute("SELECT hash FROM users").fetchone()[0]
    assert "correct horse" not in stored and stored.startswith("$argon2id$")
    with pytest.raises(UserError, match="exists already"):
        accounts.add("alice", "another one")
    with pytest.raises(UserError, match="too short"):
        accounts.add("carol", "short")
    with pytest.raises(UserError, match="invalid user name"):
        accounts.add("../x", "long enough")
    accounts.remove("alice")
    assert not accounts.verify("alice", "correct horse")
    with pytest.raises(UserError, match="no user"):
        accounts.remove("alice")
    accounts.close()


def test_users_command(
    isolated_settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("s3cret-pass\n"))
    assert main(["users", "add", "alice"]) == 0
    assert main(["users", "list"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "alice"
    assert Accounts(isolated_settings.db_path).verify("alice", "s3cret-pass")
    monkeypatch.setattr("sys.stdin", io.StringIO("s3cret-pass\n"))
    assert main(["users", "add", "alice"]) == 2  # a clear message, nothing changed
    assert "exists already" in capsys.readouterr().err
    assert main(["users", "remove", "alice"]) == 0
    assert not Accounts(isolated_settings.db_path).any()


def test_weak_passwords_are_refused_with_the_reason(
    isolated_settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    from agent.accounts import common_passwords

    assert len(common_passwords()) > 15000  # the bundled list, read offline
    for weak, reason in (
        ("12345678", "too short: at least 10 characters"),  # was accepted
        ("1234567890", "most common passwords"),
        ("qwertyuiop", "most common passwords"),
        ("woaini1314", "most common passwords"),
        ("Password2024!", "most common passwords"),  # a common one with a tail
        ("iloveyou.1314", "most common passwords"),
        ("bob-the-builder-1", "must not contain the user name"),
    ):
        monkeypatch.setattr("sys.stdin", io.StringIO(weak + "\n"))
        assert main(["users", "add", "bob"]) == 2, weak
        assert reason in capsys.readouterr().err, weak
    assert not Accounts(isolated_settings.db_path).any()  # nothing was added
    monkeypatch.setattr("sys.stdin", io.StringIO("violet tram at dusk\n"))
    assert main(["users", "add", "bob"]) == 0


def test_the_app_refuses_a_network_address_without_accounts() -> None:
    for host in ("127.0.0.1", "localhost", "::1"):
        check_bind(host, login=False, allow_open=False)
    with pytest.raises(UserError, match="mianshi users add"):
        check_bind("0.0.0.0", login=False, allow_open=False)
    check_bind("0.0.0.0", login=True, allow_open=False)
    check_bind("0.0.0.0", login=False, allow_open=True)


def test_a_share_link_counts_as_open(monkeypatch: pytest.MonkeyPatch) -> None:
    from agent.ui.access import bind_host

    monkeypatch.setenv("GRADIO_SERVER_NAME", "127.0.0.1")
    monkeypatch.setenv("GRADIO_SHARE", "True")
    with pytest.raises(UserError, match="refusing to listen on a public share link"):
        check_bind(bind_host(), login=False, allow_open=False)


def test_login_takes_accounts_and_the_old_shared_login(tmp_path: Path) -> None:
    accounts = Accounts(tmp_path / "s.sqlite")
    login = Login(Settings(data_dir=tmp_path), accounts)
    assert not login.on
    accounts.add("alice", "correct horse")
    assert login.on and login("alice", "correct horse") and not login("alice", "nope-nope")
    shared = Settings(data_dir=tmp_path, ui_username="team", ui_password="violet-tram-at-dusk")
    legacy = Login(shared, accounts)
    assert legacy("team", "violet-tram-at-dusk") and not legacy("team", "x") and legacy.on
    accounts.close()


def test_the_browser_hears_a_user_error_but_not_an_internal_one(caplog: Any) -> None:
    from agent.ui.access import said

    assert said(UserError("the answer is too long")) == "the answer is too long"
    shown = said(RuntimeError("/srv/secret/sessions.sqlite is locked by pid 4242"))
    assert "secret" not in shown and "4242" not in shown and "RuntimeError" in shown
    assert "/srv/secret/sessions.sqlite" in caplog.text  # the details are in the log
