"""``mianshi transcribe AUDIO [--lang zh|en]``: speech to text (simplified Chinese or
English) plus speech metrics."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from agent.settings import load_settings


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "transcribe",
        help="transcribe a recorded answer and print JSON (text + speech metrics)",
        description="Transcribe AUDIO (WAV, MP3, M4A, OGG, WebM …) with the configured "
        "Whisper model in the answer's language (--lang; default the asr_language setting, "
        "zh); prints JSON with text (simplified Chinese or English), metrics, language "
        "and duration_s.",
    )
    parser.add_argument(
        "--lang", choices=["zh", "en"], default=None,
        help="the language spoken (an interview's: zh or en); default MIANSHI_ASR_LANGUAGE (zh)",
    )  # fmt: skip
    parser.add_argument("audio", type=Path, metavar="AUDIO")
    parser.add_argument("--segments", action="store_true", help="also print the timed segments")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from agent.speech.transcriber import Transcriber

    transcript = Transcriber(load_settings()).transcribe(args.audio, language=args.lang)
    out: dict[str, object] = {
        "text": transcript.text,
        "language": transcript.language,
        "duration_s": transcript.duration_s,
        "metrics": transcript.metrics.model_dump(),
    }
    if transcript.note:  # part of the recording could not be read
        out["note"] = transcript.note
    if args.segments:
        out["segments"] = [s.model_dump() for s in transcript.segments]
    print(json.dumps(out, ensure_ascii=False, indent=2))
    return 0
