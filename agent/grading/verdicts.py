"""The model's verdicts on all key points of one answer, in one call.

Why one call: on the embedded model (2 CPU cores) prompt processing runs at about
30 tokens/s, so the cost of a grade is the number of prompt tokens. One verdict call
per point repeated the instructions and paid llama-cpp-python's logprob overhead
per point (≈ 6 s per point); one call reads the answer once and generates one short
line per point (``evals/bench_grade.py`` prints the figures).

The prompt (``prompts/grade_points.md``) puts the question, the reference answer and
the numbered key points *before* the answer, so the part that does not depend on the
answer is a prefix: ``warm`` evaluates it while the candidate is still answering, and
llama.cpp's prefix cache reuses it when the answer arrives.

The reply is one line per point, 是 or 否 (enforced by a GBNF grammar on llama.cpp
servers; two generated tokens per point, since llama-cpp-python spends ≈ 0.3 s of
Python per generated token when logprobs are asked for). P(是) for point *i* is
P(是)/(P(是)+P(否)) from the top logprobs at that point's verdict token, read from a
streamed reply (llama-cpp-python computes non-streamed logprobs over every prompt
row: seconds more). Endpoints without logprobs give the sampled verdict (0/1,
``method="sampled"``); endpoints without grammars are parsed from the text.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from agent.bank import Entry, RubricPoint
from agent.llm.errors import BadOutput
from agent.llm.protocol import LLM
from agent.prompts import render

#: Characters of the reference answer shown to the model (in the cached prefix).
MAX_REFERENCE_CHARS = 400
#: Shown when the bank has no reference answer.
NO_REFERENCE = "（无）"
_SENTINEL = "\u0000ANSWER\u0000"
_VERDICT = re.compile(r"(?:^|\n)\s*(?:\d+\s*[:：.、]\s*)?(是|否|yes|no)", re.IGNORECASE)


@dataclass(frozen=True)
class PointVerdicts:
    p_yes: list[float]
    method: str  # "logprobs" | "sampled"


def _points_text(rubric: list[RubricPoint]) -> str:
    return "\n".join(f"{i}. {p.point}" for i, p in enumerate(rubric, start=1))


def messages(entry: Entry, rubric: list[RubricPoint], answer: str) -> list[dict[str, str]]:
    """System + user messages for one answer; the user text up to the answer is the
    same for every answer to this question (see ``prefix_messages``)."""
    user = render(
        "grade_points",
        question=entry.question,
        reference=(entry.reference_answer or NO_REFERENCE)[:MAX_REFERENCE_CHARS],
        points=_points_text(rubric),
        n=len(rubric),
        answer=answer,
    )
    return [
        {"role": "system", "content": render("grade_points.system")},
        {"role": "user", "content": user},
    ]


def prefix_messages(entry: Entry, rubric: list[RubricPoint]) -> list[dict[str, str]]:
    """The answer-independent prefix as a request of its own (to warm the cache)."""
    full = messages(entry, rubric, _SENTINEL)
    full[1]["content"] = full[1]["content"].split(_SENTINEL)[0]
    return full


def grammar(n: int) -> str:
    """GBNF for exactly ``n`` lines, each 是 or 否."""
    return "root ::= " + " ".join(['v "\\n"'] * n) + '\nv ::= "是" | "否"\n'


def _p_from_top(top: list[Any], token: str) -> float:
    yes = sum(math.exp(a.logprob) for a in top if a.token.strip() in ("是", "yes", "Yes"))
    no = sum(math.exp(a.logprob) for a in top if a.token.strip() in ("否", "no", "No"))
    if yes + no > 0:
        return yes / (yes + no)
    return 1.0 if token.strip() in ("是", "yes", "Yes") else 0.0


def _parse_text(text: str, n: int) -> list[float]:
    found = [1.0 if m.group(1).lower() in ("是", "yes") else 0.0 for m in _VERDICT.finditer(text)]
    if len(found) != n:
        raise BadOutput(f"expected {n} verdict lines (是/否), got {text[:80]!r}")
    return found


def ask(llm: LLM, entry: Entry, rubric: list[RubricPoint], answer: str) -> PointVerdicts:
    """All point verdicts for ``answer`` (already screened and truncated)."""
    n = len(rubric)
    caps = llm.capabilities()
    kwargs: dict[str, Any] = {"max_tokens": 2 * n + 2, "temperature": 0.0}
    if caps.logprobs:
        kwargs.update(logprobs=True, top_logprobs=5)
    if caps.grammar:
        kwargs["extra_body"] = {"grammar": grammar(n)}
    text, tokens = llm.stream_tokens(messages(entry, rubric, answer), **kwargs)
    ps = [
        _p_from_top(list(t.top_logprobs or []), t.token)
        for t in tokens
        if t.token.strip() in ("是", "否", "yes", "no", "Yes", "No")
    ]
    if caps.logprobs and len(ps) == n:
        return PointVerdicts(p_yes=ps, method="logprobs")
    return PointVerdicts(p_yes=_parse_text(text, n), method="sampled")


def warm(llm: LLM, entry: Entry, rubric: list[RubricPoint]) -> None:
    """Evaluate the answer-independent prefix now (llama.cpp keeps it cached)."""
    llm.complete(prefix_messages(entry, rubric), max_tokens=1, temperature=0.0)
