"""Projects found in a CV's text, their deep-dive questions (tests/unit/
test_project_questions.py builds them) asked as the 2nd main question, graded against
their curated key points and labelled as such in the report; and the review mode that
asks only due cards."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from agent.grading.models import Grade, PointGrade
from agent.interview.engine import Engine
from agent.interview.report_markdown import to_markdown
from agent.interview.report_types import Report
from agent.interview.state import InterviewConfig
from agent.profile import project_questions as pq
from agent.profile.projects import find_projects
from agent.settings import Settings
from tests.cv_samples import LISTED

CV = LISTED  # one project per bullet, the name before a colon


def test_projects_are_found_under_their_heading_with_wrapped_lines_joined() -> None:
    found = find_projects(CV)
    assert [p.name for p in found] == ["企业知识库问答", "医疗对话模型"]
    assert found[0].text.endswith("召回率提升 12%。")  # the wrapped line joined
    assert [p.topic for p in found] == ["RAG与检索", "微调与PEFT"]
    english = "## Projects\n- **Search assistant**: RAG with BM25 and a reranker\n  (recall +12%)\n"
    english += "- Chatbot tuning with LoRA on Qwen\n## Education\n- MSc\n"
    assert [p.name for p in find_projects(english)] == [
        "Search assistant",
        "Chatbot tuning with LoRA on",
    ]
    assert find_projects("熟悉 RAG 和 LoRA，做过很多项目。") == []  # no projects heading


def _grade(entry: Any, answer: str, **_: Any) -> Grade:
    verdict = "covered" if "好回答" in answer else "missing"
    points = [PointGrade(point=p.point, verdict=verdict, confidence=0.9) for p in entry.rubric]
    return Grade(question_id=entry.id, score=9.0 if verdict == "covered" else 1.0,
                 points=points, method="sampled")  # fmt: skip


def _engine(tmp_path: Path) -> Engine:
    engine = Engine(Settings(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache"), None)
    engine.queue._grade = _grade  # the stand-in grader (no model in unit tests)
    return engine


def _run(engine: Engine, config: InterviewConfig, answer: str) -> dict[str, Any]:
    step = engine.start(config)
    while not step.done:
        step = engine.reply(step.session_id, answer, at=step.at)
    assert step.report is not None
    return step.report.as_json()  # the report as other tools read it


def test_a_project_question_is_asked_second_and_graded_on_its_curated_points(
    tmp_path: Path,
) -> None:
    projects = pq.with_projects(InterviewConfig(), 2, CV).projects
    engine = _engine(tmp_path)
    try:
        config = InterviewConfig(questions=3, max_follow_ups=1, seed=1, projects=projects)
        report = _run(engine, config, "企业知识库问答要解决的问题和约束：数据、算力、时延")
        follow = [t for t in report["turns"] if t["kind"] == "follow_up"]
    finally:
        engine.close()
    mains = [t for t in report["turns"] if t["kind"] == "main"]
    assert mains[1]["question_id"] == projects[0].id and mains[1]["origin"] == "project"
    assert mains[1]["project"] == "企业知识库问答" and mains[1]["rubric_source"] == "curated"
    graded = [p["point"] for p in mains[1]["grade"]["points"]]
    assert graded == [p.point for p in projects[0].rubric]
    follow = [t for t in follow if t["question_id"] == projects[0].id]
    # a follow-up on the project is one too: the curated follow-up of a point the
    # answer missed (not the background it covered), graded on its own curated points
    assert follow and follow[0]["origin"] == "project"
    asked = next(f for f in projects[0].follow_ups if f.question == follow[0]["question"])
    assert asked.targets != [0]
    graded = [p["point"] for p in follow[0]["grade"]["points"]]
    assert graded == [p.point for p in asked.rubric]
    assert {m["origin"] for m in (mains[0], mains[2])} == {"bank"}
    markdown = to_markdown(Report.model_validate(report))
    assert "[项目深挖 Project]" in markdown and "不由模型编写" in markdown
    assert "非人工整理" not in markdown
    assert markdown.count("Project question from your CV") == 2  # the question and its follow-up


def test_review_mode_asks_only_due_points_and_rates_them(tmp_path: Path) -> None:
    t0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    engine = _engine(tmp_path)
    try:
        engine.clock = lambda: t0
        first = _run(engine, InterviewConfig(questions=2, max_follow_ups=0, seed=4,
                                             candidate="bo"), "不太清楚")  # fmt: skip
        missed = {
            (t["question_id"], p["point"]) for t in first["turns"] for p in t["grade"]["points"]
        }
        engine.clock = lambda: t0 + timedelta(days=1)
        review = InterviewConfig(mode="review", questions=5, candidate="bo")
        report = _run(engine, review, "好回答：都讲清楚")
        turns = report["turns"]
        assert [t["origin"] for t in turns] == ["review", "review"]  # only the 2 due questions
        asked = {(t["question_id"], p["point"]) for t in turns for p in t["grade"]["points"]}
        assert asked == missed  # graded on the due points, nothing else
        assert "复习 1/2" in turns[0]["asked"]
        assert engine.cards.due("bo", now=t0 + timedelta(days=2)) == []  # pushed out
        nothing = _run(engine, review, "好回答")  # nothing due: over at once
        assert nothing["turns"] == []
    finally:
        engine.close()


def test_the_report_carries_the_progress_over_sessions_as_a_table(tmp_path: Path) -> None:
    engine = _engine(tmp_path)
    try:
        config = InterviewConfig(questions=1, max_follow_ups=0, seed=2, candidate="cy")
        first = _run(engine, config, "不太清楚")
        second = _run(engine, config.model_copy(update={"seed": 3}), "好回答：都讲清楚")
    finally:
        engine.close()
    assert first["progress"]["sessions"] == 1
    progress = second["progress"]
    assert progress["sessions"] == 2 and progress["seen"] == 2 and progress["bank"] > 600
    topic = first["turns"][0]["topic"]
    assert progress["trend"][topic][0] == first["summary"]["by_topic"][topic]
    markdown = to_markdown(Report.model_validate(second))
    assert "## 历次进度 Progress over 2 interview(s)" in markdown
    assert "| 主题 Topic | 最近得分 Recent | 历次 Sessions |" in markdown
    assert f"题库覆盖 Bank coverage: 2 / {progress['bank']}" in markdown
