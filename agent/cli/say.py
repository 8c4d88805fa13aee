"""``mianshi say TEXT --out FILE.wav``: the interviewer's voice, offline (agent/voice/)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from agent.errors import UserError
from agent.settings import load_settings


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("say", help="speak TEXT with the interviewer's voice into a WAV")
    p.add_argument(
        "text", help="what to say (Chinese with English terms read out, or English with "
        "--lang en); - = stdin",
    )  # fmt: skip
    p.add_argument("--out", type=Path, required=True, help="the WAV file to write")
    p.add_argument(
        "--lang", choices=["zh", "en"], default="zh",
        help="the interview language whose voice speaks: zh (Mandarin) or en (English)",
    )  # fmt: skip
    p.set_defaults(func=_say)


def _say(args: argparse.Namespace) -> int:
    from agent.voice.voice import Voice

    text = sys.stdin.read() if args.text == "-" else args.text
    if not text.strip():
        raise UserError("nothing to say: TEXT is empty")
    if len(text) > 2000:
        raise UserError(f"TEXT is {len(text)} characters; say at most 2000 at a time")
    voice = Voice(load_settings(), args.lang)
    try:
        parts = voice.say_to_file(text, args.out)
    finally:
        voice.close()
    seconds = sum(p.seconds for p in parts)
    took = sum(p.synthesis_s for p in parts)
    print(f"wrote {args.out}: {seconds:.1f} s of speech, {len(parts)} sentence(s), "
          f"synthesised in {took:.1f} s")  # fmt: skip
    print("read as: " + " / ".join(voice.spec.sentences(text)), file=sys.stderr)
    return 0
