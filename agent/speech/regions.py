"""Where the speech is in a recording (the Silero VAD bundled with faster-whisper), and
which of it a decode dropped: a segment with far too few characters for its speech, a
speech region no segment covers (``Transcriber._repair_dropped`` decodes those again)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from agent.speech.audio import SAMPLE_RATE
from agent.speech.metrics import Segment
from agent.speech.transcript_text import normalize_for_cer

_VAD_FOR_METRICS = {"min_silence_duration_ms": 300, "speech_pad_ms": 100}
_VAD_FOR_CHUNKS = {"min_silence_duration_ms": 500, "speech_pad_ms": 200}
_MIN_CHARS_PER_SPEECH_S = 1.5
_MIN_SPEECH_FOR_CHECK_S = 3.0


def speech_regions(
    audio: np.ndarray, options: Mapping[str, float] | None = None
) -> list[tuple[float, float]]:
    """Speech spans in seconds from the Silero VAD bundled with faster-whisper."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    stamps = get_speech_timestamps(audio, VadOptions(**(options or _VAD_FOR_METRICS)))
    return [(s["start"] / SAMPLE_RATE, s["end"] / SAMPLE_RATE) for s in stamps]


def decode_chunks(audio: np.ndarray, max_s: float = 30.0) -> list[tuple[float, float]]:
    """Speech regions to decode one by one, each joined with the next up to ``max_s``
    only when they touch (VAD padding overlaps)."""
    chunks: list[tuple[float, float]] = []
    for start, end in speech_regions(audio, _VAD_FOR_CHUNKS):
        if chunks and start <= chunks[-1][1] and end - chunks[-1][0] <= max_s:
            chunks[-1] = (chunks[-1][0], end)
        else:
            chunks.append((start, end))
    return chunks


def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return max(0.0, min(a1, b1) - max(a0, b0))


def is_sparse(segment: Segment, speech: Sequence[tuple[float, float]]) -> bool:
    """A segment over several seconds of speech with far too few characters for them
    (Mandarin runs at ~4–6 characters per second of speech): text was dropped."""
    speech_s = sum(_overlap(segment.start, segment.end, s, e) for s, e in speech)
    return speech_s >= _MIN_SPEECH_FOR_CHECK_S and (
        len(normalize_for_cer(segment.text)) / speech_s < _MIN_CHARS_PER_SPEECH_S
    )


def is_covered(chunk: tuple[float, float], segments: Sequence[Segment]) -> bool:
    """True when the segments' time spans overlap a good part of the speech chunk."""
    start, end = chunk
    covered = sum(_overlap(start, end, seg.start, seg.end) for seg in segments)
    return covered >= 0.3 * (end - start)
