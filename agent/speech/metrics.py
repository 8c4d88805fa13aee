"""Speech metrics for a spoken answer: pace, fillers, pauses and the share of silence.

Pure functions over timed text, so they are unit-tested without a model.

Rules (kept simple and written down, because "filler" is a judgement call):

- Rates are per minute of the *answer span*: from the start of the first speech to the
  end of the last, so silence before the candidate starts and after they stop (a
  recording artefact) does not slow the pace. ``chars_per_minute`` counts CJK
  characters, ``words_per_minute`` counts English words (``KV cache`` = 2).
- Hesitation sounds are always fillers: 嗯, 呃, um, uh (and umm, uhh, uhm, erm). A run of
  the same sound (嗯嗯嗯) counts once.
- 啊 is a filler when it opens a clause (start of a segment or after punctuation); at
  the end of a sentence (好啊, 是啊) it is a modal particle and is not counted.
- 那个 / 就是 / 然后 are ordinary words too (that one / is / then), so they only count
  when they are *detached*: followed by a pause mark (punctuation, space, end of the
  segment), by another filler, or repeated (就是就是). In addition 那个 counts before a
  personal pronoun (那个我觉得 — "that one" cannot modify "I"), and 就是 counts when it
  opens a clause (就是说…, 就是它会…); a clause-initial 然后 is a normal "then".
  This undercounts rather than overcounts: Whisper drops many fillers anyway.
- Pauses are silences between speech regions (from the VAD, or else the segments'
  timestamps); one at least ``long_pause_s`` long is a long pause. Silence before the
  first and after the last speech is not a pause (it is part of ``silence_ratio``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import pairwise

from pydantic import BaseModel, Field


class Segment(BaseModel):
    """A piece of transcript with its time span in seconds from the recording start."""

    start: float
    end: float
    text: str


class SpeechMetrics(BaseModel):
    duration_s: float = Field(description="Length of the recording.")
    speech_s: float = Field(description="Time with detected speech.")
    silence_ratio: float = Field(description="Share of the recording without speech, 0–1.")
    answer_span_s: float = Field(description="First speech start to last speech end.")
    cjk_chars: int
    english_words: int
    chars_per_minute: float = Field(description="CJK characters per minute of answer span.")
    words_per_minute: float = Field(description="English words per minute of answer span.")
    fillers: dict[str, int] = Field(default_factory=dict, description="Filler → count.")
    filler_count: int = 0
    long_pause_threshold_s: float
    long_pauses: int = Field(description="Pauses at least the threshold long.")
    longest_pause_s: float = Field(description="Longest pause inside the answer (0 if none).")
    long_pause_spans: list[tuple[float, float]] = Field(
        default_factory=list, description="(start, end) of each long pause, in seconds."
    )


_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_EN_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)*")

_ALWAYS_ZH = ("嗯", "呃")
_EN_FILLERS = {"um": "um", "umm": "um", "uhm": "um", "erm": "um", "uh": "uh", "uhh": "uh"}
_MARKERS = ("那个", "就是", "然后")
_PRONOUNS = "我你他她它咱这那"
# Clause boundary: anything that is not a letter, digit or CJK character.
_BOUNDARY = r"(?:^|(?<=[^\w]))"
_FILLER_AHEAD = "(?:嗯|呃|啊|那个|就是|然后)"

_PATTERNS: dict[str, re.Pattern[str]] = {
    "嗯": re.compile("嗯+"),
    "呃": re.compile("呃+"),
    "啊": re.compile(_BOUNDARY + "啊+"),
    "那个": re.compile(
        "那个(?=$|[^\\w]|那个|" + _FILLER_AHEAD + "|[" + _PRONOUNS + "])",
    ),
    "就是": re.compile(_BOUNDARY + "就是|就是(?=$|[^\\w]|" + _FILLER_AHEAD + ")"),
    "然后": re.compile("然后(?=$|[^\\w]|" + _FILLER_AHEAD + ")"),
}
_EN_PATTERN = re.compile(r"\b(" + "|".join(_EN_FILLERS) + r")\b", re.IGNORECASE)


def count_fillers(text: str) -> dict[str, int]:
    """Filler → count in one piece of text (one segment = one utterance), by the rules above."""
    counts: dict[str, int] = {}
    for name, pattern in _PATTERNS.items():
        n = len(pattern.findall(text))
        if n:
            counts[name] = n
    for match in _EN_PATTERN.finditer(text):
        key = _EN_FILLERS[match.group(1).lower()]
        counts[key] = counts.get(key, 0) + 1
    return counts


def count_cjk_chars(text: str) -> int:
    return len(_CJK.findall(text))


def count_english_words(text: str) -> int:
    return len(_EN_WORD.findall(text))


def _merge(spans: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    merged: list[tuple[float, float]] = []
    for start, end in sorted((s, e) for s, e in spans if e > s):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _per_minute(count: int, seconds: float) -> float:
    return round(count * 60.0 / seconds, 1) if seconds > 0 else 0.0


def compute_metrics(
    segments: Sequence[Segment],
    duration_s: float,
    *,
    speech: Sequence[tuple[float, float]] | None = None,
    long_pause_s: float = 2.0,
) -> SpeechMetrics:
    """Metrics for one answer.

    ``speech`` are the speech regions in seconds (from the VAD); when not given, the
    segments' own time spans stand in for them.
    """
    regions = _merge(
        [(max(0.0, s), min(duration_s, e)) for s, e in speech]
        if speech is not None
        else [(max(0.0, seg.start), min(duration_s, seg.end)) for seg in segments]
    )
    speech_s = sum(e - s for s, e in regions)
    span = regions[-1][1] - regions[0][0] if regions else 0.0
    gaps = [(a[1], b[0]) for a, b in pairwise(regions)]
    long_gaps = [(s, e) for s, e in gaps if e - s >= long_pause_s - 1e-9]

    fillers: dict[str, int] = {}
    for seg in segments:
        for name, n in count_fillers(seg.text).items():
            fillers[name] = fillers.get(name, 0) + n
    text = " ".join(seg.text for seg in segments)
    cjk = count_cjk_chars(text)
    words = count_english_words(text)

    return SpeechMetrics(
        duration_s=round(duration_s, 2),
        speech_s=round(speech_s, 2),
        silence_ratio=round(1.0 - speech_s / duration_s, 3) if duration_s > 0 else 0.0,
        answer_span_s=round(span, 2),
        cjk_chars=cjk,
        english_words=words,
        chars_per_minute=_per_minute(cjk, span),
        words_per_minute=_per_minute(words, span),
        fillers=fillers,
        filler_count=sum(fillers.values()),
        long_pause_threshold_s=long_pause_s,
        long_pauses=len(long_gaps),
        longest_pause_s=round(max((e - s for s, e in gaps), default=0.0), 2),
        long_pause_spans=[(round(s, 2), round(e, 2)) for s, e in long_gaps],
    )
