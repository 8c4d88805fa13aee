"""The bank's English text (issue 32): the shape check of a translation, and an
entry shown in English with the Chinese entry's ids, weights and targets."""

from __future__ import annotations

from typing import Any

import pytest

from agent.bank import load_bank
from agent.bank.models import Entry
from question_bank.build.english import apply_english, number_warnings, text_fields


def _entry_with_follow_up() -> Entry:
    return next(e for e in load_bank().entries if e.follow_ups and e.follow_ups[0].rubric)


def _english(zh: dict[str, Any]) -> dict[str, Any]:
    """A stand-in translation: every string replaced by English of the same shape."""

    def walk(value: Any, where: str) -> Any:
        if isinstance(value, str):
            return f"English text of {where}"
        if isinstance(value, list):
            return [walk(v, f"{where} {i}") for i, v in enumerate(value)]
        return {k: walk(v, f"{where} {k}") for k, v in value.items()}

    out: dict[str, Any] = walk(zh, "entry")
    return out


def test_an_entry_reads_in_english_with_its_own_ids_and_weights() -> None:
    entry = _entry_with_follow_up()
    raw = entry.model_dump(exclude_none=True)
    en = _english(text_fields(raw))
    built = Entry.model_validate(apply_english(raw, en))
    shown = built.in_language("en")
    assert shown.question == en["question"] and shown.id == entry.id
    assert [p.point for p in shown.rubric] == [p["point"] for p in en["rubric"]]
    assert [p.weight for p in shown.rubric] == [p.weight for p in entry.rubric]
    fu = shown.follow_up_entry(0)
    assert fu.id == f"{entry.id}.fu0"
    assert fu.question == en["follow_ups"][0]["question"]
    assert [p.point for p in fu.rubric] == [p["point"] for p in en["follow_ups"][0]["rubric"]]
    assert shown.follow_ups[0].targets == entry.follow_ups[0].targets
    assert built.in_language("zh") == built  # a Chinese interview keeps the Chinese


def test_an_entry_without_english_stays_chinese_in_an_english_interview() -> None:
    entry = _entry_with_follow_up().model_copy(update={"en": None})
    assert entry.in_language("en") is entry


@pytest.mark.parametrize(
    "damage",
    [
        lambda en: en["rubric"].pop(),  # a point dropped
        lambda en: en["follow_ups"].append(en["follow_ups"][0]),  # a follow-up added
        lambda en: en.update(question="请解释"),  # Chinese left in
        lambda en: en.update(question=""),  # empty
    ],
)
def test_a_translation_that_does_not_mirror_the_chinese_is_refused(damage: Any) -> None:
    raw = _entry_with_follow_up().model_dump(exclude_none=True)
    en = _english(text_fields(raw))
    damage(en)
    with pytest.raises(ValueError):
        apply_english(raw, en)


def test_a_number_lost_in_translation_is_flagged() -> None:
    zh = {"question": "显存约 16Φ 字节，占 2 倍"}
    assert number_warnings(zh, {"question": "Memory is about 16Φ bytes, twice as much"})
    assert not number_warnings(zh, {"question": "About 16Φ bytes, 2 times as much"})


def test_every_bank_entry_has_english_that_mirrors_its_chinese() -> None:
    from agent.bank.english_checks import english_problems

    bank = load_bank()
    assert {e.id: english_problems(e) for e in bank.entries if english_problems(e)} == {}
    entry = bank.entries[0]
    assert english_problems(entry.model_copy(update={"en": None}))  # validate says so
    assert entry.en is not None
    fewer = entry.en.model_copy(update={"rubric": entry.en.rubric[:-1]})
    assert english_problems(entry.model_copy(update={"en": fewer}))
    chinese = entry.en.model_copy(update={"question": "什么是词向量？"})
    assert english_problems(entry.model_copy(update={"en": chinese}))
