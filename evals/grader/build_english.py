"""Build ``evals/grader/english.jsonl``: English answers graded in an English interview.

Issue 32 asks how the grader does on English answers against the bank's English key
points. The questions are the 22 **held-out** questions of ``candidates.jsonl`` (never
used to fit or choose anything). ``english/answers-e1|e2.jsonl`` were written by two
writers who saw only each question's English text (never the bank, its reference or
key points), 8 kinds per question: ``correct_written``, ``correct_spoken`` (fillers,
self-corrections, loose order), ``correct_mixed`` (English with Chinese words, as a
bilingual engineer talks), ``correct_rambling`` (an anecdote first, other order),
``strong_partial`` (~70 %), ``weak_partial`` (~30 %), ``fluent_wrong`` (confident, the
domain's vocabulary, core claims wrong) and ``keyword_list``. Two labellers labelled
all 176 answers blind (``english/labels-a|b.jsonl``: shuffled item ids
``english/blind_items.jsonl``, shown the English question, key points and reference and
the answer, with GUIDE.md's "How to label"; B in reverse order; neither saw the kinds
or the other's labels; ``english/keys.jsonl`` joins the item ids back). An item's
``label`` is the rounded mean (Python's round).

Each line: ``question_id``, ``kind``, ``answer``, ``split`` (``heldout``), ``lang``
(``en``: graded against the English text), ``writer``, ``labels``, ``label``.

Run: ``python -m evals.grader.build_english`` (deterministic).
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path
from typing import Any

from evals.common import write_jsonl

HERE = Path(__file__).resolve().parent
SRC = HERE / "english"
OUT = HERE / "english.jsonl"
#: the writers' kind names as the grader eval names them
KINDS = {"rambling": "correct_rambling"}


def _read(path: Path) -> list[dict[str, Any]]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def build() -> list[dict[str, Any]]:
    written = {(r["question_id"], r["kind"]): r for p in sorted(SRC.glob("answers-e*.jsonl"))
               for r in _read(p)}  # fmt: skip
    keyed = {row["item"]: row for row in _read(SRC / "keys.jsonl")}
    labels: dict[str, dict[str, int]] = {}
    for path in sorted(SRC.glob("labels-*.jsonl")):
        labeller = path.stem.split("-")[1]
        for row in _read(path):
            labels.setdefault(row["item"], {})[labeller] = int(row["label"])
    items = []
    for item, row in sorted(keyed.items(), key=lambda kv: (kv[1]["question_id"], kv[1]["kind"])):
        got = labels.get(item, {})
        if len(got) < 2:
            raise SystemExit(f"{item}: labelled by {sorted(got)} only")
        items.append(
            {
                "question_id": row["question_id"],
                "kind": KINDS.get(row["kind"], row["kind"]),
                "answer": written[(row["question_id"], row["kind"])]["answer"],
                "split": "heldout",
                "lang": "en",
                "writer": row["writer"],
                "labels": got,
                "label": round(statistics.mean(got.values())),
            }
        )
    return items


def main() -> None:
    items = build()
    write_jsonl(OUT, items)
    print(f"wrote {len(items)} items to {OUT}")


if __name__ == "__main__":
    main()
