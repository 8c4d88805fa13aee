"""The interviewer eval's personas, its driver and its summary, without a model: the
engine runs on tests/fakes.py's FakeLLM (the checklist itself:
tests/unit/test_interviewer_checklist.py)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]

from agent.bank import load_bank  # noqa: E402
from agent.interview.state import InterviewConfig  # noqa: E402
from agent.profile.project_questions import with_projects  # noqa: E402
from agent.settings import Settings  # noqa: E402
from evals import eval_interviewer as ei  # noqa: E402
from evals import interviewer_personas as ip  # noqa: E402
from tests.fakes import FakeLLM  # noqa: E402


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


def test_the_other_personas_scripts() -> None:
    bank = load_bank()
    entry = bank.get("000-q001")
    step = SimpleNamespace(question_id=entry.id, kind="main", turn=0, say=entry.question)
    rambling = ei.Persona("rambling", bank, "practice", 2).answer(step, 1)
    assert entry.reference_answer and entry.reference_answer in rambling
    assert rambling.startswith(ip.RAMBLE_BEFORE) and rambling.endswith(ip.RAMBLE_AFTER)
    fine = ei.Persona("fine", bank, "practice", 2)
    assert [fine.answer(step, 1) for _ in range(3)] == ["还行吧", "fine", "还行吧"]
    assert ei.Persona("injection", bank, "real", 2).answer(step, 1) == ip.INSTRUCT
    assert ei.Persona("off_topic", bank, "real", 2).on_topic is False
    assert ei.Persona("strong", bank, "real", 2).on_topic is True
    assert ei.Persona("silent", bank, "real", 2).on_topic is None


def test_the_cv_persona_answers_a_project_question_from_its_cv() -> None:
    assert ip.cv_projects() == [
        "企业知识库问答助手「QiaoDoc」",
        "客服对话模型「SmartReply」LoRA 微调",
    ]
    cv = ei.Persona("cv", load_bank(), "practice", 4)
    say = "关于「SmartReply」，为什么这样设计？"
    answer = cv.answer(SimpleNamespace(question_id="cv-1", kind="main", turn=1, say=say), 2)
    assert "QLoRA" in answer and "QiaoDoc" not in answer and "。。" not in answer
    follow = SimpleNamespace(question_id="cv-1", kind="follow_up", turn=2, say="追问")
    assert cv.answer(follow, 2) == ip.PROJECT_FOLLOW_UP
    # a bank follow-up that came with the project's technique: its own answer
    (entry,) = with_projects(InterviewConfig(), ["客服对话模型「SmartReply」LoRA 微调"],
                             ip.cv_text()).projects  # fmt: skip
    cv.projects = {entry.id: entry}
    fu = next(f for f in entry.follow_ups if f.answer)
    step = SimpleNamespace(
        question_id=entry.id, kind="follow_up", turn=2, say=f"追问：{fu.question}"
    )
    assert cv.answer(step, 2) == fu.answer


def test_typing_takes_time_in_proportion_to_the_answer_capped() -> None:
    assert ip.INSTANT.seconds("很长的回答" * 100) == 0.0
    pace = ip.Typing(chars_per_s=4, cap_s=20)
    assert pace.seconds("不知道") == pytest.approx(0.75)
    assert pace.seconds("字" * 400) == 20.0


def test_feedback_wait_is_taken_over_the_main_questions_before_the_next_one() -> None:
    def block(wait: float | None, held: float, *, last: bool = False, already: bool = False) -> Any:
        shown = None if wait is None else 1.0 + wait
        return {"last": last, "answers": 1, "wait_s": wait, "held_s": held, "shown_at": shown,
                "already_shown": already}  # fmt: skip

    runs = [
        {"blocks": [block(2.0, 0.0), block(9.0, 4.0), block(30.0, 30.0, last=True)]},
        {"blocks": [block(0.0, 0.0, already=True), block(5.0, 1.0), block(None, 0.0)]},
        {"blocks": []},
    ]
    wait = ei.feedback_wait(runs)
    assert wait["main_questions"] == 5  # the last main question's wait is the report's
    assert wait["not_shown_by_then"] == 3 and wait["never_shown"] == 1
    assert (wait["wait_p50_s"], wait["wait_p90_s"], wait["wait_max_s"]) == (5.0, 9.0, 9.0)
    # held for a grade: the 9 s and 5 s ones (the 2 s one's feedback came with the line)
    assert wait["held"] == 2 and (wait["held_wait_p50_s"], wait["held_wait_p90_s"]) == (5.0, 9.0)
    assert (wait["held_p50_s"], wait["held_p90_s"]) == (1.0, 4.0)


def test_a_whole_eval_on_the_fake_model(tmp_path: Path) -> None:
    """The driver through the real engine (FakeLLM answers the model's calls): the chat
    as the app shows it, the checklist per run and its table, the feedback wait."""
    settings = Settings(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache")
    logged: list[str] = []
    result = ei.run(
        FakeLLM(0.9, reply="请再具体说说你的设计。"),
        settings,
        personas=["off_topic", "cv"],
        data_dir=tmp_path / "eval",
        log=logged.append,
    )
    assert [(r["persona"], r["mode"]) for r in result["runs"]] == [
        ("off_topic", "practice"), ("off_topic", "real"), ("cv", "practice"), ("cv", "real"),
    ]  # fmt: skip
    for r in result["runs"]:
        failed = {k: c["detail"] for k, c in r["checks"].items() if c["passed"] is False}
        assert not failed, (r["persona"], r["mode"], failed)
        assert r["chat"][-1]["closing"] is True
    table = result["checks"]
    assert set(table) == set(ei.ITEMS)
    assert table["project_names"] == {**table["project_names"], "passed": 2, "runs": 2}
    assert table["redirect_once"]["runs"] == 4 and table["redirect_once"]["rate"] == 1.0
    off = result["runs"][0]
    assert [x["kind"] for x in off["lines"]] == ["main", "follow_up", "main", "follow_up"]
    cv = result["runs"][2]
    asked = [x["say"] for x in cv["lines"] if str(x["question_id"]).startswith("cv-")]
    assert any("「QiaoDoc」" in s for s in asked) and any("「SmartReply」" in s for s in asked)
    feedback = [m for m in cv["chat"] if m["role"] == "feedback"]
    assert len(feedback) == len([t for t in cv["scores"] if t is not None])
    assert result["feedback_wait"]["main_questions"] == 1 + 3  # off_topic 1, cv 3
    assert result["summary"]["typing"] == {"chars_per_s": 0.0, "cap_s": 20.0}
    assert result["summary"]["all_passed"] is True
    out: list[str] = []
    ei.report(result, out.append)
    assert any("project_names" in x and "2/2" in x for x in out)
    assert any("wait p50" in x for x in out)
