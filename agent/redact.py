"""What may be shown of a URL that can carry a secret: the one function every message,
log line and command output uses for a URL (the database's, the LLM endpoint's).

A URL's user information (``user:password@``) and the value of every query parameter
(``?user=u&password=…``, ``?api_key=…``) become ``***``; scheme, host, port and path
stay, so the message still says where. ``redact`` takes the same secrets out of a
free-form text, e.g. a driver's error message that quotes them.
"""

from __future__ import annotations

import urllib.parse

HIDDEN = "***"
#: shorter "secrets" are not replaced in free text (it would garble the message)
MIN_SECRET = 4


def redact_url(url: str) -> str:
    """``url`` without its secrets: ``postgresql://***@db.local:5432/mianshi?password=***``.
    A path (no ``scheme://``) comes back as it is; a URL that cannot be parsed keeps
    only its scheme."""
    if "://" not in url:
        return url
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return f"{url.split('://', 1)[0]}://{HIDDEN}"
    host = parts.netloc.rpartition("@")[2]
    netloc = f"{HIDDEN}@{host}" if "@" in parts.netloc else host
    query = "&".join(
        f"{key}={HIDDEN}" for key, _ in urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    )
    return f"{parts.scheme}://{netloc}{parts.path}" + (f"?{query}" if query else "")


def url_secrets(url: str) -> list[str]:
    """The secrets ``redact_url`` hides: the password and every query value."""
    if "://" not in url:
        return []
    try:
        parts = urllib.parse.urlsplit(url)
        password = parts.password
    except ValueError:
        return []
    values = [pair.partition("=")[2] for pair in parts.query.split("&")]  # as written
    return [s for s in (password, *values) if s]


def redact(text: str, *secrets: str | None) -> str:
    """``text`` with each secret (of at least ``MIN_SECRET`` characters), and each URL
    secret's percent-decoded form, replaced by ``***``."""
    given = {s for s in secrets if s}
    found = {form for s in given for form in (s, urllib.parse.unquote_plus(s))}
    found = {s for s in found if len(s) >= MIN_SECRET}
    for secret in sorted(found, key=len, reverse=True):  # longest first
        text = text.replace(secret, HIDDEN)
    return text
