"""Seed 000: numbered questions 1–265, the 方案设计 questions and the model /
library headings (each turned into a generated question)."""

from __future__ import annotations

import re
from pathlib import Path

from agent.text import clean_text

from .common import Item, TextFixes, part_follow_ups, read_lines

#: Exact repairs of garbled formulas (raw substring -> replacement); each must match.
MATH_FIXES_000 = {
    r"$- 1 / 2 \Lambda _ { \dot { \mathsf { I } } } ^ { \dagger }$": "1/2^i",
    r"${ \mathsf { O } } ( { \mathsf { n } } ^ { 2 } )$": "O(n^2)",
    r"$1 \%$": "1%",
}

# Headings of seed 000 whose (typo'd / page-number-garbled) names are fixed in the
# generated question; the raw heading stays in the locator.
HEADING_NAMES_000 = {
    "DeeSeek R1": "DeepSeek R1",
    "2. Qwen5": "Qwen2.5",  # "2." and "5" are the split-off halves of "2.5"
    "2. # Gemini 5": "Gemini 2.5",
    "# Qwen3": "Qwen3",
    "# Qwen-Embedding 和 Rerank": "Qwen-Embedding 和 Qwen-Rerank",
    "Pytorch": "PyTorch",
    "miluvs/faiss": "Milvus / Faiss",
    "elasticseach": "Elasticsearch",
    "openai-agent": "OpenAI Agents SDK（openai-agents）",
    "mysql": "MySQL",
    "redis": "Redis",
    "kafka": "Kafka",
    "trl": "TRL",
    "langchain": "LangChain",
}
HEADING_TOPICS_000 = {
    "DeepSeek V3 Base": "Transformer架构",
    "DeepSeek R1": "对齐与强化学习",
    "Qwen2.5": "Transformer架构",
    "Qwen-VL": "多模态",
    "Qwen3": "Transformer架构",
    "Qwen-Embedding 和 Qwen-Rerank": "RAG与检索",
    "gpt-oss": "Transformer架构",
    "Gemini 2.5": "多模态",
    "PEFT": "微调与PEFT",
    "TRL": "对齐与强化学习",
    "OpenAI Agents SDK（openai-agents）": "Agent",
    "LangChain": "Agent",
    "Milvus / Faiss": "RAG与检索",
    "Elasticsearch": "RAG与检索",
}

# Seed 000 runs questions 251 and 252 together and scrambles the words of 251's
# example list ("(例如, max_length, , 等),并解释其作用。temperature top_p
# repetition_penalty“重复惩罚”…概率252.的?"). Split and restored by hand:
SPLIT_000 = {
    251: [
        "请列出大语言模型文本生成中常见的 5 个关键参数（例如，max_length、temperature、"
        "top_p、repetition_penalty 等），并解释其作用。",
        "“重复惩罚”参数是为了解决什么问题而引入的？它是如何在生成过程中调整 token 概率的？",
    ]
}

_NUMBERED_SECTION = "大模型 /NLP 面试题"
_DESIGN_SECTION = "方案设计"
_MODEL_SECTION = "模型相关面试题"
#: Sections whose lines are names (of models, of libraries): kind of generated question.
_HEADING_SECTIONS = {_MODEL_SECTION: "model", "库 / 工具 / 中间件": "lib"}

#: (number, line, text) of a numbered question, its continuation lines joined on.
Numbered = tuple[int, int, str]


def parse_000(path: Path) -> list[Item]:
    seed = path.name
    fixes = TextFixes("000", MATH_FIXES_000)
    items, numbered, design = _scan(path, fixes)
    fixes.check()
    items += _numbered_items(seed, numbered)
    items += _design_items(seed, design)
    for it in items:
        if not it.generated_from_heading:
            it.follow_ups = part_follow_ups(it.question)
    return items


def _scan(path: Path, fixes: TextFixes) -> tuple[list[Item], list[Numbered], list[Numbered]]:
    """One pass over the seed: the heading questions, the numbered questions and
    the 方案设计 questions."""
    seed = path.name
    items: list[Item] = []
    section = ""
    numbered: list[Numbered] = []
    design: list[Numbered] = []
    for lineno, raw in enumerate(read_lines(path), 1):
        stripped = clean_text(fixes.apply(raw))
        if not stripped:
            continue
        new_section = _section_heading(stripped, section)
        if new_section is not None:
            section = new_section
        elif section in (_NUMBERED_SECTION, _DESIGN_SECTION):
            _collect(design if section == _DESIGN_SECTION else numbered, lineno, stripped)
        elif section in _HEADING_SECTIONS:
            items.append(_heading_item(seed, section, lineno, raw.strip()))
    return items, numbered, design


def _section_heading(stripped: str, section: str) -> str | None:
    """The section a ``# …`` line opens, or None when the line opens none."""
    heading = re.match(r"^#\s+(.*)", stripped)
    if not heading or re.match(r"^#\s*Q", stripped) or "Gemini" in stripped:
        return None
    name = heading.group(1).strip()
    if name in ("Qwen3", "Qwen-Embedding 和 Rerank") and section == _MODEL_SECTION:
        return None  # model names written as headings
    return name


def _collect(target: list[Numbered], lineno: int, stripped: str) -> None:
    """A line that starts a numbered question, or continues the last one."""
    m = re.match(r"^(\d+)\.\s*(.*)", stripped)
    if m:
        target.append((int(m.group(1)), lineno, m.group(2)))
    elif target:
        n, ln, prev = target[-1]
        target[-1] = (n, ln, prev + stripped)


def _heading_item(seed: str, section: str, lineno: int, raw_name: str) -> Item:
    """A model / library name turned into a question about it."""
    name = HEADING_NAMES_000.get(raw_name, clean_text(raw_name))
    kind = _HEADING_SECTIONS[section]
    if kind == "model":
        q = f"介绍一下 {name} 的核心设计和主要创新，你在项目中如何使用 {name}？"
    else:
        q = f"介绍一下 {name} 的核心设计，你在项目中如何使用 {name}？"
    slug = re.sub(r"[^0-9a-z]+", "-", match_key_ascii(name)).strip("-")
    return Item(
        seed,
        f"§{section}/{raw_name}",
        lineno,
        q,
        section=section,
        topic=HEADING_TOPICS_000.get(name, "工程与工具" if kind == "lib" else None),
        generated_from_heading=True,
        id_hint=f"{kind}-{slug}",
        tags=[name.split("（")[0]],
    )


def _numbered_items(seed: str, numbered: list[Numbered]) -> list[Item]:
    """Questions 1–265, with the run-together pair split."""
    items: list[Item] = []
    for n, ln, text in numbered:
        texts = SPLIT_000.get(n)
        if texts is not None:
            if f"{n + 1}." not in text:
                raise SystemExit(f"seed 000: question {n} is no longer run together")
            for k, q in enumerate(texts):
                items.append(Item(seed, f"Q{n + k}", ln, q, section=_NUMBERED_SECTION))
            continue
        items.append(Item(seed, f"Q{n}", ln, clean_text(text), section=_NUMBERED_SECTION))
    return items


def _design_items(seed: str, design: list[Numbered]) -> list[Item]:
    return [
        Item(
            seed,
            f"§方案设计 Q{n}",
            ln,
            clean_text(text),
            section=_DESIGN_SECTION,
            design=True,
            id_hint=f"design-{n}",
            tags=["方案设计"],
        )
        for n, ln, text in design
    ]


def match_key_ascii(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", "-", text.lower())
