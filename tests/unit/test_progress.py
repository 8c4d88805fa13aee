"""Progress across interviews from stored reports and review cards (the real bank)."""

from __future__ import annotations

from typing import Any

from agent.bank import load_bank
from agent.review.cards import ReviewCard
from agent.review.progress import build, markdown


def _session(n: int, scores: dict[str, float], questions: list[str]) -> dict[str, Any]:
    return {
        "id": f"s{n}",
        "status": "finished",
        "created": 1_700_000_000 + n * 3600,
        "report": {
            "summary": {"by_topic": scores},
            "turns": [{"question_id": q} for q in questions],
        },
    }


def test_trend_standing_coverage_and_the_weakest_topic() -> None:
    bank = load_bank()
    rag = [e.id for e in bank.entries if e.topic == "RAG与检索"][:3]
    peft = [e.id for e in bank.entries if e.topic == "微调与PEFT"][:1]
    sessions = [
        _session(2, {"RAG与检索": 7.0, "微调与PEFT": 3.0}, rag[1:] + peft),
        _session(1, {"RAG与检索": 4.0}, rag[:1]),
        {"id": "open", "status": "active", "created": 1_700_009_999, "report": None},
    ]
    due = [ReviewCard("me", rag[0], "要点", "问题？", None, "RAG与检索", 0.0)]
    p = build("me", sessions, bank, due)
    assert [(r["session"], r["topic"], r["score"]) for r in p.trend] == [
        (1, "RAG与检索", 4.0),
        (2, "RAG与检索", 7.0),
        (2, "微调与PEFT", 3.0),
    ]
    assert p.standing == {"RAG与检索": 5.5, "微调与PEFT": 3.0}
    assert p.weakest == "微调与PEFT"
    assert p.coverage["RAG与检索"][0] == 3 and p.coverage["微调与PEFT"][0] == 1
    text = markdown(p)  # the text twin carries what the chart shows
    assert "| 微调与PEFT | 3 | 3 |" in text and "| RAG与检索 | 5.5 | 4 → 7 |" in text
    assert "最弱主题 Weakest topic: **微调与PEFT**" in text
    assert "今日待复习 Review cards due: 1" in text


def test_no_finished_interview_yet() -> None:
    p = build("me", [], load_bank(), [])
    assert p.weakest is None and p.trend == []
    assert "no finished interview yet" in markdown(p)
