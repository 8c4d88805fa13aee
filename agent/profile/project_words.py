"""The CV's own words about a project that a deep-dive question is built from: the
techniques it names (the curated table in ``project_templates.yaml``), the clause that
says what it did with them, and the figure it claims. Deterministic, no model.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from agent.profile import cv_lines

TEMPLATES_FILE = Path(__file__).resolve().parent / "project_templates.yaml"
#: The widest clause a question quotes (a CJK character counts two).
MAX_CLAUSE_WIDTH = 80
MAX_METRIC_WIDTH = 80
#: At most this many techniques are named in a question.
MAX_TECHNIQUES = 3

_CLAUSES = re.compile(r"[，。；;！？!?\n]|,\s|\.\s|\.$")
_LIST = re.compile(r"[、/,，]")
_STACK = re.compile(
    r"^(?:技术栈|技术选型|技术|使用技术|开发环境|环境|tech(?:nologies| stack)?|stack)\s*[:：]", re.I
)
_LABEL = re.compile(r"^[^：:]{1,10}[：:]\s*")
_VERB_ZH = re.compile(
    r"^(?:用|使用|采用|基于|通过|利用|借助|引入|结合|搭建|构建|设计|实现|训练|微调|部署|对)"
)
_VERB_EN = re.compile(
    r"^(?:used|built|implemented|designed|trained|fine-tuned|deployed|combined|added|developed|"
    r"created|introduced|replaced|applied|migrated|optimi[sz]ed|integrated|served|raised|"
    r"improved|reduced|cut|boosted|lowered|increased|achieved|reached|doubled|halved)\b",
    re.IGNORECASE,
)
_FIGURE = re.compile(
    r"\d+(?:\.\d+)?\s*(?:%|％|个?百分点|pp\b|倍|x\b|×|ms\b|毫秒|秒|s\b|万|k\b|GB?\b|MB\b|qps\b|tokens?/s)",
    re.IGNORECASE,
)
_CHANGE = re.compile(
    r"从\s*\S.{0,24}?(?:到|至)|提升|提高|降低|降到|降至|减少|下降|缩短|加速|增长|达到|"
    r"\bfrom\s+\S+\s+to\b|\b(?:improv|rais|reduc|increas|cut|boost|lower|grew|doubl)",
    re.IGNORECASE,
)
_QUALITY = re.compile(
    r"准确|召回|命中|精度|精确|满意度|胜率|幻觉|错误率|成功率|通过率|f1|bleu|rouge|recall|precision|"
    r"accuracy|pass@|auc|\bem\b|win rate|hit rate|mrr|ndcg",
    re.IGNORECASE,
)
_COST = re.compile(
    r"显存|内存|延迟|时延|吞吐|速度|耗时|时间|成本|费用|qps|latency|throughput|memory|speed|cost|"
    r"tokens?/s",
    re.IGNORECASE,
)
_CONNECTOR = re.compile(
    r"^(?:并且?|且|最终|最后|整体|使得?|从而|将|把|让|实现了?|带来|and\s|which\s)\s*"
)


@dataclass(frozen=True)
class Technique:
    key: str  # the curated table's name (LoRA)
    written: str  # as the CV writes it (lora, bge-m3)
    entry: str | None  # its bank question, if one fits
    at: int  # where the CV first names it


@dataclass(frozen=True)
class _Known:
    key: str
    entry: str | None
    patterns: tuple[re.Pattern[str], ...]


@functools.cache
def templates() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(TEMPLATES_FILE.read_text(encoding="utf-8"))
    return data


def _alias_pattern(alias: str) -> re.Pattern[str]:
    """An alias over the CV's own text: case-insensitive, ASCII as whole words,
    spaces optional (KV cache, KVcache, KV-cache)."""
    body = r"[\s_-]*".join(re.escape(part) for part in alias.split())
    edge = r"(?<![A-Za-z0-9])" if alias[:1].isascii() else ""
    tail = r"(?![A-Za-z0-9])" if alias[-1:].isascii() else ""
    return re.compile(edge + body + tail, re.IGNORECASE)


@functools.cache
def _known() -> tuple[_Known, ...]:
    return tuple(
        _Known(
            key=str(item["name"]),
            entry=item.get("entry"),
            patterns=tuple(_alias_pattern(str(a)) for a in item["aliases"]),
        )
        for item in templates()["techniques"]
    )


def techniques(text: str) -> list[Technique]:
    """The curated techniques ``text`` names, in the order it first names them."""
    found: list[Technique] = []
    for known in _known():
        hits = [m for p in known.patterns if (m := p.search(text))]
        if hits:
            first = min(hits, key=lambda m: (m.start(), -len(m.group(0))))
            found.append(Technique(known.key, first.group(0), known.entry, first.start()))
    return sorted(found, key=lambda t: t.at)


def names_any(text: str, found: list[Technique]) -> bool:
    """Does ``text`` (a bank key point) name one of the techniques?"""
    return bool(techniques_in(text, found))


def _clauses(description: str) -> list[str]:
    """The description's clauses, without bullet marks and field labels; a
    tech-stack line is a list, not something the candidate did, and is left out."""
    out: list[str] = []
    for line in description.splitlines():
        line = cv_lines.strip_marks(line)
        if _STACK.match(line):
            continue
        line = _LABEL.sub("", line) if cv_lines.is_field(line) else line
        out += [c.strip(" ，,。") for c in _CLAUSES.split(line) if c and c.strip()]
    return out


def clause_with(description: str, found: list[Technique]) -> str | None:
    """The CV's clause that names the most of ``found`` (first on ties): what the
    candidate says they did with them, short enough to quote."""
    best, hits = None, 0
    for clause in _clauses(description):
        too_wide = cv_lines.width(clause) > MAX_CLAUSE_WIDTH
        if too_wide or len(_LIST.findall(clause)) >= 2 or is_result(clause):
            continue
        named = len(techniques_in(clause, found))
        if named > hits:
            best, hits = clause, named
    return best


def techniques_in(text: str, found: list[Technique]) -> list[Technique]:
    """Those of ``found`` that ``text`` names (under any of their names)."""
    patterns = {k.key: k.patterns for k in _known()}
    return [t for t in found if any(p.search(text) for p in patterns[t.key])]


def starts_with_verb(clause: str, lang: str) -> bool:
    """Does the clause read on after "你在「X」里" (zh) or "In X you" (en)?"""
    return bool((_VERB_EN if lang == "en" else _VERB_ZH).match(clause))


def _figure_score(clause: str) -> int:
    """How surely a clause claims a result: a percentage 2, another figure with a
    unit 1, a change (从…到, 提升, reduced …) 2, a quality metric named 2."""
    if not re.search(r"\d", clause):
        return 0
    figure = _FIGURE.search(clause)
    score = 2 if figure and "%" in figure.group(0) else int(bool(figure))
    return score + 2 * bool(_CHANGE.search(clause)) + 2 * bool(_QUALITY.search(clause))


def is_result(clause: str) -> bool:
    """A clause that reports a result rather than what was built."""
    return _figure_score(clause) >= 3


def metric(description: str) -> tuple[str, str] | None:
    """The figure the project claims (Recall@5 从 71% 提升到 89%) and its kind:
    ``quality`` (evaluated on a test set) or ``cost`` (memory, latency … measured).
    The clause that claims a result most surely (first on ties), short enough to
    quote; a quality metric wins over a cost."""
    best, score = None, 1
    for clause in _clauses(description):
        clause = _CONNECTOR.sub("", clause)
        if cv_lines.width(clause) > MAX_METRIC_WIDTH:
            continue
        value = _figure_score(clause)
        if value > score:
            best, score = clause, value
    if best is None:
        return None
    if _VERB_EN.match(best):  # Raised … → raised …, quoted mid-sentence
        best = best[0].lower() + best[1:]
    cost = bool(_COST.search(best)) and not _QUALITY.search(best)
    return best, "cost" if cost else "quality"
