"""Model verdicts for labelled items, cached on disk (keyed by model + prompt).

``python -m evals.grader_signals --split calibration`` asks the model for every item
of ``evals/grader/candidates.jsonl`` in that split (grouped by question, so the
prompt's answer-independent prefix is evaluated once per question) and for each
question's empty-answer baseline. A re-run only asks about what changed.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import time
from pathlib import Path
from typing import Any

from agent.bank import Bank, Entry, RubricPoint, load_bank
from agent.grading import likelihood, verdicts
from agent.grading.answer_view import prepare
from agent.grading.checks import topic_terms
from agent.llm.client import LLMClient
from agent.llm.errors import LLMError
from agent.osutil import write_atomic
from agent.settings import Settings, load_settings
from evals.common import read_jsonl

REPO = Path(__file__).resolve().parents[1]
CANDIDATES = REPO / "evals" / "grader" / "candidates.jsonl"


class _ModelCache:
    """Model answers through a JSON file (None: in memory only); every new one is
    written through. ``offline``: a miss raises ``KeyError`` instead of asking."""

    def __init__(self, llm: LLMClient, path: Path | None, *, offline: bool = False) -> None:
        self.llm, self.path, self.offline = llm, path, offline
        self.data: dict[str, Any] = {}
        if path is not None and path.is_file():
            self.data = json.loads(path.read_text(encoding="utf-8"))
        self.calls, self.seconds = 0, 0.0
        self._unsaved = 0

    def save(self) -> None:
        self._unsaved = 0
        if self.path is not None:
            write_atomic(self.path, json.dumps(self.data))


class VerdictCache(_ModelCache):
    """``verdicts.ask`` through a JSON file."""

    def ask(self, entry: Entry, rubric: list[RubricPoint], view: str) -> verdicts.PointVerdicts:
        msgs = verdicts.messages(entry, rubric, view)
        blob = json.dumps([self.llm.model, msgs], ensure_ascii=False, sort_keys=True)
        key = hashlib.sha256(blob.encode("utf-8")).hexdigest()
        if key not in self.data:
            if self.offline:
                raise KeyError("not cached")
            start = time.perf_counter()
            v = verdicts.ask(self.llm, entry, rubric, view)
            took = time.perf_counter() - start
            self.seconds += took
            self.calls += 1
            self.data[key] = {"p_yes": v.p_yes, "method": v.method, "seconds": round(took, 2)}
            self.save()
        row = self.data[key]
        return verdicts.PointVerdicts(p_yes=row["p_yes"], method=row["method"])


class LoglikCache(_ModelCache):
    """``likelihood.loglik`` through a JSON file: each key point's token logprobs after
    one prompt head, keyed by model, head, point and ``likelihood.FORMAT``."""

    #: new entries after which ``point`` writes the file (the multiple-choice reading's
    #: letters are scored through ``point`` alone, with no ``loglik`` call to save them)
    SAVE_EVERY = 40

    def point(self, prefix: str, point: str) -> likelihood.PointTokens:
        """``likelihood.point_tokens``, cached (``loglik`` saves once per answer; letters
        scored here directly are saved every ``SAVE_EVERY`` new entries)."""
        blob = json.dumps([self.llm.model, prefix, point, likelihood.FORMAT], ensure_ascii=False)
        key = hashlib.sha256(blob.encode("utf-8")).hexdigest()
        if key not in self.data:
            if self.offline:
                raise KeyError("not cached")
            start = time.perf_counter()
            self.data[key] = likelihood.point_tokens(self.llm, prefix, point)
            self.seconds += time.perf_counter() - start
            self.calls += 1
            self._unsaved += 1
            if self._unsaved >= self.SAVE_EVERY:
                self.save()
        return [(int(at), float(lp)) for at, lp in self.data[key]]

    def loglik(
        self, entry: Entry, rubric: list[RubricPoint], answer: str
    ) -> list[likelihood.PointTokens]:
        asked = self.calls
        try:
            return likelihood.loglik(self.llm, entry, rubric, answer, score=self.point)
        finally:
            if self.calls > asked:  # once per answer: the file holds thousands of points
                self.save()


def item_signals(
    cache: VerdictCache, bank: Bank, items: list[dict[str, Any]], progress: bool = True
) -> list[dict[str, Any]]:
    out = []
    order = sorted(range(len(items)), key=lambda i: str(items[i]["question_id"]))
    for n, i in enumerate(order, start=1):
        it = items[i]
        entry = bank.get(str(it["question_id"]))
        view = prepare(str(it["answer"]), topic=topic_terms(entry, list(entry.rubric)))
        v = None
        for _ in range(2):  # a garbled reply is asked once more, then left out
            try:
                v = (
                    cache.ask(entry, list(entry.rubric), view.model_text)
                    if view.model_text
                    else None
                )
                break
            except LLMError as exc:
                print(f"  {it['question_id']} {it.get('kind')}: {exc}", flush=True)
        out.append({"index": i, "p_yes": v.p_yes if v else None})
        if progress:
            print(
                f"[{n}/{len(items)}] {it['question_id']} {it.get('kind')} "
                f"{[round(p, 2) for p in v.p_yes] if v else '-'}",
                flush=True,
            )
    return out


def connect_llm(stack: contextlib.ExitStack, base_url: str | None, settings: Settings) -> LLMClient:
    """The endpoint at ``base_url``, or the embedded server (stopped with ``stack``)."""
    if base_url:
        return LLMClient(base_url, timeout=600)
    from agent.llm.server import connect

    return stack.enter_context(connect(settings))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--split", choices=["calibration", "heldout"], required=True)
    ap.add_argument("--base-url", help="an OpenAI-compatible endpoint (default: embedded)")
    ap.add_argument("--every", type=int, default=1, help="every k-th question only")
    args = ap.parse_args()
    settings = load_settings()
    bank = load_bank()
    items = [it for it in read_jsonl(CANDIDATES) if it["split"] == args.split]
    keep = sorted({str(it["question_id"]) for it in items})[:: args.every]
    items = [it for it in items if it["question_id"] in keep]
    with contextlib.ExitStack() as stack:
        llm = connect_llm(stack, args.base_url, settings)
        cache = VerdictCache(llm, settings.cache_dir / "eval-grader-point-verdicts.json")
        item_signals(cache, bank, items)
    print(f"{cache.calls} calls, {cache.seconds:.0f} s")


if __name__ == "__main__":
    main()
