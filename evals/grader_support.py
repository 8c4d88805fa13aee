"""What the grader evals share: the entry an item is graded against. (JSONL I/O and
agreement figures are ``evals/common.py``; the verdict cache is ``grader_signals.py``.)"""

from __future__ import annotations

from typing import Any

from agent.bank import Bank, Entry, RubricPoint


def entry_for_item(bank: Bank, item: dict[str, Any], *, recorded_rubric: bool = False) -> Entry:
    """The bank entry an item is graded against. By default the bank's current rubric
    (what a candidate is graded with); ``recorded_rubric`` swaps in the key points the
    item was labelled against (``item["rubric"]``) to reproduce an older result. An item
    with ``lang: en`` is graded as an English interview grades it (the entry's English
    key points and reference)."""
    entry = bank.get(str(item["question_id"])).in_language(str(item.get("lang") or "zh"))
    if recorded_rubric and item.get("rubric"):
        return entry.model_copy(update={"rubric": [RubricPoint(point=p) for p in item["rubric"]]})
    return entry
