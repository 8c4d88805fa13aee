"""Seed 001: questions with their 回答/解答 as reference answer, plus three
expository passages turned into questions."""

from __future__ import annotations

import re
from pathlib import Path

from agent.text import clean_text, match_key

from .common import Item, part_follow_ups, read_lines

_RE_ANSWER_001 = re.compile(r"^(回答|解答)(（[^）]*）)?[:：]")
_BOILERPLATE_001 = re.compile(r"通过准备这些面试题.*$")

# Expository blocks of seed 001 that answer a question the text only implies:
# (first paragraph starts with, include that paragraph?, question, stop before).
BLOCKS_001 = [
    (
        "关于 prompt tuning 和 prefix tuning 在微调上的区别",
        False,
        "prompt tuning 和 prefix tuning 在微调上有什么区别？",
        "大模型评测的常见面试题",
    ),
    (
        "注意力机制（Attention Mechanism）在深度学习",
        True,
        "Attention 是如何计算的？它的参数量主要取决于哪些因素？",
        "大模型位置编码的常见面试题",
    ),
    (
        "Tokenizer 实现方法与原理",
        False,
        "Tokenizer 的主要作用是什么？它通常是如何实现的？",
        "常见面试题及解答建议",
    ),
]


# The paragraphs that open each part of seed 001, and the topic of that part (used
# when no keyword rule matches a question).
SECTIONS_001 = [
    ("大模型相关的面试问题", "预训练与缩放定律"),
    ("Transformer 的常见面试题", "Transformer架构"),
    ("大模型模型结构是", "Transformer架构"),
    ("注意力机制（Attention Mechanism）是", "Transformer架构"),
    ("大模型位置编码的常见面试题", "位置编码"),
    ("大模型的 Tokenizer", "词向量与分词"),
    ("大模型微调是", "微调与PEFT"),
    ("关于 prompt tuning", "微调与PEFT"),
    ("大模型评测的常见面试题", "评测"),
]


def _starts(text: str, marker: str) -> bool:
    """Prefix test on normalised text (so punctuation width does not matter)."""
    return match_key(text).startswith(match_key(marker))


class _Paragraphs:
    """The seed's non-empty lines (line number, clean text), read by index."""

    def __init__(self, path: Path) -> None:
        self.paras = [(i, c) for i, t in enumerate(read_lines(path), 1) if (c := clean_text(t))]

    def __len__(self) -> int:
        return len(self.paras)

    def text(self, k: int) -> str:
        return self.paras[k][1] if 0 <= k < len(self.paras) else ""

    def is_answer(self, k: int) -> bool:
        return bool(_RE_ANSWER_001.match(self.text(k)))


def _is_stop(t: str) -> bool:
    """A paragraph that ends an answer: an intro to the next questions, an ad, a link."""
    intro = ("面试题" in t and t.endswith("：")) or "以下是" in t
    return intro or "扫码" in t or t.startswith("http")


def parse_001(path: Path) -> list[Item]:
    seed = path.name
    paras = _Paragraphs(path)
    items: list[Item] = []
    k = 0
    section = ""
    while k < len(paras):
        ln, t = paras.paras[k]
        for marker, topic in SECTIONS_001:
            if _starts(t, marker):
                section = topic
        block = next((b for b in BLOCKS_001 if _starts(t, b[0])), None)
        if block is not None:
            _marker, include_first, question, stop = block
            body, k = _block_body(paras, k, include_first, stop)
            items.append(_item(seed, ln, question, section, t, _join_answer(body), True))
            continue
        if not paras.is_answer(k + 1) or paras.is_answer(k):
            k += 1
            continue
        question = re.sub(r"^面试题\s*\d+[:：]\s*", "", t)
        answers, k = _answers(paras, k + 1)
        raw = t if question != t else None
        items.append(_item(seed, ln, question, section, raw, _answer_text(answers), False))
    for it in items:
        it.follow_ups = part_follow_ups(it.question)
    return items


def _item(
    seed: str,
    ln: int,
    question: str,
    section: str,
    raw: str | None,
    answer: str,
    generated: bool,
) -> Item:
    return Item(
        seed,
        f"L{ln}",
        ln,
        question,
        section=section,
        raw=raw,
        reference_answer=answer,
        generated_from_heading=generated,
    )


def _block_body(
    paras: _Paragraphs, k: int, include_first: bool, stop: str
) -> tuple[list[str], int]:
    """An expository block's paragraphs from paragraph ``k`` up to ``stop``, and the
    index of the paragraph after them."""
    body: list[str] = [paras.text(k)] if include_first else []
    k += 1
    while k < len(paras) and not _starts(paras.text(k), stop):
        body.append(paras.text(k))
        k += 1
    return body, k


def _answers(paras: _Paragraphs, k: int) -> tuple[list[str], int]:
    """The answer paragraphs from paragraph ``k`` on (each 回答/解答 with the lines that
    continue it), and the index of the first paragraph after them."""
    answers: list[str] = []
    while k < len(paras):
        a = paras.text(k)
        if paras.is_answer(k):
            answers.append(a)
        elif not answers or _is_stop(a):
            break
        elif not answers[-1].endswith(("。", "！", "？")):
            answers[-1] += a  # a PDF line break inside a sentence
        elif paras.is_answer(k + 2) and not paras.is_answer(k + 1):
            answers[-1] += "\n" + a  # a last paragraph before the next question
        else:
            break
        k += 1
    return answers, k


def _answer_text(answers: list[str]) -> str:
    return "\n\n".join(
        re.sub(r"^(回答|解答)[:：]", "", _BOILERPLATE_001.sub("", a)).strip() for a in answers
    )


def _join_answer(paras: list[str]) -> str:
    out: list[str] = []
    for p in paras:
        if out and not out[-1].endswith(("。", "！", "？", "：", ":")) and not p.startswith("- "):
            out[-1] += p  # PDF line break in the middle of a sentence
        else:
            out.append(p)
    return "\n".join(_BOILERPLATE_001.sub("", p).strip() for p in out).strip()
