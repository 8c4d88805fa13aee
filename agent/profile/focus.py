"""The interview's focus from a CV and a job description, as the candidate sees and
edits it: topic weights plus the words that put each topic there."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from agent.bank import TOPICS
from agent.errors import UserError
from agent.profile.read import read_document
from agent.profile.topics import combine, matched_terms, topic_weights


@dataclass
class Focus:
    weights: dict[str, float] = field(default_factory=dict)
    #: topic → the CV / job words that named it (shown to the candidate)
    evidence: dict[str, list[str]] = field(default_factory=dict)

    def describe(self) -> str:
        if not self.weights:
            return "（简历/JD 中没有找到能对上题库主题的内容 no bank topic found）"
        return "\n".join(
            f"  {t} {w:.2f}  ← {', '.join(self.evidence.get(t, [])[:6])}"
            for t, w in self.weights.items()
        )


def from_documents(cv: Path | None, jd: Path | None) -> Focus:
    texts = {name: read_document(p) for name, p in (("cv", cv), ("jd", jd)) if p}
    weights = {name: topic_weights(text) for name, text in texts.items()}
    combined = combine(weights.get("cv", {}), weights.get("jd", {}))
    evidence: dict[str, list[str]] = {}
    for text in texts.values():
        for topic, terms in matched_terms(text).items():
            if topic in combined:
                evidence.setdefault(topic, [])
                evidence[topic] += [t for t in terms if t not in evidence[topic]]
    return Focus(combined, evidence)


def parse(items: Sequence[str]) -> dict[str, float]:
    """``TOPIC`` or ``TOPIC=WEIGHT`` items (weight in (0, 1], default 1)."""
    out: dict[str, float] = {}
    for item in items:
        topic, _, weight = item.partition("=")
        topic = topic.strip()
        if topic not in TOPICS:
            raise UserError(f"unknown topic {topic!r} in --focus; choose from {', '.join(TOPICS)}")
        try:
            value = float(weight) if weight else 1.0
        except ValueError:
            raise UserError(f"--focus {item!r}: the weight must be a number in (0, 1]") from None
        if not 0 < value <= 1:
            raise UserError(f"--focus {item!r}: the weight must be in (0, 1]")
        out[topic] = value
    return out
