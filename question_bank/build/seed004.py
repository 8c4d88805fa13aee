"""Seed 004: Q1–Q200, each with the chapter it sits in."""

from __future__ import annotations

import re
from pathlib import Path

from agent.text import clean_text

from .common import Item, TextFixes, part_follow_ups, read_lines

#: Exact repairs of garbled formulas and escapes (raw substring -> replacement); each
#: must match.
MATH_FIXES_004 = {
    r"$\approx$": "≈",
    r"$\sqrt{d_k}$": "√d_k",
    r"$512 \times 512$": "512×512",
    r"$12\,288 \times 12\,288$": "12288×12288",
    r"top\_p": "top_p",
    "`</s>`": "</s>",
}


def parse_004(path: Path) -> list[Item]:
    seed = path.name
    fixes = TextFixes("004", MATH_FIXES_004)
    items: list[Item] = []
    chapter = ""
    current: Item | None = None
    for lineno, raw in enumerate(read_lines(path), 1):
        s = fixes.apply(raw).strip()
        if not s:
            continue
        if s.startswith("## "):
            chapter = clean_text(s[3:])
            current = None
            continue
        if s.startswith("# ") or not chapter:
            continue
        m = re.match(r"^Q(\d+)\s*[:：]\s*(.*)", s)
        if m:
            current = Item(seed, f"Q{m.group(1)}", lineno, clean_text(m.group(2)), section=chapter)
            items.append(current)
        elif current is not None:
            if s.startswith("- "):
                current.question += "\n- " + clean_text(s[2:])
            else:
                current.question = clean_text(current.question + s)
    fixes.check()
    for it in items:
        it.follow_ups = part_follow_ups(it.question)
    return items
