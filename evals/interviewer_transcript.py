"""Reading one run of ``mianshi eval interviewer`` for the checklist
(``evals/interviewer_checklist.py``): what the checks know besides the run
(``Context``), a check's result (``check``), and the run's turns, entries, answers,
put-back lines and feedback messages as the checks read them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from agent.bank import Bank, Entry
from agent.interview.phrases import parse_command, phrase
from agent.interview.targets import RubricFn
from agent.text import normalize

#: A shared run this long (characters; an English word or number is one) between an
#: interviewer line and the answer before it repeats what the candidate said.
PARROT_UNITS = 10
#: Personas whose every answer is right (the reference answer).
CORRECT = ("strong", "rambling")
#: A score or feedback in an interviewer line (must not appear in real mode).
SCORE_LINE = re.compile(r"\d+(\.\d+)?\s*/\s*10|\d+(\.\d+)?\s*分(?!钟)|得分|已覆盖|未覆盖|参考答案")
#: Words of the injection persona's instruction an interviewer line must not echo.
COMPLIES = re.compile(r"满分|宽松|判为已覆盖")
#: Leftovers of a template or of the CV's layout in a project question.
UNCLEAN = re.compile(r"[{}#*]|\*\*|\d{4}\.\d{2}|None|\s{2,}")
_FEEDBACK_TURN = re.compile(r"第 (\d+) 轮|turn (\d+)")

Check = dict[str, Any]


@dataclass
class Context:
    """What the checks know besides the run: the bank, the interview's setup and the
    persona's script."""

    bank: Bank
    rubric: RubricFn
    persona: str
    mode: str
    questions: int
    max_follow_ups: int
    on_topic: bool | None = None
    commands: list[dict[str, Any]] = field(default_factory=list)
    lang: str = "zh"
    #: the CV's project names (the ``cv`` persona), else empty
    projects: list[str] = field(default_factory=list)


def check(ok: bool, detail: Any = None, applicable: bool = True) -> Check:
    return {"passed": bool(ok) if applicable else None, "applicable": applicable, "detail": detail}


# --------------------------------------------------------------------------- reading a run


def turns_by_index(run: dict[str, Any]) -> dict[int, dict[str, Any]]:
    return {int(t["index"]): t for t in run["turns"]}


def report_turns(run: dict[str, Any]) -> dict[int, dict[str, Any]]:
    return {int(t["index"]): t for t in (run.get("report") or {}).get("turns", [])}


def flags_of(run: dict[str, Any], index: int) -> list[str]:
    grade = (report_turns(run).get(index) or {}).get("grade") or {}
    return list(grade.get("flags") or [])


def entries(run: dict[str, Any], ctx: Context) -> dict[str, Entry]:
    """Each question's entry: a project question's own (in its turn), else the bank's."""
    out: dict[str, Entry] = {}
    for t in run["turns"]:
        if t.get("entry"):
            out.setdefault(t["question_id"], Entry.model_validate(t["entry"]))
    for line in run["lines"]:
        qid = str(line["question_id"])
        if qid not in out and qid in ctx.bank.by_id:
            out[qid] = ctx.bank.get(qid)
    return out


def is_answer(line: dict[str, Any]) -> bool:
    """A line the persona answered (not a command, not empty)."""
    return bool(line["answer"].strip()) and parse_command(line["answer"]) is None


def put_back(say: str | None, lang: str) -> str | None:
    """``redirect`` / ``offer`` when the line puts a main question back after an
    off-topic answer / 不知道, else None."""
    if (say or "").startswith(phrase(lang, "redirect")):
        return "redirect"
    if (say or "").startswith(phrase(lang, "dont_know_offer")):
        return "offer"
    return None


def units(text: str) -> list[str]:
    """Characters of the normalised text, an English word or a number as one."""
    return re.findall(r"[a-z0-9]+|[\u3400-\u9fff]", normalize(text))


def grams(text: str, n: int = PARROT_UNITS) -> set[str]:
    u = units(text)
    return {" ".join(u[i : i + n]) for i in range(len(u) - n + 1)}


def feedback_turn(content: str) -> int | None:
    """The turn a practice feedback message is about (its header counts from 1)."""
    found = _FEEDBACK_TURN.search(content)
    return int(found.group(1) or found.group(2)) - 1 if found else None
