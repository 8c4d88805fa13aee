"""A CV or job description mapped onto the bank's 18 topics, deterministically.

Each topic has a list of the words CVs and job descriptions use for it
(``topic_terms.yaml``, Chinese and English). A document's weight for a topic is how
many distinct terms of that topic it names, relative to the topic it names most (so
the top topic weighs 1.0); topics it names fewer than ``MIN_TERMS`` terms of are left
out. The CV and the job description are combined with the job counting as much as
the CV. The candidate sees the result and can change it before the interview starts.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from pathlib import Path

import yaml

from agent.bank import TOPICS
from agent.text import normalize

TERMS_FILE = Path(__file__).resolve().parent / "topic_terms.yaml"
MIN_TERMS = 2
#: At most this many topics are focused on (the strongest).
MAX_TOPICS = 4


def term_pattern(term: str) -> re.Pattern[str]:
    """The term as a pattern over normalised text (``agent.text.normalize``): ASCII
    terms match as whole words (LoRA, not "explorarion"), CJK ones anywhere."""
    word = normalize(term)
    edge = r"(?<![a-z0-9])" if word[:1].isascii() else ""
    tail = r"(?![a-z0-9])" if word[-1:].isascii() else ""
    return re.compile(edge + re.escape(word) + tail)


@functools.cache
def _patterns() -> dict[str, list[tuple[str, re.Pattern[str]]]]:
    raw = yaml.safe_load(TERMS_FILE.read_text(encoding="utf-8"))
    unknown = set(raw) - set(TOPICS)
    if unknown:
        raise ValueError(f"{TERMS_FILE.name}: unknown topics {sorted(unknown)}")
    out: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
    for topic, terms in raw.items():
        out[topic] = [(str(term), term_pattern(str(term))) for term in terms]
    return out


def matched_terms(text: str) -> dict[str, list[str]]:
    """For each topic, the distinct terms the text names."""
    norm = normalize(text)
    found: dict[str, list[str]] = {}
    for topic, patterns in _patterns().items():
        hits = [term for term, pattern in patterns if pattern.search(norm)]
        if hits:
            found[topic] = hits
    return found


def topic_weights(text: str, min_terms: int = MIN_TERMS) -> dict[str, float]:
    """Topic → weight in (0, 1] for the topics the text is about (see module docstring);
    ``min_terms``: how many of a topic's terms the text must name (a short
    self-introduction: one)."""
    counts = {t: len(h) for t, h in matched_terms(text).items() if len(h) >= min_terms}
    if not counts:
        return {}
    top = max(counts.values())
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], TOPICS.index(kv[0])))
    return {t: round(n / top, 2) for t, n in ranked[:MAX_TOPICS]}


def combine(cv: Mapping[str, float], jd: Mapping[str, float]) -> dict[str, float]:
    """The CV's and the job's weights averaged (a topic only one names counts half)."""
    topics = set(cv) | set(jd)
    if not topics:
        return {}
    both = {t: (cv.get(t, 0.0) + jd.get(t, 0.0)) / (2 if cv and jd else 1) for t in topics}
    top = max(both.values())
    ranked = sorted(both.items(), key=lambda kv: (-kv[1], TOPICS.index(kv[0])))
    return {t: round(w / top, 2) for t, w in ranked[:MAX_TOPICS]}
