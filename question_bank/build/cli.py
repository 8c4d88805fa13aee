"""Rebuild ``question_bank/bank.yaml`` from the seed texts in ``../shared/seeds``.

The command line of ``python -m question_bank.build``: options, and a log that
``--quiet`` cuts down to the per-seed counts and the summary.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from .common import DEFAULT_CURATED, DEFAULT_OUT, DEFAULT_SEEDS
from .pipeline import build


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m question_bank.build",
        description=__doc__.split("\n\n")[0] if __doc__ else None,
    )
    ap.add_argument("--seeds", type=Path, default=DEFAULT_SEEDS, help="seed directory")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="bank YAML to write")
    ap.add_argument("--curated", type=Path, default=DEFAULT_CURATED, help="overlay directory")
    ap.add_argument("--quiet", action="store_true", help="only print the summary")
    args = ap.parse_args(argv)

    def log(msg: str) -> None:
        if not args.quiet or not msg.startswith(("merged", "near")):
            print(msg)

    build(args.seeds, args.out, args.curated, log=log)
    return 0
