"""What a turn is graded against, and the grade of a skipped turn.

A main question is graded against its bank entry. A bank follow-up (``Turn.follow_up``)
is graded on its own curated key points and reference answer (``Entry.follow_up_entry``),
never on its parent's. A probe the interviewer wrote for a missing point (and a
follow-up of a session saved before follow-ups had points) is graded against the
parent's rubric points it aims at (``Turn.targets``) and its own reference answer
when there is one (``Turn.reference``).
"""

from __future__ import annotations

from collections.abc import Callable

from agent.bank import Bank, Entry, RubricPoint
from agent.grading.models import Grade
from agent.interview.state import Turn

RubricFn = Callable[[Entry], list[RubricPoint]]


def turn_entry(bank: Bank, turn: Turn) -> Entry:
    """The entry of the turn's (main) question, in the interview's language: its own
    (``Turn.entry``), else the bank's."""
    entry = turn.entry if turn.entry is not None else bank.get(turn.question_id)
    return entry.in_language(turn.lang)


def entry_for_turn(bank: Bank, rubric: RubricFn, turn: Turn) -> Entry:
    """The entry ``turn`` is graded against (see module docstring)."""
    entry = turn_entry(bank, turn)
    if turn.kind != "follow_up":
        return entry
    n = turn.follow_up
    if n is not None and 0 <= n < len(entry.follow_ups) and entry.follow_ups[n].rubric:
        return entry.follow_up_entry(n)  # a bank follow-up: its own curated points
    points = rubric(entry)
    targets = [i for i in turn.targets if 0 <= i < len(points)]
    chosen = [points[i] for i in targets] or points
    return entry.model_copy(
        update={
            "question": turn.question,
            "rubric": chosen,
            "reference_answer": turn.reference or entry.reference_answer,
            "rubric_source": entry.rubric_source if entry.rubric else "derived",
        }
    )


def skipped_grade(bank: Bank, rubric: RubricFn, turn: Turn) -> Grade:
    """A skipped question scores 0 with every point missing: decided, not a model call."""
    entry = entry_for_turn(bank, rubric, turn)
    points = [p.point for p in entry.rubric or rubric(entry)]
    feedback = "跳过了这道题。" if turn.lang == "zh" else "Skipped."
    return Grade.skipped(turn.question_id, points, feedback)
