from __future__ import annotations

import random

import pytest

from agent.bank import Bank, Entry, RubricPoint, Source
from agent.interview.selection import choose_next, next_difficulty


def entry(i: int, topic: str, difficulty: int, roles: list[str]) -> Entry:
    return Entry(
        id=f"e-{i:03d}",
        question=f"问题{i}",
        topic=topic,
        roles=roles,
        difficulty=difficulty,
        sources=[Source(seed="t", locator=f"Q{i}")],
        rubric=[RubricPoint(point="p")],
    )


BANK = Bank(
    entries=[
        entry(1, "RAG与检索", 2, ["engineering"]),
        entry(2, "RAG与检索", 2, ["engineering"]),
        entry(3, "Agent", 2, ["engineering"]),
        entry(4, "多模态", 2, ["multimodal"]),
        entry(5, "Agent", 3, ["general"]),
        entry(6, "位置编码", 1, ["algorithm"]),
    ]
)


def test_adaptive_step_up_down_and_clamp() -> None:
    assert next_difficulty(2, 2, 0.9) == 3
    assert next_difficulty(2, 2, 0.1) == 1
    assert next_difficulty(2, 2, 0.4) == 2
    assert next_difficulty(2, 1, 0.9) == 2  # junior band 1: at most one step above
    assert next_difficulty(2, 1, 1.0) == 2
    assert next_difficulty(1, 1, 0.0) == 1


def test_role_filter_and_general_entries() -> None:
    picked = choose_next(BANK, role="multimodal", difficulty=2, band=2)
    assert picked is not None and picked.id == "e-004"
    # no multimodal left at 2: nearest level in band (3, a general entry)
    picked = choose_next(BANK, role="multimodal", difficulty=2, band=2, asked_ids=["e-004"])
    assert picked is not None and picked.id == "e-005"


def test_never_repeats_and_spreads_topics() -> None:
    picked = choose_next(
        BANK,
        role="engineering",
        difficulty=2,
        band=2,
        asked_ids=["e-001"],
        asked_topics=["RAG与检索"],
    )
    assert picked is not None and picked.id == "e-003"  # a new topic beats the same one


def test_recent_sessions_avoided_and_weak_topics_preferred() -> None:
    rng = random.Random(0)
    picked = choose_next(
        BANK,
        role="engineering",
        difficulty=2,
        band=2,
        recent_ids=["e-003"],
        weak_topics=["RAG与检索"],
        rng=rng,
    )
    assert picked is not None and picked.topic == "RAG与检索"
    picked = choose_next(
        BANK, role="engineering", difficulty=2, band=2, recent_ids=["e-001", "e-002"], rng=rng
    )
    assert picked is not None and picked.id == "e-003"


def test_topic_filter_and_exhaustion() -> None:
    picked = choose_next(BANK, role="algorithm", difficulty=1, band=1, topics=["位置编码"])
    assert picked is not None and picked.id == "e-006"
    assert (
        choose_next(
            BANK, role="algorithm", difficulty=1, band=1, topics=["位置编码"], asked_ids=["e-006"]
        )
        is None
    )


def test_focus_aims_most_main_questions_at_the_cv_topics() -> None:
    """With the real bank: a CV about RAG and LoRA (weights as agent/profile gives them)
    makes most of five main questions RAG or PEFT ones, and spreading still happens."""
    import random

    from agent.bank import load_bank
    from agent.interview.selection import choose_next

    bank = load_bank()
    focus = {"RAG与检索": 1.0, "微调与PEFT": 0.55, "Transformer架构": 0.18}
    asked: list[str] = []
    topics: list[str] = []
    rng = random.Random(7)
    for _ in range(5):
        entry = choose_next(
            bank, role="algorithm", difficulty=2, band=2, asked_ids=asked,
            asked_topics=topics, focus=focus, rng=rng,
        )  # fmt: skip
        assert entry is not None
        asked.append(entry.id)
        topics.append(entry.topic)
    assert sum(t in ("RAG与检索", "微调与PEFT") for t in topics) >= 4, topics
    assert {"RAG与检索", "微调与PEFT"} <= set(topics)


def test_a_company_flavoured_set_asks_that_companys_questions_first() -> None:
    from agent.bank import load_bank
    from agent.errors import UserError
    from agent.profile.company import canonical, company_ids, company_topics

    bank = load_bank()
    assert canonical(bank, "ByteDance") == "字节" and canonical(bank, "openai") == "OpenAI"
    with pytest.raises(UserError, match="known: 字节"):
        canonical(bank, "Initech")
    tagged = company_ids(bank, "字节")
    asked: list[str] = []
    rng = random.Random(5)
    for _ in range(4):
        entry = choose_next(bank, role="algorithm", difficulty=2, band=2, asked_ids=asked,
                            company_ids=tagged, focus=company_topics(bank, "字节"),
                            rng=rng)  # fmt: skip
        assert entry is not None
        asked.append(entry.id)
    assert sum(a in tagged for a in asked) >= 3, asked  # within the band: most are tagged
    plain: list[str] = []
    for _ in range(4):
        entry = choose_next(bank, role="algorithm", difficulty=2, band=2, asked_ids=plain, rng=rng)
        assert entry is not None
        plain.append(entry.id)
    assert sum(a in tagged for a in plain) <= 1
