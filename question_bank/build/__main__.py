"""``python -m question_bank.build``: see ``cli.py``."""

from .cli import main

raise SystemExit(main())
