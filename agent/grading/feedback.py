"""Feedback from the verdicts alone (``prompts/feedback.LANG.yaml``): deterministic."""

from __future__ import annotations

import functools
from typing import Any

import yaml

from agent.bank import Entry
from agent.grading.models import Grade
from agent.prompts import PROMPTS_DIR


@functools.cache
def _feedback_templates(lang: str) -> dict[str, Any]:
    path = PROMPTS_DIR / f"feedback.{lang}.yaml"
    if not path.is_file():
        path = PROMPTS_DIR / "feedback.zh.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data if isinstance(data, dict) else {}


def build_feedback(entry: Entry, grade: Grade, lang: str = "zh") -> str:
    """Feedback from the verdicts alone: stated misconceptions (quoted, named, with
    the curated point), covered / partial / missing points, the reference-answer
    pointer, and notes for the flags. Deterministic; in the interview's language
    (key points and misconceptions are shown as the bank has them)."""
    t = _feedback_templates(lang)
    join = str(t.get("joiner", "；"))
    parts: list[str] = []
    pre = t.get("pre") or {}
    pre_flags = [f for f in grade.flags if f in pre]
    if grade.method == "precheck" and pre_flags:
        parts.append(str(pre[pre_flags[0]]))
    else:
        groups: dict[str, list[str]] = {"covered": [], "partial": [], "missing": []}
        wrong = [p for p in grade.points if p.contradicted]
        for p in grade.points:
            if not p.contradicted:
                groups[p.verdict].append(p.point)
        if groups["covered"] and not groups["partial"] and not groups["missing"] and not wrong:
            parts.append(str(t["all_covered"]))
        elif not groups["covered"] and not groups["partial"] and not wrong:
            parts.append(str(t["none_covered"]))
        for p in wrong:  # a stated misconception, named, with the curated point beside it
            key = "contradicted" if p.evidence else "contradicted_unquoted"
            parts.append(
                str(t[key]).format(quote=p.evidence, misconception=p.misconception, point=p.point)
            )
        for name in ("covered", "partial", "missing"):
            if groups[name]:
                parts.append(str(t[name]).format(points=join.join(groups[name])))
        if "injection" in grade.flags:
            parts.append(str(t["injection"]))
        if "sampled_verdicts" in grade.flags:
            parts.append(str(t["sampled"]))
    if entry.reference_answer:
        parts.append(str(t["reference"]).format(question_id=entry.id))
    else:
        parts.append(str(t["no_reference"]))
    if "derived_rubric" in grade.flags:
        parts.append(str(t["derived"]))
    return "\n".join(parts)
