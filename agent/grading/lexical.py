"""Lexical signals: how much of a key point's content words occur in the answer.

- ``terms``: ASCII words and CJK character bigrams of the normalised text
  (``agent.text.normalize``), minus bigrams made only of function characters, plus
  one ``§n`` concept term for every glossary concept the text names in any language
  (``glossary.yaml``: ``attention`` ↔ ``注意力``, ``双塔`` ↔ ``bi-encoder`` …), so an
  answer in English or mixed Chinese–English still meets the Chinese key point.
- ``point_coverage``: the share of a key point's terms found in the answer's terms.
  A CJK bigram also matches by its toneless pinyin (``pinyin_key``) and a glossary
  concept is also found by the pinyin of its Chinese forms, so a recogniser's
  homophones (在/再, 词/此) cost a spoken answer nothing.

This is a weak prior, never the whole grade: it reads only ``AnswerView.model_text``
(the same truncated, screened answer the model sees, bare term lists removed), so
padding beyond the cut and keyword lists cannot raise it.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import yaml

from agent.text import CJK, normalize

GLOSSARY_FILE = Path(__file__).resolve().parent / "glossary.yaml"

_RE_ASCII = re.compile(r"[a-z0-9]+")
_RE_CJK_RUN = re.compile(rf"[{CJK}]+")
_FUNCTION_CHARS = set(
    "的了是在和与及或等也都就而且并但把被让给对从向于以为之其这那些个种么什如何哪吗呢吧啊嗯"
    "我你他她它们有没不很更最还又再将会能可要该说讲到来去上下中里时后前"
)
_ASCII_STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "to",
        "in",
        "on",
        "at",
        "for",
        "and",
        "or",
        "is",
        "are",
        "be",
        "by",
        "it",
        "this",
        "that",
        "with",
        "as",
        "vs",
        "i",
        "you",
        "we",
        "can",
        "will",
        "so",
        "then",
        "which",
        "when",
        "if",
        "into",
        "from",
        "has",
        "have",
        "was",
        "were",
    ]
)


@functools.cache
def _glossary() -> tuple[re.Pattern[str], dict[str, int]]:
    rows = yaml.safe_load(GLOSSARY_FILE.read_text(encoding="utf-8")) or []
    forms: dict[str, int] = {}
    for n, row in enumerate(rows):
        for form in row:
            forms.setdefault(normalize(str(form)), n)
    ordered = sorted(forms, key=len, reverse=True)
    parts = [
        rf"(?<![a-z0-9]){re.escape(f)}(?![a-z0-9])" if f.isascii() else re.escape(f)
        for f in ordered
    ]
    return re.compile("|".join(parts)), forms


@functools.lru_cache(maxsize=65536)
def pinyin_key(cjk: str) -> str:
    """Toneless pinyin of a CJK string, syllables joined by spaces (``词向`` → ``ci xiang``)."""
    from pypinyin import Style, lazy_pinyin  # ~40 ms to import: only when first needed

    return " ".join(lazy_pinyin(cjk, style=Style.NORMAL, errors="ignore"))


@functools.cache
def _glossary_pinyin() -> dict[str, int]:
    """`` pinyin `` of every Chinese glossary form of two or more characters -> concept."""
    _pattern, forms = _glossary()
    out: dict[str, int] = {}
    for form, n in forms.items():
        if len(form) >= 2 and _RE_CJK_RUN.fullmatch(form):
            out.setdefault(f" {pinyin_key(form)} ", n)
    return out


def concepts(norm: str) -> set[str]:
    """Glossary concepts named in the normalised text, as ``§n`` terms; a Chinese form
    is also found when only its sound matches (a homophone from speech recognition)."""
    pattern, forms = _glossary()
    found = {f"§{forms[m.group(0)]}" for m in pattern.finditer(norm)}
    runs = _RE_CJK_RUN.findall(norm)
    if runs:
        sound = " " + " | ".join(pinyin_key(r) for r in runs) + " "
        found |= {f"§{n}" for key, n in _glossary_pinyin().items() if key in sound}
    return found


def terms(text: str) -> set[str]:
    """ASCII words, CJK content bigrams and glossary concepts of ``text``."""
    norm = normalize(text)
    out = {w for w in _RE_ASCII.findall(norm) if w not in _ASCII_STOP}
    for run in _RE_CJK_RUN.findall(norm):
        if len(run) == 1:
            if run not in _FUNCTION_CHARS:
                out.add(run)
            continue
        for i in range(len(run) - 1):
            gram = run[i : i + 2]
            if gram[0] in _FUNCTION_CHARS and gram[1] in _FUNCTION_CHARS:
                continue
            out.add(gram)
    return out | concepts(norm)


def point_coverage(point: str, answer_terms: set[str]) -> float:
    """Share of the point's terms found among the answer's terms, in [0, 1].

    A point's glossary concepts stand for their surface forms: a concept the answer
    names (in any language) counts for the words that spell it in the point."""
    wanted = terms(point)
    if not wanted:
        return 0.0
    pattern, forms = _glossary()
    named: set[str] = set()
    for m in pattern.finditer(normalize(point)):
        if f"§{forms[m.group(0)]}" in answer_terms:
            named |= terms(m.group(0))
    have = answer_terms | named
    hits = wanted & have
    rest = [t for t in wanted - hits if _RE_CJK_RUN.fullmatch(t)]
    if rest:
        sounds = {pinyin_key(t) for t in have if _RE_CJK_RUN.fullmatch(t)}
        hits |= {t for t in rest if pinyin_key(t) in sounds}
    return len(hits) / len(wanted)


def topic_overlap(answer_terms: set[str], topic_terms: set[str]) -> float:
    """Share of the answer's terms that occur in the question's material, in [0, 1]."""
    if not answer_terms:
        return 0.0
    return len(answer_terms & topic_terms) / len(answer_terms)
