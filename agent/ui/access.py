"""Who may use the app: the login (accounts from ``mianshi users add``) and where the
app may listen without one.

Without accounts the app is for one person on one machine: it listens on 127.0.0.1
and refuses any other address unless ``MIANSHI_UI_ALLOW_OPEN=1`` says so explicitly.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os
import sys

from agent.accounts import Accounts
from agent.errors import UserError
from agent.osutil import PRIVATE_UMASK, private_dir
from agent.settings import Settings

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


class Login:
    """Gradio's ``auth`` callable: an account's password, or the deprecated shared login."""

    def __init__(self, settings: Settings, accounts: Accounts) -> None:
        self.accounts = accounts
        self._shared: tuple[str, str] | None = None
        if settings.ui_username and settings.ui_password:
            self._shared = (settings.ui_username, settings.ui_password.get_secret_value())
            print(
                "Mianshi: MIANSHI_UI_USERNAME/PASSWORD is one login for everyone; "
                "prefer `mianshi users add NAME` (one account per candidate)",
                file=sys.stderr,
            )

    @property
    def on(self) -> bool:
        return self._shared is not None or self.accounts.any()

    def __call__(self, username: str, password: str) -> bool:
        if self._shared is not None and username == self._shared[0]:
            return hmac.compare_digest(password.encode(), self._shared[1].encode())
        return self.accounts.verify(username, password)
