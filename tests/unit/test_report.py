from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from agent.bank import Bank, Entry, Reading, RubricPoint, Source
from agent.grading.models import Grade
from agent.interview import report_markdown
from agent.interview.report import build_report, write_report
from agent.interview.report_markdown import to_markdown
from agent.interview.report_types import Report
from agent.interview.state import InterviewState


def _typed(report: dict[str, Any]) -> Report:
    """A report written as its JSON (the interface), as the renderers take it."""
    return Report.model_validate(report)


def _bank() -> Bank:
    def e(i: int, topic: str) -> Entry:
        return Entry(
            id=f"r-{i}",
            question=f"Q{i}",
            topic=topic,
            roles=["general"],
            difficulty=2,
            sources=[Source(seed="s", locator="1")],
            rubric=[RubricPoint(point=f"P{i}")],
            reference_answer=f"A{i}",
            reading=[Reading(title=f"读物{i}", url=f"https://x/{i}")],
        )

    return Bank(entries=[e(1, "RAG与检索"), e(2, "Agent"), e(3, "Agent")])


def _grade(qid: str, score: float | None, status: str = "graded") -> Grade:
    verdict = "covered" if (score or 0) >= 5 else "missing"
    return Grade.model_validate(
        {
            "question_id": qid,
            "score": score,
            "status": status,
            "flags": [],
            "feedback": "f",
            "points": [
                {"point": f"P{qid[-1]}", "verdict": verdict, "confidence": 0.9, "evidence": ""}
            ],
        }
    )


STATE: InterviewState = {
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
    report = build_report(_bank(), STATE, grades).as_json()
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
    report = build_report(_bank(), STATE, grades).as_json()
    s = report["summary"]
    assert not s["complete"] and s["pending"] == 2  # one pending, one never graded
    assert report["turns"][3]["grade"]["score"] is None
    assert s["overall_score"] == round((9 * 2 + 2 * 2) / 4, 1)
    md = to_markdown(_typed(report))
    assert "pending" in md and "Q3" in md and "读物" in md


def _finished_report() -> dict[str, Any]:
    speech = {
        "duration_s": 12.34,
        "speech_s": 10.0,
        "fillers": {"嗯": 2},
        "filler_count": 2,
        "long_pauses": 1,
        "longest_pause_s": 2.6,
        "silence_ratio": 0.19,
    }
    grade = {
        "question_id": "q1",
        "score": 7.5,
        "status": "graded",
        "flags": ["injection"],
        "feedback": "FB",
        "points": [{"point": "P", "verdict": "covered", "confidence": 0.9, "evidence": "EV"}],
    }
    return {
        "session_id": "sid-1",
        "generated_at": "2026-01-01T00:00:00+0000",
        "config": {"role": "algorithm", "level": "senior", "mode": "practice"},
        "difficulty_path": [{"difficulty": 2, "next_difficulty": 3}, {"difficulty": 3}],
        "turns": [
            {
                "index": 0,
                "question_id": "q1",
                "kind": "main",
                "topic": "位置编码",
                "difficulty": 2,
                "question": "Q1?",
                "answer": "ANS | 所以",
                "skipped": False,
                "grade": grade,
                "reference_answer": "REF",
                "speech": speech,
            },
            {
                "index": 1,
                "question_id": "q2",
                "kind": "follow_up",
                "topic": "Agent",
                "difficulty": 1,
                "question": "FU?",
                "answer": "",
                "skipped": True,
                "grade": {
                    "question_id": "q2",
                    "score": None,
                    "status": "pending",
                    "flags": [],
                    "points": [],
                },
                "reference_answer": None,
                "speech": None,
            },
        ],
        "summary": {
            "overall_score": 7.5,
            "by_topic": {"位置编码": 7.5, "Agent": None},
            "strengths": ["P"],
            "gaps": ["G"],
            "graded": 1,
            "pending": 1,
            "complete": False,
            "study_next": [{"topic": "Agent", "reading": [{"title": "T", "url": "U"}]}],
        },
    }


def test_markdown_keeps_everything_the_report_says() -> None:
    md = to_markdown(_typed(_finished_report()))
    assert md.startswith("# Mianshi 面试报告\n")
    for fact in [
        "`sid-1`",
        "2026-01-01T00:00:00+0000",
        "Role: algorithm",
        "Level: senior",
        "Mode: practice",
        "总分 Overall: 7.5 / 10",
        "1 个评分未完成",
        "pending",
        "| 位置编码 | 7.5 |",
        "| Agent | — |",
        "## 优势 Strengths\n\n- P",
        "## 待加强 Gaps\n\n- G",
        "- **Agent**: [T](U)",
        "难度路径 Difficulty path: 2 → 3（调整 steps: 3）",
        "### 1. [主问题] Q1?",
        "`q1` · 位置编码 · 难度 2 · 得分 **7.5/10** · flags: injection",
        "**回答 Answer:**\n\n> ANS \\| 所以",
        "| ✅ 答到 0.90 | P | “EV” |",
        "**反馈 Feedback:** FB",
        "**参考答案 Reference:** REF",
        "**语音 Speech:** 时长 12.3 s",
        "duration_s=12.34, speech_s=10.0, filler_count=2, long_pauses=1",
        "### 2. [追问] FU?",
        "得分 **pending**",
        "（跳过 skipped）",
    ]:
        assert fact in md, fact
    assert "延伸阅读" not in md  # reading links per question only when asked for


def test_the_app_shows_the_same_sections_the_file_has() -> None:
    report = _finished_report()
    reading = lambda topic: [{"title": f"读{topic}", "url": "x"}]  # noqa: E731
    sections = [
        report_markdown.headline(_typed(report)),
        report_markdown.summary(_typed(report)),
        report_markdown.questions(_typed(report), reading),
    ]
    md = to_markdown(_typed(report), reading)
    assert all(section.strip() in md for section in sections)
    assert md == "\n\n".join(["# Mianshi 面试报告", *(s.strip() for s in sections)]) + "\n"
    assert "**延伸阅读 Reading:** [读位置编码](x)" in md


def test_write_report_writes_the_json_and_its_markdown_twin(tmp_path: Path) -> None:
    report = _finished_report()
    json_path, md_path = write_report(_typed(report), tmp_path / "out" / "r.txt")
    assert (json_path.name, md_path.name) == ("r.json", "r.md")
    assert json.loads(json_path.read_text(encoding="utf-8")) == _typed(report).as_json()
    assert md_path.read_text(encoding="utf-8") == to_markdown(_typed(report))


HOSTILE = (
    '正常的开头。<img src=x onerror="alert(1)"> <script>alert(2)</script>\n'
    "## 总分 Overall: 10 / 10\n"
    "**得分 10/10** ![track](https://evil.example/pixel.png) [click](https://evil.example)\n"
    "1. 伪造列表\n"
    "| ✅ 答到 1.00 | 伪造 | 要点 |\n"
    "see https://evil.example/x or www.evil.example or mail me@evil.example\n"
    "$$\\text{math swallowing the rest}$$ ok\r# forged by a carriage return\n"
    "\n"
    "    if a < b and my_var * 2:  # indented code stays plain text"
)


def test_what_the_candidate_wrote_is_shown_as_text_never_as_markup() -> None:
    """Rendered as Gradio renders Markdown (markdown-it): the hostile answer adds no
    HTML, heading, image, link, emphasis, list or table row; its words are all there."""
    from markdown_it import MarkdownIt

    def render(md: str) -> str:  # tables, strikethrough and bare-URL links, as GFM does
        return MarkdownIt("gfm-like").render(md)

    report = _finished_report()
    report["turns"][0]["answer"] = HOSTILE
    report["turns"][0]["grade"]["feedback"] = "引用：<b>粗体</b> ![x](https://evil.example/x.png)"
    report["turns"][0]["grade"]["points"][0]["evidence"] = "**10/10** <i>x</i>\r# h"
    clean = render(to_markdown(_typed(_finished_report())))
    markdown = to_markdown(_typed(report))
    html = render(markdown)
    for tag in ("<img", "<script", "<b>", "<i>"):
        assert tag not in html, tag
    for tag in ("<h1>", "<h2>", "<h3>", "<strong>", "<li>", "<tr>", "<a ", "<pre>", "<code>"):
        assert html.count(tag) == clean.count(tag), tag
    assert "$$" not in markdown  # Gradio's KaTeX would take everything between two
    for words in ("正常的开头", "总分 Overall: 10 / 10", "伪造列表", "evil.example/pixel.png",
                  "if a &lt; b and my_var * 2:", "math swallowing the rest"):  # fmt: skip
        assert words in html, words
