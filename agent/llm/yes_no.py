"""A yes/no judgement read off one reply token: P(yes) from the token's top
alternatives (P(yes) / (P(yes) + P(no))), or the sampled token itself."""

from __future__ import annotations

import math
from typing import Any, Literal

from pydantic import BaseModel

YES_TOKENS = frozenset({"是", "yes", "y", "对", "true"})
NO_TOKENS = frozenset({"否", "no", "n", "不", "false", "不是"})


class YesNo(BaseModel):
    """One yes/no answer: P(yes), and whether it came from logprobs or a sample."""

    p_yes: float
    method: Literal["logprobs", "sampled"]
    token: str = ""


def classify(token: str) -> bool | None:
    t = token.strip().strip("。.,，!！:：\"'“”").lower()
    if t in YES_TOKENS or t.startswith("是") or t.startswith("yes"):
        return True
    if t in NO_TOKENS or t.startswith("否") or t.startswith("no") or t.startswith("不"):
        return False
    return None


def p_yes_from_logprobs(response: Any) -> tuple[float, str] | None:
    """P(yes)/(P(yes)+P(no)) over the first token's top alternatives, or None."""
    if not response.choices or response.choices[0].logprobs is None:
        return None
    content = response.choices[0].logprobs.content or []
    if not content:
        return None
    first = content[0]
    p_yes = p_no = 0.0
    for alt in first.top_logprobs or []:
        label = classify(alt.token)
        if label is True:
            p_yes += math.exp(alt.logprob)
        elif label is False:
            p_no += math.exp(alt.logprob)
    if p_yes + p_no <= 0.0:
        return None
    return p_yes / (p_yes + p_no), first.token
