"""The ``mianshi`` command line: a thin dispatcher over ``agent.cli.*``.

Each command module exposes ``register(subparsers)`` which adds its sub-parser and
sets ``func`` (called with the parsed namespace, returning an exit code).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from agent.errors import UserError
from agent.osutil import PRIVATE_UMASK

# Command modules under agent/cli, in the order shown by --help.
COMMAND_MODULES: tuple[str, ...] = (
    "interview",
    "grade",
    "llm",
    "bank",
    "transcribe",
    "say",
    "review",
    "users",
    "db",
    "eval",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mianshi", description="Mianshi (面试): mock interviews for LLM / NLP roles."
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    for name in COMMAND_MODULES:
        module = importlib.import_module(f"agent.cli.{name}")
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(encoding="utf-8")
    parser = build_parser()
    args = parser.parse_args(argv)
    umask = os.umask(PRIVATE_UMASK)  # what it writes (sessions, reports, exports): 0600
    try:
        return int(args.func(args) or 0)
    except UserError as exc:
        print(f"mianshi: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("mianshi: interrupted", file=sys.stderr)
        return 130
    finally:
        os.umask(umask)


if __name__ == "__main__":
    raise SystemExit(main())
