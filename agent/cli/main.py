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

#: Every command, in the order ``mianshi --help`` shows them: the module under
#: ``agent/cli`` that registers it, and its one-line help (the same words the module
#: registers; a test keeps them equal). Only the chosen command's module is imported,
#: so ``mianshi --help`` loads none of them.
COMMANDS: dict[str, tuple[str, str]] = {
    "interview": ("interview", "a mock interview in the terminal"),
    "sessions": ("interview", "past interviews: list, show, export"),
    "grade": ("grade", "grade answers from a JSONL file"),
    "llm": ("llm", "the language model: serve the embedded one, status"),
    "bank": ("bank", "inspect the question bank"),
    "transcribe": (
        "transcribe", "transcribe a recorded answer and print JSON (text + speech metrics)"
    ),
    "say": ("say", "speak TEXT with the interviewer's voice into a WAV"),
    "review": ("review", "review the key points you missed (FSRS cards)"),
    "users": ("users", "candidate accounts for the app (login)"),
    "db": ("db", "the database: schema migrations, and moving a history between databases"),
    "eval": ("eval", "run a measured eval (asr, …)"),
}  # fmt: skip


def _chosen(argv: Sequence[str]) -> str | None:
    """The command named on the line (the first word that is not an option)."""
    first = next((a for a in argv if not a.startswith("-")), None)
    return first if first in COMMANDS else None


def build_parser(argv: Sequence[str] = ()) -> argparse.ArgumentParser:
    """The parser: the chosen command's module registers its own sub-parser (with
    every option); the others appear by name and help only."""
    parser = argparse.ArgumentParser(
        prog="mianshi", description="Mianshi (面试): mock interviews for LLM / NLP roles."
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    chosen = _chosen(argv)
    module = COMMANDS[chosen][0] if chosen else None
    for name, (owner, summary) in COMMANDS.items():
        if owner != module:
            subparsers.add_parser(name, help=summary)
    if module is not None:
        importlib.import_module(f"agent.cli.{module}").register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(encoding="utf-8")
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser(argv).parse_args(argv)
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
