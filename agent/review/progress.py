"""A candidate's progress across interviews: the score per topic over sessions, how much
of the bank they have seen, the review cards due, and their weakest topic.

Built from the finished sessions' reports (the store) and the review cards; every
figure has a text twin (``markdown``) for screen readers and exports.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from agent.bank import TOPICS, Bank, topic_label
from agent.review.cards import ReviewCard

#: A topic's standing is the mean of its scores in this many latest sessions.
RECENT = 3


@dataclass
class Progress:
    candidate: str
    #: one row per (finished session, topic): {"session", "when", "topic", "score"}
    trend: list[dict[str, Any]] = field(default_factory=list)
    #: topic -> (questions seen, questions in the bank)
    coverage: dict[str, tuple[int, int]] = field(default_factory=dict)
    due: list[ReviewCard] = field(default_factory=list)
    #: topic -> mean of its latest RECENT scores
    standing: dict[str, float] = field(default_factory=dict)

    @property
    def weakest(self) -> str | None:
        return min(self.standing, key=lambda t: (self.standing[t], t)) if self.standing else None


def build(
    candidate: str, sessions: Sequence[dict[str, Any]], bank: Bank, due: Sequence[ReviewCard]
) -> Progress:
    """``sessions`` as the store lists them (any order); only finished ones count."""
    done = sorted(
        (s for s in sessions if s.get("report") and s.get("status") == "finished"),
        key=lambda s: float(s.get("created") or 0),
    )
    out = Progress(candidate=candidate, due=list(due))
    seen: set[str] = set()
    scores: dict[str, list[float]] = defaultdict(list)
    for n, s in enumerate(done, start=1):
        report = s["report"]
        when = time.strftime("%m-%d %H:%M", time.localtime(float(s.get("created") or 0)))
        for topic, score in ((report.get("summary") or {}).get("by_topic") or {}).items():
            if isinstance(score, int | float):
                out.trend.append({"session": n, "when": when, "topic": topic, "score": score})
                scores[topic].append(float(score))
        seen.update(str(t.get("question_id")) for t in report.get("turns") or [])
    in_bank: Counter[str] = Counter(str(e.topic) for e in bank.entries)
    seen_by_topic: Counter[str] = Counter(str(bank.by_id[q].topic) for q in seen if q in bank.by_id)
    out.coverage = {t: (seen_by_topic.get(t, 0), in_bank.get(t, 0)) for t in TOPICS}
    out.standing = {t: round(sum(v[-RECENT:]) / len(v[-RECENT:]), 1) for t, v in scores.items()}
    return out


def summary(p: Progress) -> dict[str, Any]:
    """The progress as plain JSON (the report's ``progress`` section)."""
    by_topic: dict[str, list[float]] = defaultdict(list)
    for row in p.trend:
        by_topic[row["topic"]].append(float(row["score"]))
    return {
        "sessions": len({row["session"] for row in p.trend}),
        "standing": dict(sorted(p.standing.items(), key=lambda kv: kv[1])),
        "trend": dict(by_topic),
        "weakest": p.weakest,
        "seen": sum(s for s, _ in p.coverage.values()),
        "bank": sum(n for _, n in p.coverage.values()),
        "due": len(p.due),
    }


#: The progress text's own words by the session's language.
_SUMMARY_LABELS: dict[str, dict[str, str]] = {
    "zh": {
        "head": "| 主题 Topic | 最近得分 Recent | 历次 Sessions |",
        "weakest": "最弱主题 Weakest topic",
        "none": "（还没有完成的面试 no finished interview yet）",
        "coverage": "题库覆盖 Bank coverage",
        "due": "今日待复习 Review cards due",
    },
    "en": {
        "head": "| Topic | Recent | Sessions |",
        "weakest": "Weakest topic",
        "none": "(no finished interview yet)",
        "coverage": "Bank coverage",
        "due": "Review cards due",
    },
}


def summary_markdown(s: dict[str, Any], lang: str = "zh") -> list[str]:
    """The score per topic over sessions as a table, the weakest topic, bank coverage
    and the cards due (the report's and the progress view's text), in ``lang``."""
    t = _SUMMARY_LABELS.get(lang, _SUMMARY_LABELS["zh"])
    lines: list[str] = []
    if s.get("standing"):
        lines += [t["head"], "|---|---|---|"]
        for topic, value in s["standing"].items():
            trend = " → ".join(f"{v:g}" for v in s["trend"].get(topic, []))
            lines.append(f"| {topic_label(topic, lang)} | {value:g} | {trend} |")
        lines += ["", f"{t['weakest']}: **{topic_label(s['weakest'], lang)}**", ""]
    else:
        lines += [t["none"], ""]
    lines += [f"{t['coverage']}: {s.get('seen', 0)} / {s.get('bank', 0)}", ""]
    lines += [f"{t['due']}: {s.get('due', 0)}", ""]
    return lines


def markdown(p: Progress) -> str:
    """The text twin of the progress view: standing, trend, coverage and due cards."""
    lines = [f"## 进度 Progress · {p.candidate}", "", *summary_markdown(summary(p))]
    lines += ["| 主题 Topic | 已练 Seen | 题库 In bank |", "|---|---|---|"]
    lines += [f"| {t} | {s} | {n} |" for t, (s, n) in p.coverage.items()]
    if p.due:
        lines += ["", "待复习 Due:"]
    lines += [f"- {c.question} — {c.topic or ''}" for c in p.due[:10]]
    return "\n".join(lines) + "\n"
