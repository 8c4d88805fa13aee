"""Whisper's encoder over the audio that is there, not a whole 30 s window.

faster-whisper pads every window's features to 30 s (3,000 frames) before the
encoder, so a 2 s piece costs as much as 30 s: about 1.3 s of encoder time on this
2-core machine. CTranslate2's Whisper encoder also takes fewer frames (the model's
position embeddings are cut to fit). ``ShortWindowWhisper`` cuts the zero padding off,
keeping ``MARGIN_FRAMES`` of it, when asked for (``short_windows``, per thread); else
it is faster-whisper's own model.

Measured on this machine (voice mode's pieces: the 10 stretches of speech the
listening VAD cuts from ../shared/audio, 3.6 s on average; commit 9b63cd2):
1.73 s → 0.52 s per piece. Accuracy: the 5 transcribed clips, CER 0.178 → 0.208 (one
word of the long meeting clip; margins of 1–4 s all differ there by a word or so); 24
bank questions spoken by the voice (the calibration ones), 0.076 → 0.082, which is how
the 2 s margin was chosen (1 s: 0.089, 4 s: 0.089). Used for voice mode's pieces,
where the candidate waits for it; uploads keep the whole window.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

import numpy as np
from faster_whisper import WhisperModel

FULL_FRAMES = 3000
MARGIN_FRAMES = 200  # 2 s of the padding kept (chosen on the calibration questions)
STEP_FRAMES = 100

_state = threading.local()


@contextlib.contextmanager
def short_windows() -> Iterator[None]:
    """In this block (this thread), the encoder reads only the audio that is there."""
    before = getattr(_state, "on", False)
    _state.on = True
    try:
        yield
    finally:
        _state.on = before


def short_windows_on() -> bool:
    """In a ``short_windows`` block (this thread)."""
    return bool(getattr(_state, "on", False))


def content_frames(features: np.ndarray) -> int:
    """Frames before the padding: faster-whisper pads with exact zeros in every bin,
    which a log-mel frame of real audio (even silence) never is."""
    columns = np.flatnonzero(np.any(features.reshape(-1, features.shape[-1]) != 0, axis=0))
    return int(columns[-1]) + 1 if len(columns) else 0


def window_frames(content: int) -> int:
    """The encoder's input length for ``content`` frames of audio."""
    wanted = content + MARGIN_FRAMES
    return min(FULL_FRAMES, -(-wanted // STEP_FRAMES) * STEP_FRAMES)


class ShortWindowWhisper(WhisperModel):
    def encode(self, features: np.ndarray) -> Any:
        if short_windows_on() and features.shape[-1] == FULL_FRAMES:
            keep = window_frames(content_frames(features))
            features = np.ascontiguousarray(features[..., :keep])
        return super().encode(features)
