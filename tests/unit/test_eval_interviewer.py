"""The interviewer eval's personas and checks, without a model."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

REPO = Path(__file__).resolve().parents[2]

from agent.bank import Entry, RubricPoint, load_bank  # noqa: E402
from agent.grading.models import Grade  # noqa: E402
from agent.interview.state import InterviewConfig, Mode, Turn  # noqa: E402
from agent.ui.views import feedback_message  # noqa: E402
from evals import eval_interviewer as ei  # noqa: E402


def test_first_clause() -> None:
    assert ei.first_clause("词向量是把词映射为向量，基于分布式假设。") == "词向量是把词映射为向量"
    assert ei.first_clause("## 原理\n- 词向量") == "原理"


def test_hint_persona_script() -> None:
    bank = load_bank()
    qid = next(iter(bank.by_id))
    p = ei.Persona("hints", bank, "practice", 2)
    step = SimpleNamespace(question_id=qid, kind="main", turn=0, say="?")
    assert p.answer(step, 1) == "给个提示"
    assert p.answer(step, 1) == "再说一遍"
    assert p.answer(step, 1) not in ("给个提示", "再说一遍")
    last = SimpleNamespace(question_id=qid, kind="main", turn=1, say="?")
    assert p.answer(last, 2) == "跳过"
    real = ei.Persona("hints", bank, "real", 2)
    assert real.answer(last, 2) == "结束"
    assert [c["command"] for c in p.commands] == ["hint", "repeat", "skip"]


def _fake_run(mode: Mode, interviewer_line: str) -> tuple[dict[str, Any], InterviewConfig]:
    bank = load_bank()
    qids = list(bank.by_id)[:2]
    turns: list[dict[str, Any]] = [
        {
            "index": i,
            "question_id": q,
            "kind": "main",
            "question": bank.get(q).question,
            "hints": [],
            "coverage": [0.0],
        }
        for i, q in enumerate(qids)
    ]
    grade = {"status": "graded", "score": 0.0, "feedback": "再想想", "points": []}
    report = {
        "turns": [{"index": t["index"], "grade": grade} for t in turns],
        "summary": {"complete": True},
    }
    run = {
        "turns": turns,
        "report": report,
        "done": True,
        "lines": [{"answer": "不知道", "question_id": q, "turn": i} for i, q in enumerate(qids)],
        "transcript": [{"role": "interviewer", "content": interviewer_line}],
        "ready": [{"index": 0, "t": 1.0}, {"index": 1, "t": 2.0}],
        "report_at": 3.0,
        "feedback": [
            {"index": 0, "answered_at": 0.5, "shown_after": 1.5},
            {"index": 1, "answered_at": 2.5, "shown_after": None},  # the last: by the report
        ],
        "feedback_shown": []
        if mode == "real"
        else [
            feedback_message(
                Turn.model_validate(t),
                int(t["index"]),
                Grade.model_validate({**grade, "question_id": t["question_id"]}),
            )["content"]
            for t in turns
        ],
    }
    return run, InterviewConfig(questions=2, mode=mode)


def test_check_run_passes_and_flags_feedback_in_real_mode() -> None:
    bank = load_bank()

    def rubric(entry: Entry) -> list[RubricPoint]:
        return entry.rubric

    run, cfg = _fake_run("practice", "好的，下一题。")
    persona = ei.Persona("silent", bank, "practice", 2)
    checks = ei.check_run(bank, rubric, run, persona, cfg)
    assert all(c["passed"] for c in checks.values()), checks

    run, cfg = _fake_run("real", "这题得分 3.5/10")
    checks = ei.check_run(bank, rubric, run, ei.Persona("silent", bank, "real", 2), cfg)
    assert checks["feedback_timing"]["passed"] is False

    run, cfg = _fake_run("real", "好的，下一题。")  # a feedback message shown in real mode
    run["feedback_shown"] = ["📝 **反馈 Feedback · 第 1 轮（主问题）· 0/10**"]
    checks = ei.check_run(bank, rubric, run, ei.Persona("silent", bank, "real", 2), cfg)
    assert checks["feedback_timing"]["passed"] is False


def test_practice_feedback_must_come_before_the_next_answer_with_the_reports_score() -> None:
    bank = load_bank()

    def rubric(entry: Entry) -> list[RubricPoint]:
        return entry.rubric

    persona = ei.Persona("silent", bank, "practice", 2)
    run, cfg = _fake_run("practice", "好的")
    run["feedback"][0]["shown_after"] = None  # the candidate answered on without it
    detail = ei.check_run(bank, rubric, run, persona, cfg)["feedback_timing"]
    assert detail["passed"] is False and detail["detail"]["late"] == [0]

    run, cfg = _fake_run("practice", "好的")
    run["feedback_shown"] = run["feedback_shown"][:1]  # the last answer never got feedback
    detail = ei.check_run(bank, rubric, run, persona, cfg)["feedback_timing"]
    assert detail["passed"] is False and detail["detail"]["never_shown"] == [1]

    run, cfg = _fake_run("practice", "好的")
    run["report"]["turns"][1]["grade"] = {"status": "graded", "score": 6.5}  # not what was shown
    detail = ei.check_run(bank, rubric, run, persona, cfg)["feedback_timing"]
    assert detail["passed"] is False and detail["detail"]["score_differs"] == [1]
