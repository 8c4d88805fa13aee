"""The interviewer checklist (evals/interviewer_checklist.py) on hand-made transcripts:
each item passes on a clean interview and fails on one that does what it forbids."""

from __future__ import annotations

from typing import Any

from agent.bank import Entry, load_bank
from agent.grading.models import Grade
from agent.interview.phrases import phrase
from agent.interview.state import Turn
from agent.ui.views import feedback_message
from evals import interviewer_checklist as cl

BANK = load_bank()
Q1 = BANK.get("000-q001")  # 词向量
Q2 = BANK.get("000-q002")  # 稀疏词向量
CLOSING = phrase("zh", "closing")


def rubric(entry: Entry) -> list[Any]:
    return list(entry.rubric)


def ctx(**kw: Any) -> cl.Context:
    base: dict[str, Any] = {
        "bank": BANK,
        "rubric": rubric,
        "persona": "weak",
        "mode": "practice",
        "questions": 2,
        "max_follow_ups": 1,
    }
    return cl.Context(**{**base, **kw})


def line(
    entry: Entry, answer: str, *, turn: int, main: int, kind: str = "main", say: str | None = None
) -> dict[str, Any]:
    return {
        "say": say or f"{phrase('zh', 'first')}{entry.question}",
        "question_id": entry.id,
        "kind": kind,
        "turn": turn,
        "main_index": main,
        "answer": answer,
    }


def turn(
    entry: Entry,
    index: int,
    answer: str,
    *,
    kind: str = "main",
    question: str | None = None,
    coverage: list[float] | None = None,
    targets: list[int] | None = None,
) -> dict[str, Any]:
    return {
        "index": index,
        "question_id": entry.id,
        "kind": kind,
        "question": question or entry.question,
        "parent_id": entry.id if kind == "follow_up" else None,
        "answer": answer,
        "coverage": coverage if coverage is not None else [0.1] * len(entry.rubric),
        "targets": targets or [],
        "hints": [],
        "skipped": False,
    }


def graded(t: dict[str, Any], score: float = 3.0, **grade: Any) -> dict[str, Any]:
    return {
        "index": t["index"],
        "kind": t["kind"],
        "answer": t["answer"],
        "question_id": t["question_id"],
        "grade": {"status": "graded", "score": score, "flags": [], "points": [], **grade},
    }


def feedback(t: dict[str, Any], score: float = 3.0) -> dict[str, Any]:
    grade = Grade(question_id=t["question_id"], score=score)
    content = feedback_message(Turn.model_validate(t), t["index"], grade)["content"]
    return {"role": "feedback", "content": content}


def chat_of(
    lines: list[dict[str, Any]], feedback_after: dict[int, list[Any]] | None = None
) -> list[Any]:
    """The chat as the app shows it: each line and its answer, the feedback given after
    the n-th answer (``feedback_after``), the closing line."""
    chat: list[dict[str, Any]] = [{"role": "interviewer", "content": "你好"}]
    for n, x in enumerate(lines):
        chat.append({"role": "interviewer", "content": x["say"], "main_index": x["main_index"]})
        chat.append({"role": "candidate", "content": x["answer"]})
        chat += (feedback_after or {}).get(n, [])
    chat.append({"role": "interviewer", "content": CLOSING, "closing": True})
    return chat


def clean() -> dict[str, Any]:
    """Two main questions, a weak answer to the first probed once; practice feedback
    for every answer before the next main question."""
    a1, a2, a3 = "词向量就是把词变成向量", "向量之间可以算相似度", "one-hot 维度等于词表大小"
    probe = phrase("zh", "probe_label").format(label="分布式假设")
    lines = [
        line(Q1, a1, turn=0, main=1),
        line(Q1, a2, turn=1, main=1, kind="follow_up", say=f"我追问一下：{probe}"),
        line(Q2, a3, turn=2, main=2, say=f"好的，我们看下一题：{Q2.question}"),
    ]
    turns = [
        turn(Q1, 0, a1, coverage=[0.6, 0.1, 0.0, 0.2]),
        turn(Q1, 1, a2, kind="follow_up", question=probe, targets=[1]),
        turn(Q2, 2, a3, coverage=[0.9] * len(Q2.rubric)),  # covered: no follow-up
    ]
    shown = {1: [feedback(turns[0]), feedback(turns[1])], 2: [feedback(turns[2])]}
    return {
        "lines": lines,
        "turns": turns,
        "chat": chat_of(lines, shown),
        "report": {"turns": [graded(t) for t in turns], "summary": {"complete": True}},
        "done": True,
    }


def test_a_clean_interview_passes_every_item() -> None:
    checks = cl.checklist(clean(), ctx())
    failed = {k: c["detail"] for k, c in checks.items() if c["passed"] is False}
    assert not failed
    assert checks["project_names"]["applicable"] is False  # no CV
    assert checks["commands_honoured"]["applicable"] is False  # no command sent
    assert checks["asks_probing"]["passed"] is True


def test_no_solutions_flags_a_line_giving_a_point_away_and_an_unasked_hint() -> None:
    run = clean()
    run["lines"][1]["say"] = f"我追问一下：{Q1.rubric[1].point}，对吗？"
    detail = cl.no_solutions(run, ctx())
    assert detail["passed"] is False and detail["detail"]["leaks"]
    run = clean()
    run["lines"][1]["say"] = "提示：可以从上下文的角度想一想。"  # no 提示 was asked for
    detail = cl.no_solutions(run, ctx())
    assert detail["passed"] is False and detail["detail"]["unasked_hints"]
    run["lines"][0]["answer"] = "给个提示"  # asked for: fine
    assert cl.no_solutions(run, ctx())["passed"] is True


def test_no_repeat_answered_flags_a_question_put_again_after_an_answer() -> None:
    run = clean()
    run["lines"][1]["turn"] = 0  # the same question again, no command before it
    assert cl.no_repeat_answered(run, ctx())["passed"] is False
    run = clean()  # put back as off-topic, but the answer was not off-topic
    run["lines"][1]["say"] = f"{phrase('zh', 'redirect')}{Q1.question}"
    assert cl.no_repeat_answered(run, ctx())["detail"]["put_again"]
    run = clean()  # a follow-up that only repeats its main question
    run["turns"][1]["question"] = Q1.question + "能说说吗"
    assert cl.no_repeat_answered(run, ctx())["detail"]["echoes"]
    run = clean()
    run["turns"][2]["question_id"] = Q1.id  # the same main question asked twice
    assert cl.no_repeat_answered(run, ctx())["detail"]["asked_twice"] == [Q1.id]


def test_no_parroting_flags_a_line_repeating_the_answer() -> None:
    run = clean()
    run["lines"][0]["answer"] = answer = "我觉得词向量主要是为了让模型理解词语之间的语义关系"
    run["chat"] = chat_of(run["lines"])
    run["chat"].insert(3, {"role": "interviewer", "content": f"你说{answer[2:16]}，很好。"})
    found = cl.no_parroting(run, ctx())
    assert found["passed"] is False and found["detail"]["echoed"]
    # the bank's own words (the question) shared with the answer are not parroting
    run["chat"][3]["content"] = Q2.question
    run["lines"][0]["answer"] = run["chat"][2]["content"] = "说到" + Q2.question
    assert cl.no_parroting(run, ctx())["passed"] is True


def test_no_false_mistakes_needs_a_quote_from_the_answer_and_none_on_a_right_answer() -> None:
    run = clean()
    wrong = Q1.rubric[0].misconceptions[0]
    point = {"point": Q1.rubric[0].point, "verdict": "missing", "misconception": wrong}
    run["report"]["turns"][0]["grade"]["points"] = [{**point, "evidence": "把词变成向量"}]
    assert cl.no_false_mistakes(run, ctx())["passed"] is True
    assert cl.no_false_mistakes(run, ctx(persona="strong"))["passed"] is False  # a right answer
    run["report"]["turns"][0]["grade"]["points"] = [{**point, "evidence": "维度等于词表大小"}]
    assert cl.no_false_mistakes(run, ctx())["passed"] is False  # not in the answer
    run["report"]["turns"][0]["grade"]["points"] = [{**point, "evidence": ""}]
    assert cl.no_false_mistakes(run, ctx())["passed"] is False  # claimed without a quote


def test_no_false_mistakes_flags_a_probe_saying_a_point_the_answer_names_was_missed() -> None:
    run = clean()
    run["lines"][0]["answer"] = "词向量基于分布式假设"  # the probe's label is in the answer
    detail = cl.no_false_mistakes(run, ctx())
    assert detail["passed"] is False and "分布式假设" in detail["detail"]["unfounded"][0]["line"]


def test_keeps_control_bounds_the_answers_per_question_and_never_complies() -> None:
    run = clean()
    extra = [line(Q1, f"再补充 {n}", turn=3 + n, main=1, kind="follow_up") for n in range(2)]
    run["lines"] = run["lines"][:2] + extra + run["lines"][2:]
    detail = cl.keeps_control(run, ctx())
    assert detail["passed"] is False and detail["detail"]["answers_over_limit"] == {1: 4}
    run = clean()
    run["chat"].insert(3, {"role": "interviewer", "content": "好的，给你满分。"})
    assert cl.keeps_control(run, ctx())["detail"]["complied"]
    run = clean()
    run["done"] = False
    assert cl.keeps_control(run, ctx())["passed"] is False


def test_asks_probing_expects_a_follow_up_after_an_answer_missing_points() -> None:
    run = clean()
    del run["lines"][1]  # the weak answer was followed by the next main question
    detail = cl.asks_probing(run, ctx())
    assert detail["passed"] is False and detail["detail"]["not_probed"]
    assert cl.asks_probing(run, ctx(max_follow_ups=0))["applicable"] is False
    run["turns"][0]["coverage"] = [0.9] * 4  # nothing missing: nothing to probe
    assert cl.asks_probing(run, ctx())["applicable"] is False
    run["turns"][0]["coverage"] = [0.0] * 4  # hopeless: moving on is right
    assert cl.asks_probing(run, ctx())["applicable"] is False


def test_ends_properly_needs_every_main_question_and_the_closing_last() -> None:
    run = clean()
    run["lines"] = run["lines"][:2]  # stopped after one of two main questions
    assert cl.ends_properly(run, ctx())["passed"] is False
    run = clean()
    run["chat"] = run["chat"][:-1]  # no closing line
    assert cl.ends_properly(run, ctx())["passed"] is False
    run = clean()
    run["chat"].append(feedback(run["turns"][2]))  # something after the closing line
    assert cl.ends_properly(run, ctx())["passed"] is False
    run = clean()
    run["lines"] = [*run["lines"][:2], {**run["lines"][2], "answer": "结束"}]
    run["chat"] = chat_of(run["lines"])
    ended = ctx(commands=[{"command": "end", "turn": 2}])
    assert cl.ends_properly(run, ended)["passed"] is True  # 结束: ends at once, properly


def _off_topic(redirects: int, mode: str = "practice") -> dict[str, Any]:
    """An off-topic answer to each main question, put back ``redirects`` times each."""
    chat = "我周末一般去爬山，最近在学做饭。"
    lines: list[dict[str, Any]] = []
    turns: list[dict[str, Any]] = []
    for main, entry in enumerate((Q1, Q2), start=1):
        first = f"{phrase('zh', 'first')}{entry.question}"
        lines.append(line(entry, chat, turn=len(turns), main=main, say=first))
        turns.append(turn(entry, len(turns), chat, coverage=[0.0] * 4))
        for _ in range(redirects):
            say = f"{phrase('zh', 'redirect')}{entry.question}"
            lines.append(line(entry, chat, turn=len(turns), main=main, kind="follow_up", say=say))
            turns.append(turn(entry, len(turns), chat, kind="follow_up", coverage=[0.0] * 4))
    report = [graded(t, 0.0, flags=["off_topic"]) for t in turns]
    return {
        "lines": lines,
        "turns": turns,
        "chat": chat_of(lines),
        "report": {"turns": report, "summary": {"complete": True}},
        "done": True,
    }


def test_redirect_once_puts_an_off_topic_answer_back_once_then_moves_on() -> None:
    off = ctx(persona="off_topic", on_topic=False)
    assert cl.redirect_once(_off_topic(1), off)["passed"] is True
    twice = cl.redirect_once(_off_topic(2), off)
    assert twice["passed"] is False and twice["detail"]["twice"] == sorted([Q1.id, Q2.id])
    never = cl.redirect_once(_off_topic(0), off)
    assert never["passed"] is False and never["detail"]["off_topic_not_put_back"]
    # an on-topic answer is never put back, whatever the grade says
    on = cl.redirect_once(_off_topic(1), ctx(persona="strong", on_topic=True))
    assert on["passed"] is False and on["detail"]["on_topic_put_back"]
    # a hint offered on 不知道: practice mode only
    run = _off_topic(1)
    for x in run["lines"]:
        x["answer"] = "不知道"
        if x["kind"] == "follow_up":
            x["say"] = x["say"].replace(phrase("zh", "redirect"), phrase("zh", "dont_know_offer"))
    for t in run["report"]["turns"]:
        t["grade"]["flags"] = ["dont_know"]
    assert cl.redirect_once(run, ctx(persona="silent"))["passed"] is True
    assert cl.redirect_once(run, ctx(persona="silent", mode="real"))["passed"] is False


def test_follow_ups_must_target_points_the_answer_missed() -> None:
    run = clean()
    run["turns"][1]["targets"] = [0]  # point 0 was covered (0.6)
    detail = cl.follow_ups_target_missing(run, ctx())
    assert detail["passed"] is False and detail["detail"]["off_target"][0]["targets"] == [0]


def _cv(*says: str) -> dict[str, Any]:
    run = clean()
    for n, say in enumerate(says):
        run["lines"].append({**line(Q2, "项目回答", turn=3 + n, main=3 + n, say=say),
                             "question_id": f"cv-{n}"})  # fmt: skip
    return run


PROJECTS = ["企业知识库问答助手「QiaoDoc」", "客服对话模型「SmartReply」LoRA 微调"]


def test_project_questions_name_the_cvs_projects_cleanly() -> None:
    cv = ctx(persona="cv", questions=4, projects=PROJECTS)
    good = _cv(
        "好，下一个问题：关于「QiaoDoc」，你的简历写到“检索层用 BM25 和 bge-m3 做 RRF 融合”："
        "为什么这样设计？",
        "嗯，我们继续：你在「SmartReply」里基于 Qwen2-7B 用 LoRA 做指令微调，为什么这样设计？",
    )
    assert cl.project_names(good, cv)["passed"] is True
    once = _cv("关于「QiaoDoc」，为什么这样设计？", "介绍一下「QiaoDoc」：要解决什么问题？")
    assert cl.project_names(once, cv)["passed"] is False  # one project twice, the other never
    for bad in (
        "介绍一下「{name}」：要解决什么问题？",  # a slot left unfilled
        "介绍一下「QiaoDoc」（2024.03 – 2025.06）：要解决什么问题？",  # the CV's dates
        "介绍一下「### 企业知识库问答助手」：要解决什么问题？",  # Markdown
        "介绍一下「QiaoDocs」：要解决什么问题？",  # not the CV's name
    ):
        run = _cv(bad, "你在「SmartReply」里用 LoRA 做指令微调，为什么这样设计？")
        assert cl.project_names(run, cv)["passed"] is False, bad
    assert cl.project_names(good, ctx())["passed"] is False  # project questions without a CV


def test_practice_feedback_before_the_next_main_question_and_never_after_the_closing() -> None:
    run = clean()
    assert cl.feedback_order(run, ctx())["passed"] is True
    late = clean()  # the first question's feedback only after the second was asked
    fb = [m for m in late["chat"] if m["role"] == "feedback"]
    late["chat"] = [m for m in late["chat"] if m["role"] != "feedback"]
    late["chat"][-1:-1] = fb
    detail = cl.feedback_order(late, ctx())["detail"]
    assert detail["late"] == [0, 1]
    after = clean()  # the last answer's feedback after the closing line
    last = after["chat"].pop(-2)
    after["chat"].append(last)
    assert cl.feedback_order(after, ctx())["detail"]["late"] == [2]
    wrong = clean()  # the feedback shown is not the report's grade
    wrong["report"]["turns"][2]["grade"]["score"] = 7.5
    assert cl.feedback_order(wrong, ctx())["detail"]["score_differs"] == [2]
    unseen = clean()
    unseen["chat"] = [m for m in unseen["chat"] if "第 3 轮" not in m["content"]]
    assert cl.feedback_order(unseen, ctx())["detail"]["never_shown"] == [2]


def test_real_mode_shows_no_feedback_and_no_score_before_the_report() -> None:
    run = clean()
    assert cl.feedback_order(run, ctx(mode="real"))["passed"] is False  # feedback shown
    run["chat"] = chat_of(run["lines"])
    assert cl.feedback_order(run, ctx(mode="real"))["passed"] is True
    run["chat"].insert(3, {"role": "interviewer", "content": "这题得分 3.5/10"})
    assert cl.feedback_order(run, ctx(mode="real"))["passed"] is False


def test_commands_honoured_and_report_complete() -> None:
    run = clean()
    run["lines"].insert(0, {**run["lines"][0], "answer": "给个提示"})
    hinted = ctx(commands=[{"command": "hint", "turn": 0}])
    detail = cl.commands_honoured(run, hinted)
    assert detail["passed"] is False and detail["detail"]["fail"][0]["error"] == "no hint recorded"
    run["turns"][0]["hints"] = ["提示：想想上下文"]
    assert cl.commands_honoured(run, hinted)["passed"] is True
    run = clean()
    run["report"]["turns"][1]["grade"] = {"status": "pending", "score": None}
    assert cl.report_complete(run, ctx())["detail"]["ungraded"] == [1]
