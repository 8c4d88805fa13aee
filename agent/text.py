"""Shared text normalisation: one place for what every comparison of answer text needs.

- ``normalize``: the form every check reads. NFKC (full-width letters and digits,
  compatibility characters), zero-width and other invisible characters removed,
  traditional characters converted to simplified (OpenCC ``t2s``), letter-spaced
  ASCII words joined (``I g n o r e`` → ``ignore``), lower case.
- ``CJK``: the character ranges counted as Chinese.
- ``content_key``: letters, digits and CJK characters only (content length).
- ``sentences``: split at sentence ends (Chinese and Western punctuation, newlines).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Any

#: CJK Unified Ideographs, Extension A and the compatibility block.
CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"

# Zero-width and other invisible format characters (category Cf) plus the
# variation selectors: they can hide an instruction from a plain substring match.
_INVISIBLE = re.compile(
    r"[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f"
    r"\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f"
    r"\ufeff\uffa0]"
)
# Three or more single ASCII letters separated by single spaces/dots: "i g n o r e".
_SPACED = re.compile(r"(?<![A-Za-z])(?:[A-Za-z][ .·_-]){2,}[A-Za-z](?![A-Za-z])")
_RE_KEY_DROP = re.compile(rf"[^0-9a-z{CJK}]+")
_SENTENCE_SPLIT = re.compile(rf"(?<=[。！？!?；;\n])|(?<=\.)\s+|(?<=[a-z)]\.)(?=[A-Z{CJK}])")
_OPEN_CLOSE = (("“", "”"), ("「", "」"), ("『", "』"), ("‘", "’"))


@functools.cache
def _t2s() -> Any:
    import opencc

    return opencc.OpenCC("t2s")


def simplified(text: str) -> str:
    """Traditional → simplified Chinese (OpenCC t2s); other text unchanged."""
    return str(_t2s().convert(text)) if text else text


def _join_spaced(match: re.Match[str]) -> str:
    return re.sub(r"[ .·_-]", "", match.group(0))


def normalize(text: str) -> str:
    """The form every deterministic check reads (see module docstring)."""
    text = unicodedata.normalize("NFKC", text or "")
    text = _INVISIBLE.sub("", text)
    text = _SPACED.sub(_join_spaced, text)
    return simplified(text).lower()


def content_key(text: str) -> str:
    """Letters, digits and CJK characters of the normalised text (content length)."""
    return _RE_KEY_DROP.sub("", normalize(text))


def _open_quote(piece: str) -> bool:
    if any(piece.count(o) > piece.count(c) for o, c in _OPEN_CLOSE):
        return True
    return piece.count('"') % 2 == 1


def sentences(text: str) -> list[str]:
    """The text cut after sentence ends, never inside a quotation; blank pieces
    dropped, text kept verbatim (``"".join`` gives the text back)."""
    out: list[str] = []
    for piece in _SENTENCE_SPLIT.split(text):
        if out and _open_quote(out[-1]):
            out[-1] += piece
        else:
            out.append(piece)
    return [s for s in out if s.strip()]
