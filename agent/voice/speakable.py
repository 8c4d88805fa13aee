"""Text as the Mandarin voice can say it, sentence by sentence.

The voice reads Chinese characters and digits only; it silently drops Latin letters,
and most questions name terms like LoRA, KV cache or RoPE. So every Latin token is
replaced by a reading: ``readings.yaml`` (case-sensitive, then case-insensitive), else
its parts (split at ``-``, ``_``, ``.`` and digit runs) looked up the same way, else
spelled letter by letter. Nothing Latin reaches the voice, and nothing is dropped.

Lines are cut into sentences (and long sentences at a comma) so the first one can play
while the rest is synthesised.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import yaml

READINGS_FILE = Path(__file__).resolve().parent / "readings.yaml"

LETTERS = {
    "a": "诶", "b": "比", "c": "西", "d": "迪", "e": "伊", "f": "艾弗", "g": "吉",
    "h": "艾尺", "i": "艾", "j": "杰", "k": "开", "l": "艾勒", "m": "艾姆", "n": "恩",
    "o": "欧", "p": "皮", "q": "丘", "r": "阿", "s": "艾斯", "t": "提", "u": "优",
    "v": "维", "w": "达不溜", "x": "艾克斯", "y": "外", "z": "贼",
}  # fmt: skip
SYMBOLS = {"+": "加", "=": "等于", "×": "乘", "*": "乘", "^": "的", "≈": "约等于", "%": "百分比"}
#: A sentence longer than this is cut at its commas (the first part plays sooner).
LONG = 36

_LATIN = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-_.'][A-Za-z0-9]+)*")
_PARTS = re.compile(r"[A-Za-z]+|[0-9]+(?:\.[0-9]+)?")
#: sentence ends; "：" too, so a lead-in ("好的，我们看下一题：") is a sentence of its
#: own: the same few lead-ins are synthesised once, cached, and play at once.
_END = re.compile(r"(?<=[。！？；：!?;])|\n+")
_COMMA = re.compile(r"(?<=[，,、：:])")
_DROP = re.compile(r"[`#>|\[\]{}()（）\"“”'‘’<>_~\\]")


@functools.cache
def readings() -> dict[str, str]:
    raw = (
        yaml.safe_load(READINGS_FILE.read_text(encoding="utf-8")) if READINGS_FILE.exists() else {}
    )
    return {str(k): str(v) for k, v in (raw or {}).items()}


@functools.cache
def _lower() -> dict[str, str]:
    return {k.lower(): v for k, v in readings().items()}


def reading(term: str) -> str:
    """How the voice says one Latin token (never empty, never Latin)."""
    found = readings().get(term) or _lower().get(term.lower())
    if found:
        return found
    out = []
    for part in _PARTS.findall(term):
        if part[0].isdigit():  # a version: 2.5 is said 2点5
            out.append(part.replace(".", "点"))
        else:
            out.append(readings().get(part) or _lower().get(part.lower())
                       or "".join(LETTERS[c] for c in part.lower()))  # fmt: skip
    return "".join(out)


def speakable(text: str) -> str:
    """``text`` with Latin terms read out, symbols said, markup dropped."""
    text = _LATIN.sub(lambda m: reading(m.group(0)), text)
    for symbol, said in SYMBOLS.items():
        text = text.replace(symbol, said)
    text = _DROP.sub(" ", text)
    return re.sub(r"[ \t]+", " ", text).strip()


def sentences(text: str) -> list[str]:
    """The speakable sentences of ``text``, long ones cut at commas."""
    out: list[str] = []
    for sentence in _END.split(speakable(text)):
        sentence = sentence.strip()
        if not re.search(r"[\u4e00-\u9fff0-9]", sentence):
            continue  # nothing the voice can say (punctuation only)
        if len(sentence) <= LONG:
            out.append(sentence)
            continue
        piece = ""
        for part in _COMMA.split(sentence):
            if piece and len(piece) + len(part) > LONG:
                out.append(piece)
                piece = ""
            piece += part
        if piece.strip():
            out.append(piece)
    return out
