"""What the grader evals share: the labelled sets and the entry an item is graded
against. (The verdict cache both evals share is ``evals/grader_signals.py``.)"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from agent.bank import Bank, Entry, RubricPoint


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """One JSON object per non-blank line."""
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    """One JSON object per line, UTF-8 as is."""
    with path.open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


def entry_for_item(bank: Bank, item: dict[str, Any], *, recorded_rubric: bool = False) -> Entry:
    """The bank entry an item is graded against. By default the bank's current rubric
    (what a candidate is graded with); ``recorded_rubric`` swaps in the key points the
    item was labelled against (``item["rubric"]``) to reproduce an older result."""
    entry = bank.get(str(item["question_id"]))
    if recorded_rubric and item.get("rubric"):
        return entry.model_copy(update={"rubric": [RubricPoint(point=p) for p in item["rubric"]]})
    return entry
