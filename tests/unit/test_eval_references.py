"""Which bank entries `mianshi eval references` grades (no model needed)."""

from __future__ import annotations

from agent.bank import load_bank
from evals.eval_references import SECURITY, pick, report


def test_the_draw_is_fixed_and_every_security_entry_is_in_it() -> None:
    bank = load_bank()
    first, again = pick(bank, 60, seed=12), pick(bank, 60, seed=12)
    assert [e.id for e in first] == [e.id for e in again]
    assert len({e.id for e in first}) == len(first)  # nobody twice
    assert all(e.reference_answer for e in first)
    security = {
        e.id
        for e in bank.entries
        if e.reference_answer and SECURITY.search(f"{e.question}\n{e.reference_answer}")
    }
    assert security and security <= {e.id for e in first}
    assert len(first) >= 60 and len(first) - len(security) <= 60
    assert [e.id for e in pick(bank, 60, seed=13)] != [e.id for e in first]


def test_the_report_names_each_answer_below_8() -> None:
    lines: list[str] = []
    summary = {"random": 1, "seed": 12, "security": 1, "at_least_8": 1, "entries": 2,
               "min": 5.5, "p10": 5.9, "p50": 7.8, "flagged": 1}  # fmt: skip
    failure = {"question_id": "004-q065", "score": 5.5, "method": "logprobs",
               "flags": ["injection"], "security": True}  # fmt: skip
    report({"summary": summary, "failures": [failure]}, lines.append)
    assert "1/2 score ≥ 8" in lines[0]
    assert "004-q065 5.5" in lines[1] and "injection" in lines[1] and "(security)" in lines[1]
