"""One view of the answer that every grading signal reads.

``prepare(answer)`` runs once per grade, and returns:

- ``screened``: the answer with instructions to the grader replaced by a placeholder
  and the prompt's delimiters defused (``injection.screen``);
- ``text``: that view cut to ``MAX_ANSWER_UNITS`` — the *one* truncation: the model,
  the lexical coverage and the evidence all read this text, so nothing past the cut
  can earn credit that the model never saw;
- ``model_text``: ``text`` without the removed instructions (not even a placeholder:
  an answer with an instruction reads exactly like the answer without it), without
  runs of small talk that share no term with the
  question's material (``drop_filler``) and without bare term lists (paragraphs that only name
  terms: ``LoRA、QLoRA、Adapter、P-Tuning …``; an enumeration inside a sentence
  stays). A list explains nothing, so it earns no credit from the model or the
  lexical signal; ``list_share`` (how much of the
  answer's content such lists are) lets the pre-checks flag an answer that is
  nothing but a list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from agent.grading.injection import (
    INSTRUCTION_PLACEHOLDER,
    Screened,
    screen,
    without_placeholders,
)
from agent.grading.lexical import terms
from agent.text import CJK, content_key, normalize, sentences

#: What any signal reads of an answer, in budget units: a CJK character is 1, any
#: other character 1/3 (roughly what each costs the model in tokens). 1,200 units
#: is about four minutes of spoken Chinese; the model reads ~30 tokens/s here.
MAX_ANSWER_UNITS = 1200
_CJK_CHAR = re.compile(f"[{CJK}]")


def cut(text: str, budget: float = MAX_ANSWER_UNITS) -> str:
    """The longest prefix of ``text`` within ``budget`` units."""
    used = 0.0
    for i, ch in enumerate(text):
        used += 1.0 if _CJK_CHAR.match(ch) else 1 / 3
        if used > budget:
            return text[:i]
    return text


_CODE = re.compile(r"[A-Za-z_]\w*\.\w+\(|\w\s*=\s*\w|\bdef\b|\breturn\b|\bimport\b")
_LEAD_IN = re.compile(r"^[^:：]{1,16}[:：]")
_LEAD_IN_LATIN = re.compile(r"^[^:：]{1,40}[:：]")  # "2. Content generation: …"
_ITEM_SPLIT = re.compile(r"[、，,/|｜·•]+|\s{2,}|\s+(?:and|or|和|与)\s+")
# Characters / words that make a clause say something rather than name things.
_CJK_GRAMMAR = re.compile(
    r"是|为了|因为|所以|可以|通过|就是|会|能够|使得|用来|时候|如果|然后|这个|那个|我们|这些|"
    r"也|都|很|比较|需要|就|的话|把|被|让|的|了|在|要|有|做|靠|用"
)
_EN_GRAMMAR = re.compile(
    r"\b(?:is|are|was|were|be|the|a|an|of|to|it|that|this|which|we|you|can|will|"
    r"uses?|makes?|means?|because|so|then|by|with|for|when|if|into|from|has|have)\b"
)
_LIST_MIN_ITEMS = 4
_LIST_MAX_ITEM_CHARS = 14
#: In a clause with no CJK, an item's size is counted in words instead (an English
#: term is several words of several letters: "out-of-distribution rotation angles"),
#: each word as this many characters — about a two-character Chinese term.
_LATIN_WORD_CHARS = 2
#: Small talk: a run of at least this many sentences, and this many content
#: characters, none of which shares a term with the question's material.
FILLER_RUN_SENTENCES = 4
FILLER_RUN_CHARS = 150
_LIST_SURE_ITEMS = 8
#: A line of at least this many space-separated items, this short on average, with no
#: grammar word at all, is a list too (English prose has its is/the/of).
_LIST_SPACED_ITEMS = 6
_LIST_SPACED_MAX_CHARS = 7


@dataclass(frozen=True)
class AnswerView:
    original: str
    screened: Screened
    text: str
    model_text: str
    list_share: float  # content share of bare term lists in ``text``
    truncated: bool
    filler_chars: int = 0  # content characters of small talk left out of ``model_text``


def is_term_list(clause: str) -> bool:
    """A clause that only names terms: ≥ 4 short items, no lead-in (``…：``), no
    grammar words, no code."""
    norm = normalize(clause).strip(" 。！？!?；;\n")
    latin = not re.search(f"[{CJK}]", norm)
    if not norm or (_LEAD_IN_LATIN if latin else _LEAD_IN).search(norm):
        return False
    if len(re.findall(r"[。；;！？!?]", norm)) >= 1:  # sentences: prose, not a list
        return False
    items = [x for x in _ITEM_SPLIT.split(norm) if content_key(x)]
    if len(items) < _LIST_SURE_ITEMS and _CODE.search(norm):
        return False
    spaced = [x for x in norm.split() if content_key(x)]
    if len(spaced) >= _LIST_SPACED_ITEMS and len(items) < len(spaced) / 2:
        # terms separated by single spaces: ``LoRA 低秩 旁路 冻结 初始化 …``
        mean = sum(len(content_key(x)) for x in spaced) / len(spaced)
        grammar = sum(bool(_EN_GRAMMAR.search(x) or _CJK_GRAMMAR.search(x)) for x in spaced)
        return mean <= _LIST_SPACED_MAX_CHARS and grammar == 0
    if len(items) < _LIST_MIN_ITEMS:
        ascii_words = re.findall(r"[a-z][a-z0-9+\-.]*", norm)
        spaced_list = (
            len(ascii_words) >= 6
            and not re.search(f"[{CJK}]", norm)
            and not _EN_GRAMMAR.search(norm)
        )
        return spaced_list
    mean_len = sum(_item_size(x, latin) for x in items) / len(items)
    if mean_len > _LIST_MAX_ITEM_CHARS:
        return False
    if len(items) >= _LIST_SURE_ITEMS:  # many short items, few with grammar: a list
        with_grammar = sum(bool(_EN_GRAMMAR.search(x) or _CJK_GRAMMAR.search(x)) for x in items)
        return with_grammar <= len(items) // 4
    return not (_EN_GRAMMAR.search(norm) or _CJK_GRAMMAR.search(norm))


def _item_size(item: str, latin: bool) -> int:
    """A list item's length in characters, or (``latin``) in words × ``_LATIN_WORD_CHARS``."""
    if latin:
        return _LATIN_WORD_CHARS * len(re.findall(r"[a-z0-9][a-z0-9+\-./_]*", item))
    return len(content_key(item))


def drop_filler(text: str, topic: set[str]) -> tuple[str, int]:
    """``text`` without runs of small talk (see ``FILLER_RUN_*``): irrelevant talk
    around an answer neither helps nor, beyond what it displaces, hurts it. Returns
    the kept text and how many content characters were left out."""
    parts = sentences(text)
    off = [not (terms(p) & topic) for p in parts]
    kept: list[str] = []
    dropped = 0
    i = 0
    while i < len(parts):
        j = i + 1
        while j < len(parts) and off[j] == off[i]:
            j += 1
        run = parts[i:j]
        size = sum(len(content_key(p)) for p in run)
        if off[i] and len(run) >= FILLER_RUN_SENTENCES and size >= FILLER_RUN_CHARS:
            dropped += size
        else:
            kept.extend(run)
        i = j
    return "".join(kept), dropped


def prepare(answer: str, lang: str = "zh", topic: set[str] | None = None) -> AnswerView:
    """The view of ``answer``; ``topic`` (the question's material as terms) lets runs
    of small talk be left out of what the model reads."""
    screened = screen(answer or "", lang)
    text = cut(screened.view)
    kept: list[str] = []
    list_chars = total_chars = 0
    for paragraph in text.splitlines(keepends=True):
        size = len(content_key(without_placeholders(paragraph)))
        total_chars += size
        if is_term_list(paragraph):
            list_chars += size
            continue
        kept.append(paragraph)
    model_text = (
        "".join(kept)
        .replace(INSTRUCTION_PLACEHOLDER[lang if lang in INSTRUCTION_PLACEHOLDER else "zh"], "")
        .strip()
    )
    filler = 0
    if topic:
        model_text, filler = drop_filler(model_text, topic)
        model_text = model_text.strip()
    if not content_key(without_placeholders(model_text)):
        model_text = ""
    return AnswerView(
        original=answer or "",
        screened=screened,
        text=text,
        model_text=model_text,
        list_share=list_chars / total_chars if total_chars else 0.0,
        truncated=len(text) < len(screened.view),
        filler_chars=filler,
    )
