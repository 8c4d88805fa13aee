"""The interviewer's English voice, measured, and the bundled Whisper base on English.

English bank questions (``Entry.in_language("en").question``) are spoken by an English
voice (``agent/voice/voices.py``) and read back by the bundled Whisper base in English
(``Transcriber.transcribe(…, language="en")``, the app's own decoding):

- **intelligibility**: round-trip word error rate (jiwer) against the question's text,
  both sides normalised the same way (``normalize_en``: lower case, punctuation off,
  hyphens and slashes split, e.g./i.e./etc./vs. in words as the voice says them, an
  acronym Whisper heard spelled out written as one word: "O-O-V" is "OOV"); and
  the character error rate with spaces removed (``cer_nospace``), which does not count
  "My SQL" for "MySQL" or "pre-training" for "pretraining";
- **speed**: synthesis real-time factor (synthesis time / audio length, a fresh
  cache) and the time to a question's first sentence.

No human English recordings exist here, so Whisper base's English WER is measured on
more than one synthetic voice: by default the English voice (``en``: the
``english_voice`` setting, SVOX Pico en-GB) and a second voice of another engine and
speaker (``en-piper``: Piper's neural en_US joe voice).

Questions: every ``STEP``-th bank entry by id from ``--offset``. Offsets 0, 5 and 8
chose the English voice, its pace and its text step (``agent/voice/voices.py``); the
default, 2, chose nothing. ``python -m evals.eval_voice_en [--questions 60] [--offset
2] [--voices en en-piper]`` (or ``mianshi eval voice-en``); saves
``evals/results/voice-en-<sha>.json``.
"""

from __future__ import annotations

import argparse
import json
import re
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from agent.bank import load_bank
from agent.bank.models import Entry
from agent.settings import Settings, load_settings
from agent.speech.transcriber import Transcriber
from agent.voice.speakable_en import ABBREVIATIONS
from agent.voice.voice import Voice
from evals.common import git_short_sha, percentile, save_result

STEP = 11
CALIBRATION = 0
CHOSE = (CALIBRATION, 5, 8)  # the offsets whose questions chose the voice or its text step
HELD_OUT = 2
VOICES = ("en", "en-piper")


_SPELLED = re.compile(r"\b[A-Z]{1,2}(?:-[A-Z]{1,2})+s?\b")


def normalize_en(text: str) -> str:
    """Words to compare: lower case, abbreviations in words, a spelled-out acronym as
    one word (Whisper writes the voice's "O O V" as "O-O-V"), hyphens, slashes and
    punctuation off (a decimal point and a word's apostrophe stay)."""
    text = _SPELLED.sub(lambda m: m.group(0).replace("-", ""), text)
    text = text.lower().replace("’", "'")
    for short, said in ABBREVIATIONS.items():
        text = text.replace(short, f" {said} ")
    text = re.sub(r"[-/–—_]", " ", text)
    text = re.sub(r"(?<!\d)\.|\.(?!\d)", " ", text)
    text = re.sub(r"[^\w\s'.]", " ", text)
    text = re.sub(r"'(?!\w)|(?<!\w)'", " ", text)
    return " ".join(text.split())


def word_errors(reference: str, heard: str) -> dict[str, Any]:
    """Word and space-free character errors of ``heard`` against ``reference``, and the
    reference words Whisper did not write (substituted or deleted)."""
    import jiwer  # the eval extra

    ref, hyp = normalize_en(reference), normalize_en(heard)
    words = jiwer.process_words(ref, hyp or "-")
    chars = jiwer.process_characters(ref.replace(" ", ""), hyp.replace(" ", "") or "-")
    missed = [
        w
        for chunk in words.alignments[0]
        if chunk.type in ("substitute", "delete")
        for w in ref.split()[chunk.ref_start_idx : chunk.ref_end_idx]
    ]
    return {
        "words": len(ref.split()),
        "word_errors": words.substitutions + words.deletions + words.insertions,
        "chars": len(ref.replace(" ", "")),
        "char_errors": chars.substitutions + chars.deletions + chars.insertions,
        "missed": missed,
    }


def pick(n: int, offset: int) -> list[Entry]:
    """N bank entries: every STEP-th by id, from ``offset``."""
    entries = sorted(load_bank().entries, key=lambda e: e.id)
    return entries[offset::STEP][:n]


def measure(voice: Voice, transcriber: Transcriber, entry: Entry, out: Path) -> dict[str, Any]:
    """One question said into ``out`` and read back: its row."""
    question = entry.in_language("en").question
    parts = voice.say_to_file(question, out)
    heard = transcriber.transcribe(out, language="en").text
    return {
        "id": entry.id,
        "question": question,
        "heard": heard,
        **word_errors(question, heard),
        "audio_s": round(sum(p.seconds for p in parts), 2),
        "synthesis_s": round(sum(p.synthesis_s for p in parts), 3),
        "first_sentence_s": round(parts[0].synthesis_s, 3),
    }


def summarize(rows: list[dict[str, Any]]) -> dict[str, Any]:
    words, chars = sum(r["words"] for r in rows), sum(r["chars"] for r in rows)
    audio = sum(r["audio_s"] for r in rows)
    firsts = [r["first_sentence_s"] for r in rows]
    missed = Counter(w for r in rows for w in r["missed"])
    return {
        "questions": len(rows),
        "words": words,
        "wer": round(sum(r["word_errors"] for r in rows) / words, 4) if words else None,
        "cer_nospace": round(sum(r["char_errors"] for r in rows) / chars, 4) if chars else None,
        "audio_s": round(audio, 1),
        "rtf": round(sum(r["synthesis_s"] for r in rows) / audio, 3) if audio else None,
        "first_sentence_p50_s": round(percentile(firsts, 0.5), 3) if firsts else None,
        "first_sentence_p90_s": round(percentile(firsts, 0.9), 3) if firsts else None,
        "most_missed": missed.most_common(12),
    }


def run_voice(
    settings: Settings, name: str, entries: list[Entry], pace: float | None = None
) -> dict[str, Any]:
    """Every entry said by the voice ``name`` (a fresh cache; ``pace``: other than the
    voice's) and read back."""
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="mianshi-voice-en-") as tmp:
        voice = Voice(settings.model_copy(update={"cache_dir": Path(tmp)}), name)
        voice.pace = pace or voice.pace
        voice.say_to_file("Hello.", Path(tmp) / "warm.wav")  # the worker's start is not timed
        transcriber = Transcriber(settings)
        try:
            for entry in entries:
                row = measure(voice, transcriber, entry, Path(tmp) / f"{entry.id}.wav")
                rows.append(row)
                print(f"{name} {entry.id}: {row['word_errors']}/{row['words']}  "
                      f"heard {row['heard'][:60]}")  # fmt: skip
        finally:
            voice.close()
    return {"voice": voice.spec.name, "pace": voice.pace, "summary": summarize(rows), "rows": rows}


def run(
    settings: Settings, voices: list[str], questions: int, offset: int, pace: float | None = None
) -> dict[str, Any]:
    entries = pick(questions, offset)
    began = time.perf_counter()
    runs = [run_voice(settings, name, entries, pace) for name in voices]
    summary = {r["voice"]: r["summary"] for r in runs}
    return {
        "commit": git_short_sha(),
        "offset": offset,
        "step": STEP,
        "blind": offset not in CHOSE,
        "whisper": Transcriber(settings).model_name,
        "wall_s": round(time.perf_counter() - began, 1),
        "summary": summary,
        "runs": runs,
    }


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--questions", type=int, default=60, help="bank questions (default 60)")
    parser.add_argument(
        "--offset", type=int, default=HELD_OUT,
        help=f"the first of every {STEP}th entry by id (default {HELD_OUT}; {CHOSE} chose "
        "the voice)",
    )  # fmt: skip
    parser.add_argument(
        "--voices", nargs="+", default=list(VOICES), metavar="VOICE",
        help="voices to measure (agent/voice/voices.py; default: en en-piper)",
    )  # fmt: skip
    parser.add_argument(
        "--pace", type=float, default=None,
        help="durations × PACE instead of each voice's own (slower above 1; to choose it)",
    )  # fmt: skip
    parser.add_argument("--no-save", action="store_true")


def main_args(args: argparse.Namespace) -> int:
    result = run(load_settings(), args.voices, args.questions, args.offset, args.pace)
    for name, s in result["summary"].items():
        print(
            f"{name}: {s['questions']} questions, {s['words']} words, {s['audio_s']} s of "
            f"speech; Whisper base round-trip WER {s['wer']:.1%} (CER without spaces "
            f"{s['cer_nospace']:.1%}); synthesis RTF {s['rtf']}, first sentence p50 "
            f"{s['first_sentence_p50_s']} s p90 {s['first_sentence_p90_s']} s"
        )
        print(f"  most missed: {', '.join(f'{w} ×{n}' for w, n in s['most_missed'])}")
    if not args.no_save:
        chose = "calibration-" if args.offset == CALIBRATION else ""
        pace = f"pace{args.pace}-" if args.pace else ""
        print(f"saved {save_result(result, f'voice-en-{chose}{pace}{git_short_sha()}')}")
    print(json.dumps(result["summary"], ensure_ascii=False))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.eval_voice_en", description=__doc__)
    add_arguments(parser)
    return main_args(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
