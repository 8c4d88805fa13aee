"""Shared text normalisation: one place for what every comparison of answer text needs.

- ``normalize``: the form every check reads. NFKC (full-width letters and digits,
  compatibility characters), zero-width and other invisible characters removed,
  traditional characters converted to simplified (OpenCC ``t2s``), letter-spaced
  ASCII words joined (``I g n o r e`` → ``ignore``), lower case.
- ``CJK``: the character ranges counted as Chinese.
- ``content_key``: letters, digits and CJK characters only (content length).
- ``sentences``: split at sentence ends (Chinese and Western punctuation, newlines).
- Seed text (the bank and its build): ``normalize_chars``, ``clean_text`` (spacing
  and Chinese punctuation restored), ``match_key``, ``bigrams``, ``dice``,
  ``similarity`` and ``search_grams``.
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


# --------------------------------------------------------------------------- seed text

# CJK Radicals Supplement characters that seeds use in place of the real characters.
# NFKC maps the Kangxi radicals block (U+2F00–U+2FDF) but not this one.
_RADICAL_SUPPLEMENT = {
    "⻅": "见",
    "⻆": "角",
    "⻉": "贝",
    "⻋": "车",
    "⻓": "长",
    "⻔": "门",
    "⻙": "韦",
    "⻚": "页",
    "⻛": "风",
    "⻜": "飞",
    "⻢": "马",
    "⻥": "鱼",
    "⻦": "鸟",
    "⻧": "卤",
    "⻨": "麦",
    "⻩": "黄",
    "⻪": "黾",
    "⻬": "齐",
    "⻮": "齿",
    "⻰": "龙",
    "⻳": "龟",
    "⻄": "西",
    # not a radical, but seed 000 writes the traditional form of 户 (用戶) throughout
    "戶": "户",
}
_RADICAL_TABLE = str.maketrans(_RADICAL_SUPPLEMENT)
# NFKC would turn O(n²) into O(n2); keep the exponent readable instead.
_SUPERSCRIPTS = str.maketrans({c: f"^{d}" for d, c in enumerate("⁰¹²³⁴⁵⁶⁷⁸⁹")})

_WIDE = CJK + r"\u3000-\u303f\uff01-\uff5e“”‘’《》【】…—"
_RE_SPACES = re.compile(r"[ \t\u00a0\u3000]+")
_RE_WIDE_GAP = re.compile(rf"(?<=[{_WIDE}])\s+(?=[{_WIDE}])")
_RE_PUNCT_ASCII = {",": "，", ":": "：", ";": "；", "!": "！", "?": "？"}


def _restore_cjk_punct(text: str) -> str:
    """NFKC turns ，？：（） into ASCII; put the full-width form back in Chinese context."""
    out: list[str] = []
    n = len(text)
    for i, ch in enumerate(text):
        if ch in _RE_PUNCT_ASCII:
            before = text[:i].rstrip("* ")
            prev = before[-1] if before else ""
            nxt = text[i + 1] if i + 1 < n else ""
            prev_cjk = bool(re.match(rf"[{_WIDE})）]", prev)) if prev else False
            if ch == "?":
                # a question mark ends a Chinese question when Chinese text precedes it
                # closely (not inside an English sentence or a URL)
                token = re.split(r"\s", text[:i])[-1]
                if re.search(rf"[{CJK}]", text[max(0, i - 40) : i]) and "://" not in token:
                    out.append("？")
                    continue
            elif prev_cjk or (nxt and re.match(rf"[{CJK}]", nxt)):
                out.append(_RE_PUNCT_ASCII[ch])
                continue
        out.append(ch)
    text = "".join(out)

    # Parentheses whose content holds Chinese become full-width.
    def paren(m: re.Match[str]) -> str:
        inner = m.group(1)
        return f"（{inner}）" if re.search(rf"[{CJK}、，]", inner) else m.group(0)

    text = re.sub(r"\(([^()]*)\)", paren, text)
    # no spaces around full-width punctuation
    text = re.sub(r"\s*([，。？！：；、（）“”])\s*", r"\1", text)
    text = re.sub(r"(?<=[（“])\s+|\s+(?=[）”])", "", text)
    return text


def normalize_chars(text: str) -> str:
    """Character normalisation only (NFKC, radical look-alikes); spacing untouched."""
    return unicodedata.normalize("NFKC", text.translate(_SUPERSCRIPTS)).translate(_RADICAL_TABLE)


def clean_text(text: str, *, keep_newlines: bool = False) -> str:
    """Normalise seed text: NFKC, radical look-alikes, spacing, Chinese punctuation.

    NFKC maps compatibility characters (Kangxi radicals like U+2F24 ⼤ → 大, full-width
    letters …). Characters from the CJK Radicals Supplement that stand for ordinary
    characters are mapped too. Spaces that PDF extraction put between Chinese
    characters are removed; ASCII punctuation in Chinese context becomes the
    full-width form again (the only non-NFKC characters left in the bank).
    """
    text = normalize_chars(text)
    if keep_newlines:
        lines = [clean_text(line) for line in text.split("\n")]
        return "\n".join(lines).strip("\n")
    text = _RE_SPACES.sub(" ", text.replace("\n", " ")).strip()
    text = _RE_WIDE_GAP.sub("", text)
    text = _restore_cjk_punct(text)
    return text.strip()


def match_key(text: str) -> str:
    """The comparison form of a text: NFKC, lower case, letters/digits/CJK only."""
    text = unicodedata.normalize("NFKC", text).translate(_RADICAL_TABLE).lower()
    return _RE_KEY_DROP.sub("", text)


def bigrams(key: str) -> set[str]:
    """Character bigrams of a match key (a single character counts as one gram)."""
    if len(key) < 2:
        return {key} if key else set()
    return {key[i : i + 2] for i in range(len(key) - 1)}


def dice(a: set[str], b: set[str]) -> float:
    """Dice coefficient of two gram sets: 2|A∩B| / (|A|+|B|)."""
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


def similarity(a: str, b: str) -> float:
    """Character-bigram Dice similarity of two texts after ``match_key``."""
    return dice(bigrams(match_key(a)), bigrams(match_key(b)))


_RE_ASCII_WORD = re.compile(r"[a-z0-9]+(?:[._+-][a-z0-9]+)*")


def search_grams(text: str) -> list[str]:
    """Grams for search: CJK character bigrams (and single characters) plus ASCII words."""
    norm = unicodedata.normalize("NFKC", text).translate(_RADICAL_TABLE).lower()
    grams: list[str] = _RE_ASCII_WORD.findall(norm)
    for run in re.findall(rf"[{CJK}]+", norm):
        grams.extend(run)
        grams.extend(run[i : i + 2] for i in range(len(run) - 1))
    return grams
