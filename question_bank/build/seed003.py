"""Seed 003: the 14 full items with their stars, roles, tags, companies, key
points, answers, notes and follow-ups."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from typing import Any

from agent.text import clean_text, normalize_chars

from .common import Item, part_follow_ups, read_lines

_TOP_003 = {
    "核心考点": "rubric",
    "算法岗回答要点": "algorithm",
    "算法岗深入理解": "algorithm",
    "开发岗回答要点": "engineering",
    "开发岗实际应用": "engineering",
    "延伸问题": "follow_ups",
    "面试技巧": "tips",
    "标准答案": "answer",
    "参考答案": "answer",
    "算法岗加分项": "bonus:算法岗",
    "开发岗加分项": "bonus:开发岗",
    "面试加分点": "bonus:",
}
_PARTS_003 = {"第一部分": "LLM", "第二部分": "VLM", "第三部分": "RLHF"}
_ROLES_003 = [
    ("多模态", "multimodal"),
    ("算法", "algorithm"),
    ("开发", "engineering"),
]


def _roles_003(text: str) -> list[str]:
    if text.startswith("通用"):
        return ["algorithm", "engineering", "general"]
    roles = [r for kw, r in _ROLES_003 if kw in text]
    return roles or ["general"]


def _bullets(block: list[str]) -> list[str]:
    return [
        clean_text(re.sub(r"^\s*(?:[-*]|\d+\.)\s*", "", b)).replace("**", "")
        for b in block
        if b.strip() and re.match(r"^\s*(?:[-*]|\d+\.)\s", b)
    ]


def _block_text(block: list[str]) -> str:
    text = "\n".join(line.rstrip() for line in block).strip("\n")
    # normalise line by line but keep the Markdown layout (code, tables, indentation)
    out = []
    in_code = False
    for line in text.split("\n"):
        indent = line[: len(line) - len(line.lstrip())]
        body = line.strip()
        if body.startswith("```"):
            in_code = not in_code
        verbatim = in_code or body.startswith(("|", "```"))
        out.append(indent + (normalize_chars(body) if verbatim else clean_text(body)))
    return "\n".join(out)


def parse_003(path: Path) -> list[Item]:
    seed = path.name
    lines = read_lines(path)
    items: list[Item] = []
    part = ""
    i = 0
    while i < len(lines):
        line = lines[i]
        m_part = re.match(r"^##\s+(第.部分)", line)
        if m_part:
            part = _PARTS_003.get(m_part.group(1), part)
        m = re.match(r"^####\s+Q(\d+)[:：]\s*(.*)", line)
        if not m:
            i += 1
            continue
        qnum, qtext, qline = int(m.group(1)), clean_text(m.group(2)), i + 1
        i += 1
        body: list[str] = []
        while i < len(lines) and not lines[i].startswith(("#### ", "## ", "---")):
            body.append(lines[i])
            i += 1
        item = Item(
            seed,
            f"{part} Q{qnum}",
            qline,
            qtext,
            section=part,
            id_hint=f"{part.lower()}-q{qnum:02d}",
        )
        _fill(item, _read_body(item, body))
        items.append(item)
    return items


_META_003 = ("难度", "岗位", "标签", "公司")


def _read_body(item: Item, body: list[str]) -> dict[str, list[str]]:
    """Set the item's metadata lines (难度, 岗位, 标签, 公司) and return the lines of
    each titled block (``**核心考点**：`` …), keyed by what the block becomes."""
    blocks: dict[str, list[str]] = defaultdict(list)
    current = ""
    for b in body:
        meta = re.match(r"^\*\*(.+?)\*\*\s*[:：]\s*(.*)$", b.strip())
        head = re.match(r"^\*\*(.+?)\*\*\s*(?:[(（].*?[)）])?\s*[:：]\s*$", b.strip())
        if meta and meta.group(1) in _META_003:
            _set_meta(item, meta.group(1), clean_text(meta.group(2)))
            continue
        if head and head.group(1) in _TOP_003:
            current = _TOP_003[head.group(1)]
            continue
        if current:
            blocks[current].append(b)
    return blocks


def _set_meta(item: Item, key: str, val: str) -> None:
    if key == "难度":
        item.difficulty = max(1, min(3, val.count("⭐")))
    elif key == "岗位":
        item.roles = _roles_003(val)
    elif key == "标签":
        item.tags = [t.strip() for t in re.split(r"\s*#", val) if t.strip()]
    elif key == "公司":
        note = re.search(r"[(（](.*?)[)）]", val)
        names = re.sub(r"[(（].*?[)）]", "", val)
        item.companies = [c.strip() for c in re.split(r"[、,，]", names) if c.strip()]
        if note:
            item.tags.append(note.group(1))


def _fill(item: Item, blocks: dict[str, list[str]]) -> None:
    """Key points, reference answer, notes and follow-ups from the item's blocks."""
    item.rubric = _bullets(blocks.get("rubric", []))
    notes = _notes(blocks)
    if blocks.get("answer"):
        item.reference_answer = _block_text(blocks["answer"])
    elif notes.get("algorithm"):
        # no 标准答案 (LLM Q1): the 算法岗 answer points are the fullest answer
        item.reference_answer = notes.pop("algorithm")
    item.notes = notes
    item.follow_ups = part_follow_ups(item.question) + _follow_ups(blocks.get("follow_ups", []))


def _notes(blocks: dict[str, list[str]]) -> dict[str, Any]:
    notes: dict[str, Any] = {}
    for key in ("algorithm", "engineering"):
        if blocks.get(key):
            notes[key] = _block_text(blocks[key])
    bonus: list[str] = []
    for key, block in blocks.items():
        if key.startswith("bonus:"):
            who = key.split(":", 1)[1]
            bonus += [f"{who}：{b}" if who else b for b in _bullets(block)]
    if bonus:
        notes["bonus"] = bonus
    if blocks.get("tips"):
        notes["tips"] = _bullets(blocks["tips"])
    return notes


def _follow_ups(block: list[str]) -> list[dict[str, str]]:
    """Each 延伸问题 bullet, with the 答 bullet after it as its answer."""
    fus: list[dict[str, str]] = []
    for b in block:
        s = b.strip()
        if re.match(r"^-\s*答[:：]", s):
            if fus:
                fus[-1]["answer"] = clean_text(re.sub(r"^-\s*答[:：]\s*", "", s))
        elif s.startswith("- "):
            fus.append({"question": clean_text(s[2:])})
    return fus
