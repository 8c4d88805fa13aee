"""A password in the database URL — in the user information or in the query string —
is never printed: not by `mianshi db migrate|export|import`, not in their errors.
The real command line against a throwaway PostgreSQL (trust authentication, so the
passwords in these URLs are accepted and ignored) and against a closed port."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from agent.cli.main import main

SECRETS = ("userinfo-secret", "query-secret")


def _with_secrets(url: str) -> str:
    """``url`` (postgresql://user@host:port/db) with a password in both places."""
    user, _, rest = url.removeprefix("postgresql://").partition("@")
    return f"postgresql://{user}:{SECRETS[0]}@{rest}?password={SECRETS[1]}&sslmode=disable"


def _clean(capsys: Any) -> str:
    out = capsys.readouterr()
    text = out.out + out.err
    for secret in SECRETS:
        assert secret not in text, text
    return text


def test_db_commands_never_print_a_password(
    pg_url: str, tmp_path: Path, isolated_settings: Any, capsys: Any
) -> None:
    url = _with_secrets(pg_url)
    assert main(["db", "migrate", "--to", url]) == 0
    assert "schema up to date" in _clean(capsys)
    archive = tmp_path / "history.jsonl"
    assert main(["db", "export", str(archive), "--from", url]) == 0
    assert "?password=***" in _clean(capsys)
    assert main(["db", "import", str(archive), "--to", url]) == 0
    assert "***@" in _clean(capsys)


def test_a_database_that_cannot_be_reached_is_named_without_its_password(
    isolated_settings: Any, capsys: Any
) -> None:
    url = f"postgresql://u:{SECRETS[0]}@127.0.0.1:1/db?password={SECRETS[1]}"
    assert main(["db", "migrate", "--to", url]) == 2  # a message, not a traceback
    text = _clean(capsys)
    assert "cannot open the database postgresql://***@127.0.0.1:1/db?password=***" in text
    assert "Traceback" not in text
    assert main(["db", "export", "/dev/null", "--from", url]) == 2  # ~15 s: the pool waits
    assert "cannot connect to PostgreSQL at postgresql://***@127.0.0.1:1/db" in _clean(capsys)
