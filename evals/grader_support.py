"""What the grader evals share: the labelled sets, the entry an item is graded against,
and the on-disk verdict cache.

``calibrate_grader.py`` (fits the constants) and ``eval_grader.py`` (measures agreement)
grade through the same cache file with the same keys, so the calibration questions'
verdicts are asked once and reused by both.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path
from typing import Any

from agent.bank import Bank, Entry, RubricPoint
from agent.llm import LLMClient, Verdict

CACHE_NAME = "eval-grader-verdicts.json"


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """One JSON object per non-blank line."""
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def entry_for_item(bank: Bank, item: dict[str, Any], *, recorded_rubric: bool = False) -> Entry:
    """The bank entry an item is graded against. By default the bank's current rubric
    (what a candidate is graded with); ``recorded_rubric`` swaps in the key points the
    item was labelled against (``item["rubric"]``) to reproduce an older result."""
    entry = bank.get(str(item["question_id"]))
    if recorded_rubric and item.get("rubric"):
        return entry.model_copy(update={"rubric": [RubricPoint(point=p) for p in item["rubric"]]})
    return entry


class CachedVerdicts:
    """An LLMClient stand-in whose ``verdict`` answers from a disk cache when it can.

    Keys hash (model, salt, messages); ``salt`` separates repeated runs (``--repeat``)
    so each asks the model afresh. ``path=None`` keeps the cache in memory only. Each
    new verdict is written through at once, so an interrupted run loses nothing."""

    def __init__(self, llm: LLMClient, path: Path | None) -> None:
        self.llm = llm
        self.path = path
        self.salt = 0
        self.data: dict[str, Any] = {}
        if path is not None and path.is_file():
            self.data = json.loads(path.read_text(encoding="utf-8"))
        self.calls = 0
        self.seconds = 0.0

    def _key(self, messages: list[dict[str, str]]) -> str:
        blob = json.dumps([self.llm.model, self.salt, messages], ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()

    def verdict(self, messages: list[dict[str, str]]) -> Verdict:
        key = self._key(messages)
        if key not in self.data:
            start = time.perf_counter()
            v = self.llm.verdict(messages)
            self.seconds += time.perf_counter() - start
            self.calls += 1
            self.data[key] = v.model_dump()
            self.save()
        return Verdict.model_validate(self.data[key])

    def save(self) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.data), encoding="utf-8")
        tmp.replace(self.path)

    def __getattr__(self, name: str) -> Any:  # model, capabilities, structured, chat …
        return getattr(self.llm, name)
