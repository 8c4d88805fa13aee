from __future__ import annotations

from agent.bank import Bank, Entry, Reading, RubricPoint, Source
from agent.interview.report import build_report, to_markdown


def _bank() -> Bank:
    def e(i: int, topic: str) -> Entry:
        return Entry(
            id=f"r-{i}",
            question=f"Q{i}",
            topic=topic,  # type: ignore[arg-type]
            roles=["general"],
            difficulty=2,
            sources=[Source(seed="s", locator="1")],
            rubric=[RubricPoint(point=f"P{i}")],
            reference_answer=f"A{i}",
            reading=[Reading(title=f"读物{i}", url=f"https://x/{i}")],
        )

    return Bank(entries=[e(1, "RAG与检索"), e(2, "Agent"), e(3, "Agent")])


def _grade(qid: str, score: float | None, status: str = "graded") -> dict[str, object]:
    verdict = "covered" if (score or 0) >= 5 else "missing"
    return {
        "question_id": qid,
        "score": score,
        "status": status,
        "flags": [],
        "feedback": "f",
        "points": [{"point": f"P{qid[-1]}", "verdict": verdict, "confidence": 0.9, "evidence": ""}],
    }


STATE = {
    "session_id": "s",
    "config": {"role": "general", "level": "mid", "mode": "real"},
    "turns": [
        {"index": 0, "question_id": "r-1", "kind": "main", "question": "Q1", "answer": "a"},
        {
            "index": 1,
            "question_id": "r-1",
            "kind": "follow_up",
            "question": "FU",
            "answer": "b",
            "reference": "FU-A",
        },
        {"index": 2, "question_id": "r-2", "kind": "main", "question": "Q2", "answer": "c"},
        {"index": 3, "question_id": "r-3", "kind": "main", "question": "Q3", "answer": "d"},
    ],
    "difficulty_path": [{"question_id": "r-1", "difficulty": 2, "target": 2}],
}


def test_weighted_scores_topics_and_study_next() -> None:
    grades = {0: _grade("r-1", 9), 1: _grade("r-1", 6), 2: _grade("r-2", 2), 3: _grade("r-3", 4)}
    report = build_report(_bank(), STATE, grades)
    s = report["summary"]
    assert s["overall_score"] == round((9 * 2 + 6 + 2 * 2 + 4 * 2) / 7, 1)
    assert s["by_topic"] == {"RAG与检索": 8.0, "Agent": 3.0}
    assert s["weak_topics"] == ["Agent"] and s["strong_topics"] == ["RAG与检索"]
    assert s["study_next"][0]["reading"][0]["url"] == "https://x/2"
    assert s["complete"] and s["pending"] == 0
    assert report["turns"][1]["reference_answer"] == "FU-A"
    assert "P1" in s["strengths"] and "P2" in s["gaps"]


def test_pending_grade_is_not_invented() -> None:
    grades = {0: _grade("r-1", 9), 1: _grade("r-1", None, "pending"), 2: _grade("r-2", 2)}
    report = build_report(_bank(), STATE, grades)
    s = report["summary"]
    assert not s["complete"] and s["pending"] == 2  # one pending, one never graded
    assert report["turns"][3]["grade"]["score"] is None
    assert s["overall_score"] == round((9 * 2 + 2 * 2) / 4, 1)
    md = to_markdown(report)
    assert "pending" in md and "Q3" in md and "读物" in md
