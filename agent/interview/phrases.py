"""The interviewer's words: transitions, follow-up and hint phrasing, commands.

Fixed phrases come from ``prompts/interviewer.<lang>.yaml``. A probe for a missing key
point and a hint are written by the model from ``prompts/probe.md`` / ``hint.md``; a
line that would give the point away (too much of the point's wording in it) or a
model that fails falls back to a neutral phrase, so a follow-up never reveals the
answer and never blocks the interview.
"""

from __future__ import annotations

import functools
import re
from typing import Any, Literal

import yaml

from agent.grading.lexical import terms
from agent.llm.errors import LLMError
from agent.llm.protocol import LLM
from agent.prompts import PROMPTS_DIR, render
from agent.text import bigrams, content_key

Command = Literal["skip", "hint", "repeat", "end"]

_COMMANDS: dict[Command, tuple[str, ...]] = {
    "skip": ("跳过", "skip", "pass", "下一题", "换一题", "跳过这题", "这题跳过", "next"),
    "hint": ("提示", "hint", "给个提示", "给点提示", "有提示吗", "能给个提示吗"),
    "repeat": ("重复", "repeat", "再说一遍", "再说一次", "没听清", "重复问题", "重复一下题目"),
    "end": ("结束", "end", "结束面试", "stop", "quit", "exit", "到此为止"),
}
_FILLER = re.compile(r"[\s，。,.!！?？~、…]+|请|一下|吧|麻烦|可以|能不能|please", re.IGNORECASE)
#: Share of a point's character bigrams (not already in the question) that a probe
#: or hint may contain before it counts as giving the point away.
LEAK_THRESHOLD = 0.3


def parse_command(answer: str) -> Command | None:
    """A whole answer that is only a command (``提示``, ``skip`` …), else None."""
    text = _FILLER.sub("", answer.strip().lower())
    if not text or len(text) > 12:
        return None
    for command, words in _COMMANDS.items():
        if any(text == _FILLER.sub("", w.lower()) for w in words):
            return command
    return None


@functools.cache
def phrases(lang: str) -> dict[str, Any]:
    path = PROMPTS_DIR / f"interviewer.{lang}.yaml"
    if not path.exists():
        path = PROMPTS_DIR / "interviewer.zh.yaml"
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


def opening(lang: str, role: str, n: int, mode: str) -> str:
    p = phrases(lang)
    return str(p["opening"]).format(
        role_name=p["role_names"].get(role, role), n=n, mode_name=p["mode_names"].get(mode, mode)
    )


def transition(lang: str, index: int) -> str:
    p = phrases(lang)
    if index == 0:
        return str(p["first"])
    options = p["transitions"]
    return str(options[index % len(options)])


def follow_up_intro(lang: str, index: int) -> str:
    options = phrases(lang)["follow_up_intro"]
    return str(options[index % len(options)])


def phrase(lang: str, key: str) -> str:
    return str(phrases(lang)[key])


def _bigrams(text: str) -> set[str]:
    return bigrams(re.sub(r"\s+", "", text.lower()))


def leaks(line: str, point: str, question: str, answer: str | None = None) -> bool:
    """True when ``line`` repeats too much of ``point`` (or ``answer``) beyond the
    words the question itself already uses."""
    known = _bigrams(question)
    said = _bigrams(line)
    for secret in (point, answer or ""):
        grams = _bigrams(secret) - known
        if grams and len(grams & said) / len(grams) > LEAK_THRESHOLD:
            return True
    return False


def parrots(line: str, question: str, threshold: float = 0.7) -> bool:
    """True when ``line`` mostly repeats the question instead of adding a direction."""
    grams = _bigrams(line)
    return bool(grams) and len(grams & _bigrams(question)) / len(grams) > threshold


#: How long the candidate may wait for a model-written probe or hint, one try (no
#: retries), before the neutral phrase is used: a hanging or busy endpoint (the one
#: local server may be grading) must not stall the interview.
LINE_TIMEOUT_S = 30.0


def _model_line(
    llm: LLM | None, name: str, lang: str, question: str, point: str, max_chars: int
) -> str | None:
    if llm is None:
        return None
    try:
        text = llm.chat(
            [{"role": "user", "content": render(name, lang, question=question, point=point)}],
            max_tokens=60,
            temperature=0.3,
            timeout=LINE_TIMEOUT_S,
            probe=True,  # one try: no transport retries
        )
    except LLMError:
        return None
    line = text.strip().strip("\"'“”「」").splitlines()[0].strip() if text.strip() else ""
    if not line or len(line) > max_chars or leaks(line, point, question):
        return None
    if parrots(line, question):
        return None
    return line


#: A key point's label (the words before its colon: "缺点：…", "Adam state: …") is a
#: name for what it is about that says nothing of its claim.
_LABEL = re.compile(r"^\s*([^：:，,。.]{2,16})[：:]")
_TERM = re.compile(r"^[A-Za-z][A-Za-z0-9_.+-]{2,}$")


def point_label(point: str) -> str | None:
    """What a key point is about, when it names it before a colon; else None."""
    found = _LABEL.match(point)
    return found.group(1).strip() if found else None


def gap_term(point: str, question: str, answer: str) -> str | None:
    """A technical term of ``point`` that neither the question nor the answer has (a
    pointer at the area, not the claim); None when there is none."""
    known = terms(question) | terms(answer)
    words = sorted((t for t in terms(point) - known if _TERM.match(t)), key=lambda t: (-len(t), t))
    return words[0] if words else None


def probe(llm: LLM | None, lang: str, question: str, point: str, answer: str = "") -> str:
    """A short follow-up aimed at ``point`` that does not reveal it: by the point's
    label when it has one, else a model-worded line (checked not to leak it), else by
    a term of the point the answer lacks, else a neutral question — never a generic
    "tell me more". A label the answer already names is not called unmentioned: the
    candidate is asked to be specific about it."""
    label = point_label(point)
    if label:
        named = content_key(label) in content_key(answer)
        return phrase(lang, "probe_label_named" if named else "probe_label").format(label=label)
    line = _model_line(llm, "probe", lang, question, point, 120)
    if line:
        return line
    term = gap_term(point, question, answer)
    if term:
        return phrase(lang, "probe_term").format(term=term)
    return phrase(lang, "probe_fallback")


def redirect(lang: str, question: str, point: str | None, dont_know: bool) -> str:
    """Back to the question after an off-topic answer (with an angle to start from), or
    a hint offered after 不知道 (practice mode)."""
    if dont_know:
        return f"{phrase(lang, 'dont_know_offer')}{question}"
    label = point_label(point) if point else None
    angle = (
        phrase(lang, "redirect_label").format(label=label)
        if label
        else phrase(lang, "redirect_start")
    )
    return f"{phrase(lang, 'redirect')}{question}{' ' if lang == 'en' else ''}{angle}"


def hint(llm: LLM | None, lang: str, question: str, point: str | None) -> str:
    """A hint pointing at the area of a missing point without giving it away."""
    if point is None:
        return phrase(lang, "hint_prefix") + phrase(lang, "hint_none")
    line = _model_line(llm, "hint", lang, question, point, 100)
    return phrase(lang, "hint_prefix") + (line or phrase(lang, "hint_fallback"))
