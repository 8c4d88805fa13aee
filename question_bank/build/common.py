"""What every step of the build shares: the paths, the seed-question record
(``Item``), reading a seed, the exact repairs of garbled seed text, the
splitting of a multi-part question into its sub-questions, and how a curated file's
check reports (``report_check``)."""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agent.text import match_key

#: ``question_bank/`` (this package's parent).
QUESTION_BANK = Path(__file__).resolve().parent.parent
REPO = QUESTION_BANK.parent
DEFAULT_SEEDS = REPO.parent / "shared" / "seeds"
DEFAULT_OUT = QUESTION_BANK / "bank.yaml"
DEFAULT_CURATED = QUESTION_BANK / "curated"


@dataclass
class Item:
    """One question as found in one seed."""

    seed: str  # file name
    locator: str
    line: int
    question: str
    section: str = ""  # chapter / heading the question sits under
    raw: str | None = None  # the seed's wording when the question was rephrased
    topic: str | None = None
    roles: list[str] | None = None
    difficulty: int | None = None
    tags: list[str] = field(default_factory=list)
    companies: list[str] = field(default_factory=list)
    rubric: list[str] = field(default_factory=list)
    reference_answer: str | None = None
    follow_ups: list[dict[str, str]] = field(default_factory=list)
    reading: list[dict[str, str]] = field(default_factory=list)
    notes: dict[str, Any] = field(default_factory=dict)
    generated_from_heading: bool = False
    design: bool = False  # a 方案设计 (system design) question
    id_hint: str = ""

    @property
    def prefix(self) -> str:
        return self.seed[:3]


def seed_order(item: Item) -> tuple[int, int]:
    """Where an item stands in the seeds: seed number, then line."""
    return (int(item.prefix), item.line)


def read_lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").split("\n")


class TextFixes:
    """Exact repairs of text a seed garbled (raw substring -> replacement), applied
    before normalisation. Each one must match, so a changed seed fails loudly:
    ``apply`` every line, then ``check``."""

    def __init__(self, prefix: str, table: dict[str, str]) -> None:
        self.prefix = prefix
        self.table = table
        self.used: set[str] = set()

    def apply(self, text: str) -> str:
        for raw, fixed in self.table.items():
            if raw in text:
                text = text.replace(raw, fixed)
                self.used.add(raw)
        return text

    def check(self) -> None:
        missing = set(self.table) - self.used
        if missing:
            raise SystemExit(
                f"seed {self.prefix}: expected garbled text not found: {sorted(missing)}"
            )


_RE_SENTENCE = re.compile(r"(?<=[？?。！])(?=\S)")


def question_parts(question: str) -> list[str]:
    """The sentences of a question's first line ("…？…。…？"), in order."""
    first_line = question.split("\n", 1)[0]
    return [p.strip() for p in _RE_SENTENCE.split(first_line) if len(match_key(p)) >= 4]


def part_follow_ups(question: str) -> list[dict[str, str]]:
    """A multi-part question's later sub-questions (each ending in ？) as follow-ups."""
    parts = question_parts(question)
    return [{"question": p} for p in parts[1:] if p.endswith(("？", "?"))]


def report_check(problems: Sequence[str], summary: str, warnings: Sequence[str] = ()) -> int:
    """A curated file's check as its command reports it: each problem, then each
    warning, on stdout; the ``summary`` line on stderr; the exit status (1 when there
    is any problem: warnings alone pass)."""
    for p in problems:
        print(p)
    for w in warnings:
        print(f"warning: {w}")
    print(summary, file=sys.stderr)
    return 1 if problems else 0
