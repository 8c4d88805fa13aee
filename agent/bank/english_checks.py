"""The bank's English text (issue 32) checked against its Chinese: every entry has
both languages, with the same key points, misconceptions and follow-ups in the same
order, and no Chinese left in the English. Used by ``mianshi bank validate`` and by
the build's check of one translation file (``question_bank/build/english.py``)."""

from __future__ import annotations

import re

from agent.bank import models as schema

#: Han characters, CJK punctuation and full-width forms: none belongs in English text.
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")


def _count_problems(
    what: str, zh: list[schema.RubricPoint], en: list[schema.PointText]
) -> list[str]:
    if len(zh) != len(en):
        return [f"{what}: {len(zh)} key points in Chinese, {len(en)} in English"]
    return [
        f"{what} point {i}: {len(z.misconceptions)} misconceptions in Chinese, "
        f"{len(e.misconceptions)} in English"
        for i, (z, e) in enumerate(zip(zh, en, strict=True))
        if len(z.misconceptions) != len(e.misconceptions)
    ]


def _texts(en: schema.EntryText) -> list[tuple[str, str]]:
    out = [("question", en.question), ("reference answer", en.reference_answer or "")]
    out += [(f"point {i}", p.point) for i, p in enumerate(en.rubric)]
    out += [(f"point {i} misconception", m) for i, p in enumerate(en.rubric)
            for m in p.misconceptions]  # fmt: skip
    for j, f in enumerate(en.follow_ups):
        out += [(f"follow-up {j}", f.question), (f"follow-up {j} answer", f.answer or "")]
        out += [(f"follow-up {j} point {i}", p.point) for i, p in enumerate(f.rubric)]
    return out


def english_problems(entry: schema.Entry) -> list[str]:
    """Why the entry's English is missing or does not mirror its Chinese (readable lines)."""
    en = entry.en
    if en is None:
        return ["no English text (question_bank/curated/english/)"]
    problems = _count_problems("English", entry.rubric, en.rubric)
    if bool(entry.reference_answer) != bool(en.reference_answer):
        problems.append("the reference answer is in one language only")
    if len(entry.follow_ups) != len(en.follow_ups):
        problems.append(
            f"{len(entry.follow_ups)} follow-ups in Chinese, {len(en.follow_ups)} in English"
        )
    else:
        for j, (z, e) in enumerate(zip(entry.follow_ups, en.follow_ups, strict=True)):
            problems += _count_problems(f"follow-up {j}", z.rubric, e.rubric)
    problems += [f"English {where} has Chinese characters" for where, text in _texts(en)
                 if CJK.search(text)]  # fmt: skip
    return problems
