"""An English interview is English throughout (issue 32): questions, follow-ups, hints,
the key points graded and shown, feedback and the report, from the bank's curated
English. The real engine, graph and store; the grader is a stand-in that marks the
key points it is given (so the points it sees are the ones checked)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from agent.bank.english_checks import CJK
from agent.grading.models import Grade, PointGrade
from agent.interview.engine import Engine
from agent.interview.report_markdown import to_markdown
from agent.interview.state import InterviewConfig
from agent.settings import Settings
from agent.ui.session import UISession
from agent.ui.views import new_feedback


def _answer(engine: Engine, step: Any, n: int) -> str:
    """A hint request first; then each main question's first key point (so the others
    are missing and a follow-up comes); a vague line to a follow-up."""
    if n == 0:
        return "hint"
    if step.kind == "main" and step.question_id in engine.bank.by_id:
        return engine.bank.get(step.question_id).in_language("en").rubric[0].point
    return "I am not sure, it depends on the setup."


def _grade(entry: Any, answer: str, **_: Any) -> Grade:
    points = [PointGrade(point=p.point, verdict="missing", confidence=0.9) for p in entry.rubric]
    return Grade(question_id=entry.id, score=2.0, points=points, feedback="Cover the points.")


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_an_english_interview_shows_no_chinese(tmp_path: Path, seed: int) -> None:
    settings = Settings(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache")
    engine = Engine(settings, None)
    engine.queue._grade = _grade  # the stand-in grader (no model in unit tests)
    try:
        config = InterviewConfig(questions=3, max_follow_ups=1, seed=seed, lang="en")
        step = engine.start(config)
        said = [line["content"] for line in step.transcript]
        for n in range(12):
            if step.done:
                break
            said.append(step.say or "")
            step = engine.reply(step.session_id, _answer(engine, step, n), at=step.at)
            said += [x["content"] for x in step.transcript if x["role"] == "interviewer"]
        assert step.done and step.report is not None
        kinds = [t.kind for t in step.report.turns]
        assert "follow_up" in kinds  # follow-ups were asked, in English too
        ui = UISession(step.session_id, mode="practice", lang="en")
        shown = new_feedback(ui, engine.grades(step.session_id), engine.turns(step.session_id))
    finally:
        engine.close()
    chinese = [line for line in said if CJK.search(line)]
    assert chinese == []
    feedback = [m["content"] for m in shown]
    assert feedback and [f for f in feedback if CJK.search(f)] == []
    report = to_markdown(step.report)
    assert [line for line in report.splitlines() if CJK.search(line)] == []
    points = [p.point for t in step.report.turns for p in t.grade.points]
    assert points and all(not CJK.search(p) for p in points)  # graded on English points
