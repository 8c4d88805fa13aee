"""What is asked next on the same question, after an answer (``Nodes.assess`` decides
whether to stay, ``Nodes.follow_up`` asks):

- the main question put again, once (``redirect_reason``, ``redirected``), as a real
  interviewer would after an off-topic answer or, in practice mode, 不知道 (a hint is
  offered): a follow-up graded on every key point, with an angle to start from;
- else a follow-up on the points still missing (``next_follow_up``): the bank's own
  when one aims only at them (``aimed_follow_up``), else a probe of the first.
"""

from __future__ import annotations

from agent.bank import Entry, FollowUp, RubricPoint
from agent.grading.models import Grade
from agent.interview import phrases as say
from agent.interview.state import Current, InterviewConfig, InterviewState, config_of, turns_of
from agent.interview.targets import RubricFn
from agent.llm.protocol import LLM

#: ``asked_ids`` tag of a main question put again (``<id>#redirect``): once per question.
REDIRECTED = "#redirect"


def redirect_reason(
    cfg: InterviewConfig, state: InterviewState, current: Current, decided: Grade | None
) -> str | None:
    """Why a main question is put again once, as a real interviewer would: an
    off-topic answer (any mode but review), or 不知道 (practice mode: a hint is
    offered). A second such answer moves on."""
    if current.kind != "main" or decided is None or cfg.mode == "review":
        return None
    if f"{current.question_id}{REDIRECTED}" in state.get("asked_ids", []):
        return None
    if "off_topic" in decided.flags:
        return "off_topic"
    if "dont_know" in decided.flags and cfg.mode == "practice":
        return "dont_know"
    return None


def redirected(
    state: InterviewState, current: Current, points: list[RubricPoint]
) -> tuple[Current, str]:
    """The main question put again (see ``redirect_reason``), as a follow-up graded on
    every key point, with an angle to start from (a point's label); and its tag."""
    first = points[0].point if points else None
    dont_know = state.get("redirect") == "dont_know"
    line = say.redirect(config_of(state).lang, current.question, first, dont_know)
    again = Current(
        question_id=current.question_id,
        kind="follow_up",
        question=current.question,
        asked=line,
        parent_id=current.question_id,
        follow_ups_used=current.follow_ups_used,
        origin=current.origin,
        entry=current.entry,
        redirected=True,
    )
    return again, f"{current.question_id}{REDIRECTED}"


def next_follow_up(
    state: InterviewState, current: Current, entry: Entry, rubric: RubricFn, llm: LLM | None
) -> tuple[Current, str]:
    """The follow-up on the points still missing, and its tag: the bank's own aimed at
    them, else a probe of the first one (worded by ``llm`` when there is one)."""
    lang = config_of(state).lang
    missing: list[int] = list(state.get("missing") or [])
    asked_fu = {a for a in state.get("asked_ids", []) if a.startswith(entry.id + "#")}
    chosen = aimed_follow_up(entry, missing, asked_fu)
    if chosen is not None:
        n, fu = chosen
        question, targets, reference = fu.question, fu.targets or missing, fu.answer
        tag, bank_follow_up = f"{entry.id}#fu{n}", n
    else:
        points = rubric(entry)
        point = points[missing[0]].point if missing else points[0].point
        said = turns_of(state)[-1].answer if state.get("turns") else ""
        question = say.probe(llm, lang, entry.question, point, said)
        targets, reference, bank_follow_up = missing[:1], None, None
        tag = f"{entry.id}#probe{len(asked_fu)}"
    intro = say.follow_up_intro(lang, len(state.get("turns", [])))
    nxt = Current(
        question_id=entry.id,
        kind="follow_up",
        question=question,
        asked=f"{intro}{question}",
        parent_id=entry.id,
        follow_ups_used=current.follow_ups_used + 1,
        targets=targets,
        reference=reference,
        follow_up=bank_follow_up,
        origin=current.origin,
        entry=current.entry,
    )
    return nxt, tag


def aimed_follow_up(
    entry: Entry, missing: list[int], asked: set[str]
) -> tuple[int, FollowUp] | None:
    """The unasked bank follow-up whose targets are all among the ``missing`` points,
    the one covering most of them (first on ties); None when no bank follow-up aims
    only at missing points: the caller then probes a missing point itself rather than
    asking again about something the candidate already covered."""
    best: tuple[int, FollowUp] | None = None
    best_hits = 0
    for n, fu in enumerate(entry.follow_ups):
        if f"{entry.id}#fu{n}" in asked or not set(fu.targets) <= set(missing):
            continue
        if len(fu.targets) > best_hits:
            best, best_hits = (n, fu), len(fu.targets)
    return best
