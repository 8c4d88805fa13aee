"""The real app with accounts and no model, for the login fault tests.

python tests/faults/login_app.py   # MIANSHI_DATA_DIR, GRADIO_SERVER_PORT from the env

``LOGIN_APP_NO_LIMITS=1`` switches the login's backoff off (every guess is checked),
to show the checks themselves no longer hold up other requests.
"""

from __future__ import annotations

import os
import sys
from typing import NoReturn

from agent.bank import Bank
from agent.errors import UserError
from agent.interview.store import Store
from agent.settings import Settings, load_settings
from agent.ui.handlers import MianshiUI
from agent.ui.services import Services


def no_engine(settings: Settings, bank: Bank, store: Store) -> NoReturn:
    raise UserError("no model in the login tests")


def main() -> int:
    if os.environ.get("LOGIN_APP_NO_LIMITS"):
        from agent.ui import login_limits

        login_limits.NAME_FREE = login_limits.ADDRESS_FREE = 10**9
    settings = load_settings()
    try:
        MianshiUI(Services(settings, engine_factory=no_engine)).launch()
    except UserError as exc:
        print(f"mianshi: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
