"""One redaction for every URL shown: user information and query values hidden."""

from __future__ import annotations

import pytest

from agent.redact import redact, redact_url, url_secrets


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://u:pw-1@db.local:5432/mianshi", "postgresql://***@db.local:5432/mianshi"),
        ("postgresql://:secret@host/db", "postgresql://***@host/db"),
        ("postgresql://host/db?user=u&password=hunter22", "postgresql://host/db?user=***&password=***"),
        ("https://alice:s3cret@llm.example.com:8443/v1?api_key=sk-1#frag",
         "https://***@llm.example.com:8443/v1?api_key=***"),
        ("postgresql://h1:5432,h2:5433/db?sslmode=require", "postgresql://h1:5432,h2:5433/db?sslmode=***"),
        ("http://127.0.0.1:8080/v1", "http://127.0.0.1:8080/v1"),
        ("sqlite:////home/me/.local/share/mianshi/sessions.sqlite",
         "sqlite:////home/me/.local/share/mianshi/sessions.sqlite"),
        ("/plain/path.sqlite", "/plain/path.sqlite"),
        ("http://[::1:8080/v1?k=v", "http://***"),  # unparseable: only the scheme
    ],
)  # fmt: skip
def test_a_url_keeps_where_and_hides_its_secrets(url: str, shown: str) -> None:
    assert redact_url(url) == shown


def test_a_message_loses_the_secrets_of_its_url() -> None:
    url = "postgresql://u:p%40ss-word@host/db?password=q%20secret&sslmode=require"
    assert url_secrets(url) == ["p%40ss-word", "q%20secret", "require"]
    text = "failed for p@ss-word and p%40ss-word, q secret, q%20secret (sslmode require)"
    shown = redact(text, *url_secrets(url))
    assert "ss-word" not in shown and "secret" not in shown
    assert redact("a key abc in text", "abc") == "a key abc in text"  # too short to hide
