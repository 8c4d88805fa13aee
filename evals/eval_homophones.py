"""What toneless-pinyin matching is worth to spoken answers (issue 28, item 4).

The lexical signal compares characters (key-point coverage, the evidence sentence and
its relevance check, the glossary, the off-topic check, the follow-up choice). Whisper
base writes many Mandarin words with a same-sounding character (在/再, 词/此), so a
spoken answer loses lexical coverage it said correctly. ``lexical.py`` also compares
CJK bigrams and glossary forms by toneless pinyin. Two measurements, with and without
that (``pinyin_key`` replaced by the identity):

1. **The spoken kinds of ``evals/grader/``** (``correct_spoken``; typed in spoken
   style): mean key-point coverage.
2. **Whisper transcripts of held-out answers read by the voice**: the held-out half's
   ``correct_written`` answers are spoken by the interviewer's offline voice and read
   back by the bundled Whisper; coverage on the transcript is compared with coverage
   on the text itself (what the recogniser costs), with and without pinyin.

No grading model is involved (the likelihood signal reads tokens, not characters).
``python -m evals.eval_homophones [--answers N]``; saves
``evals/results/homophones-<sha>.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

from agent.bank import load_bank
from agent.grading import lexical
from agent.grading.answer_view import prepare
from agent.settings import load_settings
from evals.common import git_short_sha, read_jsonl, save_result
from evals.grader_signals import CANDIDATES


@contextlib.contextmanager
def characters_only() -> Iterator[None]:
    """Lexical matching as before issue 28: characters only, no pinyin."""
    try:
        with mock.patch.object(lexical, "pinyin_key", lambda cjk: cjk):
            lexical._glossary_pinyin.cache_clear()
            yield
    finally:
        lexical._glossary_pinyin.cache_clear()


def mean_coverage(points: list[str], text: str) -> float:
    found = lexical.terms(prepare(text).model_text)
    return statistics.fmean(lexical.point_coverage(p, found) for p in points)


def both(points: list[str], text: str) -> tuple[float, float]:
    """(with pinyin, characters only)."""
    with_pinyin = mean_coverage(points, text)
    with characters_only():
        chars = mean_coverage(points, text)
    return with_pinyin, chars


def run(answers: int) -> dict[str, Any]:
    bank = load_bank()
    items = read_jsonl(CANDIDATES)
    spoken = []
    for it in items:
        if it["kind"] != "correct_spoken":
            continue
        points = [p.point for p in bank.get(str(it["question_id"])).rubric]
        w, c = both(points, str(it["answer"]))
        spoken.append({"question_id": it["question_id"], "with_pinyin": w, "characters": c})
    w_mean = statistics.fmean(r["with_pinyin"] for r in spoken)
    c_mean = statistics.fmean(r["characters"] for r in spoken)
    print(f"correct_spoken ({len(spoken)}): coverage {w_mean:.3f} with pinyin, {c_mean:.3f} chars")
    from agent.speech.transcriber import Transcriber
    from agent.voice.voice import Voice

    settings = load_settings()
    chosen = [it for it in items if it["split"] == "heldout" and it["kind"] == "correct_written"]
    chosen = chosen[:answers]
    rows = []
    with tempfile.TemporaryDirectory(prefix="mianshi-homophones-") as tmp:
        voice = Voice(settings.model_copy(update={"cache_dir": Path(tmp)}))
        transcriber = Transcriber(settings)
        try:
            for n, it in enumerate(chosen, start=1):
                text = str(it["answer"])
                wav = Path(tmp) / f"{n}.wav"
                voice.say_to_file(text, wav)
                heard = transcriber.transcribe(wav).text
                points = [p.point for p in bank.get(str(it["question_id"])).rubric]
                text_w, text_c = both(points, text)
                heard_w, heard_c = both(points, heard)
                rows.append({
                    "question_id": it["question_id"], "heard": heard,
                    "text_with_pinyin": text_w, "text_characters": text_c,
                    "heard_with_pinyin": heard_w, "heard_characters": heard_c,
                })  # fmt: skip
                print(
                    f"[{n}/{len(chosen)}] {it['question_id']}: text {text_c:.2f} → heard "
                    f"{heard_c:.2f} by characters, {heard_w:.2f} with pinyin",
                    flush=True,
                )
        finally:
            voice.close()

    def mean(key: str) -> float:
        return round(statistics.fmean(r[key] for r in rows), 3) if rows else 0.0

    summary = {
        "correct_spoken_n": len(spoken),
        "correct_spoken_with_pinyin": round(statistics.fmean(r["with_pinyin"] for r in spoken), 3),
        "correct_spoken_characters": round(statistics.fmean(r["characters"] for r in spoken), 3),
        "voiced_n": len(rows),
        "voiced_text_characters": mean("text_characters"),
        "voiced_heard_characters": mean("heard_characters"),
        "voiced_heard_with_pinyin": mean("heard_with_pinyin"),
        "voiced_text_with_pinyin": mean("text_with_pinyin"),
    }
    print(summary)
    return {"commit": git_short_sha(), "summary": summary, "spoken": spoken, "voiced": rows}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--answers", type=int, default=22, help="held-out answers to voice")
    ap.add_argument("--no-save", action="store_true")
    args = ap.parse_args(argv)
    result = run(args.answers)
    if not args.no_save:
        save_result(result, f"homophones-{result['commit']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
