"""The interview graph with test doubles for the grader (fresh graph + InMemorySaver)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import Command

from agent.bank import Bank, Entry, FollowUp, RubricPoint, Source
from agent.grading.models import Grade
from agent.grading.queue import GradingQueue
from agent.interview.graph import compile_graph
from agent.interview.nodes import Deps
from agent.interview.state import Turn
from agent.interview.store import Store
from agent.interview.targets import entry_for_turn


def make_entry(
    i: int, topic: str, difficulty: int, follow_ups: list[FollowUp] | None = None
) -> Entry:
    return Entry(
        id=f"t-{i:03d}",
        question=f"问题{i}：请解释概念{i}。",
        topic=topic,
        roles=["algorithm", "general"],
        difficulty=difficulty,
        sources=[Source(seed="test.txt", locator=f"Q{i}")],
        rubric=[RubricPoint(point=f"要点{i}A"), RubricPoint(point=f"要点{i}B")],
        reference_answer=f"参考答案{i}：要点{i}A，要点{i}B。",
        follow_ups=follow_ups or [],
    )


TOPICS = ["Transformer架构", "位置编码", "RAG与检索", "Agent"]


@pytest.fixture
def bank() -> Bank:
    entries = []
    for i in range(24):
        fus = [FollowUp(question=f"追问{i}：那要点B呢？", answer=f"要点{i}B", targets=[1])]
        entries.append(make_entry(i, TOPICS[i % 4], 1 + i % 3, fus if i % 2 == 0 else None))
    return Bank(entries=entries)


def coverage(entry: Entry, answer: str) -> list[float]:
    return [1.0 if p.point in answer else 0.0 for p in entry.rubric]


def precheck(entry: Entry, answer: str, **_: Any) -> Grade | None:
    """The deterministic checks, as the grader's: 不知道 and an answer about something else."""
    flag = "dont_know" if answer == "不知道" else "off_topic" if "LoRA" in answer else None
    if flag is None:
        return None
    return Grade.precheck(entry.id, [p.point for p in entry.rubric], [flag], 0.0)


class Harness:
    def __init__(self, bank: Bank, tmp: Path) -> None:
        self.store = Store(tmp / "s.sqlite")
        self.graded: list[tuple[str, str]] = []

        def grade(entry: Entry, answer: str, **_: Any) -> Grade:
            self.graded.append((entry.id, answer))
            cov = coverage(entry, answer)
            return Grade.model_validate(
                {
                    "question_id": entry.id,
                    "score": 10 * sum(cov) / len(cov),
                    "points": [
                        {
                            "point": p.point,
                            "verdict": "covered" if c else "missing",
                            "confidence": 0.9,
                            "evidence": p.point if c else "",
                        }
                        for p, c in zip(entry.rubric, cov, strict=True)
                    ],
                    "feedback": "fb",
                    "flags": [],
                    "status": "graded",
                    "method": "sampled",
                }
            )

        rubric = lambda e: e.rubric  # noqa: E731
        self.queue = GradingQueue(
            grade, lambda t: entry_for_turn(bank, rubric, t), Turn.model_validate_json, self.store
        )
        self.deps = Deps(
            bank=bank,
            queue=self.queue,
            coverage=coverage,
            rubric=rubric,
            on_finish=lambda sid, rep: self.store.finish_session(sid, rep),
            on_session=self.store.create_session,
            precheck=precheck,
        )
        self.graph = compile_graph(self.deps, InMemorySaver())
        self.cfg = {"configurable": {"thread_id": "s1"}}

    def start(self, **config: Any) -> dict[str, Any]:
        return self.graph.invoke({"config": {"seed": 1, **config}}, self.cfg)

    def answer(self, text: str) -> dict[str, Any]:
        return self.graph.invoke(Command(resume=text), self.cfg)

    @staticmethod
    def asked(result: dict[str, Any]) -> dict[str, Any] | None:
        interrupts = result.get("__interrupt__") or []
        return interrupts[0].value if interrupts else None


def test_full_interview_with_follow_up_and_report(bank: Bank, tmp_path: Path) -> None:
    h = Harness(bank, tmp_path)
    out = h.start(role="algorithm", level="mid", questions=2, max_follow_ups=1)
    first = h.asked(out)
    assert first is not None and first["kind"] == "main"
    qid = first["question_id"]
    n = int(qid.split("-")[1])
    out = h.answer(f"要点{n}A")  # B missing -> a follow-up
    fu = h.asked(out)
    assert fu is not None and fu["kind"] == "follow_up" and fu["question_id"] == qid
    assert f"要点{n}B" not in fu["say"]  # never gives the point away
    out = h.answer(f"要点{n}B")
    second = h.asked(out)
    assert second is not None and second["kind"] == "main" and second["question_id"] != qid
    m = int(second["question_id"].split("-")[1])
    out = h.answer(f"要点{m}A 和 要点{m}B")  # complete: no follow-up, and it was the last
    assert h.asked(out) is None and out["done"]
    report = out["report"]
    assert [t["kind"] for t in report["turns"]] == ["main", "follow_up", "main"]
    assert report["turns"][2]["grade"]["score"] == 10
    assert report["summary"]["complete"] and report["summary"]["overall_score"] is not None
    record = h.store.session("s1")
    assert record is not None and record.status == "finished"


def test_commands_hint_repeat_skip_end(bank: Bank, tmp_path: Path) -> None:
    h = Harness(bank, tmp_path)
    q = h.asked(h.start(questions=3, max_follow_ups=0))
    assert q is not None
    hinted = h.asked(h.answer("提示"))
    assert hinted is not None and hinted["question_id"] == q["question_id"]
    assert hinted["say"].startswith("提示：")
    repeated = h.asked(h.answer("请重复一下"))
    assert repeated is not None and repeated["question_id"] == q["question_id"]
    assert "再说一遍" in repeated["say"]
    empty = h.asked(h.answer("   "))
    assert empty is not None and empty["question_id"] == q["question_id"]
    nxt = h.asked(h.answer("跳过"))
    assert nxt is not None and nxt["question_id"] != q["question_id"]
    out = h.answer("结束")
    assert out["done"]
    turns = out["report"]["turns"]
    assert len(turns) == 1 and turns[0]["skipped"] and turns[0]["grade"]["score"] == 0
    assert len(h.graded) == 0  # a skip is not a model call


def test_no_repeats_and_level_band(bank: Bank, tmp_path: Path) -> None:
    h = Harness(bank, tmp_path)
    out = h.start(level="junior", questions=6, max_follow_ups=0)
    seen = []
    while (q := h.asked(out)) is not None:
        seen.append(q["question_id"])
        out = h.answer("不太清楚")
    assert len(seen) == len(set(seen)) == 6
    assert all(bank.get(i).difficulty <= 2 for i in seen)  # band 1 (+1 adaptive step)


def test_state_survives_a_new_graph_on_the_same_store(bank: Bank, tmp_path: Path) -> None:
    """Resume: a second process (new graph, same SQLite checkpointer) continues."""
    h1 = Harness(bank, tmp_path)
    graph1 = compile_graph(h1.deps, h1.store.checkpointer)
    q = graph1.invoke({"config": {"seed": 2, "questions": 2, "max_follow_ups": 0}}, h1.cfg)
    first = q["__interrupt__"][0].value
    graph1.invoke(Command(resume="我的回答一"), h1.cfg)
    h1.store.close()

    h2 = Harness(bank, tmp_path)
    graph2 = compile_graph(h2.deps, h2.store.checkpointer)
    snapshot = graph2.get_state(h2.cfg)
    assert snapshot.next == ("ask",)
    assert [t["answer"] for t in snapshot.values["turns"]] == ["我的回答一"]
    assert snapshot.values["turns"][0]["question_id"] == first["question_id"]
    out = graph2.invoke(Command(resume="我的回答二"), h2.cfg)
    assert out["done"] and len(out["report"]["turns"]) == 2
    assert out["report"]["summary"]["complete"]


def test_follow_up_aims_at_the_missing_point_not_the_first_bank_follow_up(
    tmp_path: Path,
) -> None:
    # every entry's only bank follow-up probes point B; the candidate covers B, misses A
    fus = lambda i: [FollowUp(question=f"追问{i}：那要点B呢？", targets=[1])]  # noqa: E731
    bank = Bank(entries=[make_entry(i, TOPICS[i % 4], 2, fus(i)) for i in range(8)])
    h = Harness(bank, tmp_path)
    q = h.asked(h.start(questions=1, max_follow_ups=1))
    assert q is not None
    n = int(q["question_id"].split("-")[1])
    fu = h.asked(h.answer(f"要点{n}B"))
    assert fu is not None and fu["kind"] == "follow_up"
    assert "那要点B呢" not in fu["say"]  # the bank follow-up aims at a covered point
    assert f"要点{n}A" not in fu["say"]  # the probe does not give the point away
    turn = h.graph.get_state(h.cfg).values["current"]
    assert turn["targets"] == [0]


def _follow_up_after_covering_a(tmp_path: Path, fus: list[FollowUp]) -> tuple[Harness, Any]:
    """An interview on three-point questions (A, B, C) with the given bank follow-ups;
    the candidate states only A. Returns the harness and what is asked next."""

    def entry(i: int) -> Entry:
        e = make_entry(i, TOPICS[i % 4], 2)
        rubric = [RubricPoint(point=f"要点{i}{c}") for c in "ABC"]
        return e.model_copy(update={"rubric": rubric, "follow_ups": fus})

    h = Harness(Bank(entries=[entry(i) for i in range(8)]), tmp_path)
    q = h.asked(h.start(questions=1, max_follow_ups=1))
    assert q is not None
    n = int(q["question_id"].split("-")[1])
    return h, h.asked(h.answer(f"要点{n}A"))  # B and C missing


def test_follow_up_prefers_the_bank_question_aimed_at_most_missing_points(
    tmp_path: Path,
) -> None:
    fus = [FollowUp(question="追问一", targets=[1]), FollowUp(question="追问二", targets=[1, 2])]
    _, fu = _follow_up_after_covering_a(tmp_path, fus)
    assert fu is not None and "追问二" in fu["say"]


def test_follow_up_never_reasks_a_covered_point_with_a_bank_question(tmp_path: Path) -> None:
    h, fu = _follow_up_after_covering_a(tmp_path, [FollowUp(question="追问一", targets=[0, 2])])
    assert fu is not None and fu["kind"] == "follow_up"
    assert "追问一" not in fu["say"]  # it would ask again about A, which was covered
    turn = h.graph.get_state(h.cfg).values["current"]
    assert turn["targets"] == [1]


def test_an_off_topic_answer_is_redirected_once_then_the_interview_moves_on(
    bank: Bank, tmp_path: Path
) -> None:
    h = Harness(bank, tmp_path)
    q = h.asked(h.start(questions=2, max_follow_ups=1, mode="real"))
    assert q is not None
    again = h.asked(h.answer("我讲讲 LoRA 的低秩分解"))
    assert again is not None and again["kind"] == "follow_up"
    assert again["question_id"] == q["question_id"]  # the same question, put again
    assert again["say"].startswith("这个回答好像没有回答题目") and "可以先" in again["say"]
    nxt = h.asked(h.answer("还是说 LoRA 吧"))  # off-topic again: move on
    assert nxt is not None and nxt["kind"] == "main" and nxt["question_id"] != q["question_id"]
    state = h.graph.get_state(h.cfg).values
    assert [t["kind"] for t in state["turns"]] == ["main", "follow_up"]  # in the transcript


def test_dont_know_gets_one_hint_offer_in_practice_and_none_in_real_mode(
    bank: Bank, tmp_path: Path
) -> None:
    h = Harness(bank, tmp_path)
    q = h.asked(h.start(questions=2, max_follow_ups=1, mode="practice"))
    assert q is not None
    offer = h.asked(h.answer("不知道"))
    assert offer is not None and offer["question_id"] == q["question_id"] and "提示" in offer["say"]
    again = h.asked(h.answer("不知道"))
    assert again is not None and again["kind"] == "main"  # the offer once only
    real = Harness(bank, tmp_path / "real")
    first = real.asked(real.start(questions=2, max_follow_ups=1, mode="real"))
    nxt = real.asked(real.answer("不知道"))
    assert first is not None and nxt is not None
    assert nxt["kind"] == "main" and nxt["question_id"] != first["question_id"]
