"""The interviewer's voice, measured: bank questions spoken offline and read back by
the bundled Whisper.

- **Intelligibility**: Whisper round-trip character error rate on the questions'
  Chinese text, and the same as toneless pinyin (``sound_er_zh``: the sounds the
  voice made heard, apart from which of several same-sounding characters the small
  Whisper wrote). The reference is the question as spoken (Latin terms replaced by their
  readings); errors are counted only on the question's own Chinese characters
  (``cer_zh``), and, stricter, on everything including the readings (``cer_all``: a
  reading Whisper hears as a near-homophone counts).
- **Nothing dropped**: every Latin term of every question has a reading with no Latin
  letter in it, and the spoken text contains no Latin letter.
- **Speed**: synthesis real-time factor (synthesis time / audio length, a fresh cache)
  and the time to a line's first sentence.

Questions: bank questions (by id, up to 80 characters) that name at least one Latin
term, plus a fifth as many without. The first ``CALIBRATION`` of each kind chose the
voice's pace and model (see ``ZH`` in agent/voice/voices.py); the eval reports the
N after them.
Then (``--turns N``, evals/voice_turns.py) voice mode's turn-taking in the real app in
Chromium: end of the candidate's speech → the interviewer's next line playing.
``mianshi eval voice [--questions N] [--turns N]``; saves ``evals/results/voice-<sha>.json``.
"""

from __future__ import annotations

import argparse
import re
import tempfile
import time
from pathlib import Path
from typing import Any

from agent.bank import load_bank
from agent.settings import Settings, load_settings
from agent.speech.listening import END_SILENCE_S as LISTEN_END_S
from agent.speech.transcriber import Transcriber
from agent.voice import speakable
from agent.voice.voice import Voice
from evals.common import git_short_sha, percentile, save_result

_CJK = re.compile(r"[\u4e00-\u9fff]")
TARGET_CER = 0.10


def reference(question: str) -> tuple[str, list[bool]]:
    """The question as spoken, CJK characters only, and which of them are the
    question's own (True) rather than a term's reading (False)."""
    chars: list[str] = []
    own: list[bool] = []
    last = 0
    for m in speakable._LATIN.finditer(question):
        for c in question[last : m.start()]:
            if _CJK.match(c):
                chars.append(c)
                own.append(True)
        for c in speakable.reading(m.group(0)):
            if _CJK.match(c):
                chars.append(c)
                own.append(False)
        last = m.end()
    for c in question[last:]:
        if _CJK.match(c):
            chars.append(c)
            own.append(True)
    return "".join(chars), own


def errors(ref: str, own: list[bool], hyp: str, *, sounds: bool = False) -> tuple[int, int]:
    """(errors on the question's own characters, errors on all characters); ``sounds``:
    compared as toneless pinyin syllables, one per character, so a near-homophone
    Whisper writes with another character (在 for 再) is not an error: what the voice
    made heard, apart from the characters Whisper chose for it."""
    import jiwer  # the eval extra: imported where an error rate is counted

    hyp = "".join(_CJK.findall(hyp))
    if sounds:
        from pypinyin import lazy_pinyin

        syllables = (" ".join(lazy_pinyin(text)) for text in (ref, hyp))
        alignment = jiwer.process_words([next(syllables)], [next(syllables) or "-"]).alignments
    else:
        alignment = jiwer.process_characters([ref], [hyp or " "]).alignments
    own_errors = all_errors = 0
    for chunk in alignment[0]:
        span = own[chunk.ref_start_idx : chunk.ref_end_idx]
        if chunk.type in ("substitute", "delete"):
            own_errors += sum(span)
            all_errors += len(span)
        elif chunk.type == "insert":
            n = chunk.hyp_end_idx - chunk.hyp_start_idx
            around = own[max(0, chunk.ref_start_idx - 1) : chunk.ref_start_idx + 1]
            own_errors += n if around and all(around) else 0
            all_errors += n
    return own_errors, all_errors


CALIBRATION = 20


def pick(n: int, offset: int = CALIBRATION) -> list[Any]:
    """N questions with Latin terms and N/5 without, after the first ``offset`` (and
    ``offset // 5``) of each kind."""
    entries = sorted(load_bank().entries, key=lambda e: e.id)
    short = [e for e in entries if 6 <= len(e.question) <= 80]
    with_terms = [e for e in short if speakable._LATIN.search(e.question)]
    without = [e for e in short if not speakable._LATIN.search(e.question)]
    return with_terms[offset : offset + n] + without[offset // 5 : offset // 5 + n // 5]


def run(
    settings: Settings, questions: int = 60, log: Any = print, offset: int = CALIBRATION
) -> dict[str, Any]:
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="mianshi-voice-") as tmp:
        fresh = settings.model_copy(update={"cache_dir": Path(tmp)})  # no cached lines
        voice = Voice(fresh)
        voice.say_to_file("你好。", Path(tmp) / "warm.wav")  # the worker's start is not timed
        transcriber = Transcriber(settings)
        try:
            for entry in pick(questions, offset):
                began = time.perf_counter()
                parts = voice.say_to_file(entry.question, Path(tmp) / f"{entry.id}.wav")
                first = parts[0].synthesis_s
                heard = transcriber.transcribe(Path(tmp) / f"{entry.id}.wav").text
                ref, own = reference(entry.question)
                own_err, all_err = errors(ref, own, heard)
                own_sound_err, _ = errors(ref, own, heard, sounds=True)
                terms = speakable._LATIN.findall(entry.question)
                spoken = "".join(p.sentence for p in parts)
                rows.append({
                    "id": entry.id, "question": entry.question, "spoken": spoken,
                    "heard": heard, "terms": terms, "own_chars": sum(own),
                    "all_chars": len(ref), "own_errors": own_err, "all_errors": all_err,
                    "own_sound_errors": own_sound_err,
                    "latin_left": bool(re.search(r"[A-Za-z]", spoken)),
                    "audio_s": round(sum(p.seconds for p in parts), 2),
                    "synthesis_s": round(sum(p.synthesis_s for p in parts), 3),
                    "first_sentence_s": round(first, 3),
                    "wall_s": round(time.perf_counter() - began, 2),
                })  # fmt: skip
                log(f"{entry.id}: cer_zh {own_err}/{sum(own)}  heard {heard[:40]}")
        finally:
            voice.close()
    own_total = sum(r["own_chars"] for r in rows)
    all_total = sum(r["all_chars"] for r in rows)
    audio = sum(r["audio_s"] for r in rows)
    firsts = [r["first_sentence_s"] for r in rows]
    summary = {
        "questions": len(rows),
        "with_terms": sum(1 for r in rows if r["terms"]),
        "terms": sum(len(r["terms"]) for r in rows),
        "cer_zh": round(sum(r["own_errors"] for r in rows) / own_total, 4) if own_total else None,
        "cer_all": round(sum(r["all_errors"] for r in rows) / all_total, 4) if all_total else None,
        "sound_er_zh": round(sum(r["own_sound_errors"] for r in rows) / own_total, 4)
        if own_total
        else None,
        "latin_dropped_or_left": sum(1 for r in rows if r["latin_left"]),
        "rtf": round(sum(r["synthesis_s"] for r in rows) / audio, 3) if audio else None,
        "first_sentence_p50_s": round(percentile(firsts, 0.5), 3) if firsts else None,
        "first_sentence_p90_s": round(percentile(firsts, 0.9), 3) if firsts else None,
        "target_cer": TARGET_CER,
    }
    return {"commit": git_short_sha(), "summary": summary, "rows": rows}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--questions", type=int, default=60,
        help="bank questions with Latin terms (plus a fifth as many without; 0: skip)",
    )  # fmt: skip
    parser.add_argument(
        "--offset", type=int, default=CALIBRATION,
        help=f"skip this many questions (default {CALIBRATION}: the ones that chose the pace)",
    )  # fmt: skip
    parser.add_argument(
        "--turns", type=int, default=8,
        help="voice-mode turns to time in the real app in Chromium (0: skip; evals/voice_turns.py)",
    )  # fmt: skip
    parser.add_argument("--no-save", action="store_true")


def _print_round_trip(s: dict[str, Any]) -> None:
    print(
        f"round-trip CER on the questions' Chinese text: {s['cer_zh']:.1%} "
        f"(all characters, readings included: {s['cer_all']:.1%}); target ≤ {TARGET_CER:.0%}"
    )
    print(f"the same heard as toneless pinyin (homophones written with other characters "
          f"are not errors): {s['sound_er_zh']:.1%}")  # fmt: skip
    print(
        f"{s['questions']} questions, {s['terms']} Latin terms, "
        f"{s['latin_dropped_or_left']} with Latin left in the spoken text"
    )
    print(f"synthesis RTF {s['rtf']}, first sentence p50 {s['first_sentence_p50_s']} s "
          f"p90 {s['first_sentence_p90_s']} s")  # fmt: skip


def _print_turns(t: dict[str, Any]) -> None:
    heard, after = t["speech_end_to_playing_s"], t["turn_end_to_playing_s"]
    print(
        f"voice mode, {t['turns']} turns in the app: end of speech → the interviewer's "
        f"next line playing p50 {heard['p50']} s p90 {heard['p90']} s; from the turn's end "
        f"(after the {LISTEN_END_S} s silence allowance) p50 {after['p50']} s "
        f"p90 {after['p90']} s; where the time went (p50, from the end of speech): "
        f"{t['steps_p50_s']}"
    )
    for by, figures in t.get("speech_end_to_playing_by_end_s", {}).items():
        print(f"  turns ended by {by}: end of speech → playing p50 {figures['p50']} s "
              f"p90 {figures['p90']} s")  # fmt: skip


def main_args(args: argparse.Namespace) -> int:
    import json

    result: dict[str, Any] = {"commit": git_short_sha(), "summary": {}}
    if args.questions:
        result = run(load_settings(), args.questions, offset=args.offset)
        _print_round_trip(result["summary"])
    if args.turns:
        from evals import voice_turns

        result["voice_mode"] = voice_turns.run(args.turns)
        result["summary"]["voice_mode"] = result["voice_mode"]["summary"]
        _print_turns(result["voice_mode"]["summary"])
    if not args.no_save:
        print(f"saved {save_result(result, f'voice-{git_short_sha()}')}")
    print(json.dumps(result["summary"], ensure_ascii=False))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.eval_voice", description=__doc__)
    add_arguments(parser)
    return main_args(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
