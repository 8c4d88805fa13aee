"""The encoder's window for voice mode's pieces (agent/speech/short_window.py)."""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

from agent.speech import short_window
from agent.speech.short_window import content_frames, short_windows, window_frames


def test_content_ends_where_the_zero_padding_begins() -> None:
    features = np.zeros((1, 80, 3000), np.float32)
    features[0, :, :437] = -0.6  # log-mel of quiet audio is never exactly zero
    features[0, 3, 436] = 0.0  # one zero bin does not make a frame padding
    assert content_frames(features) == 437
    assert content_frames(np.zeros((80, 3000), np.float32)) == 0


def test_the_window_keeps_a_margin_in_whole_steps_and_never_exceeds_30_s() -> None:
    assert window_frames(437) == 700  # 437 + 200, up to the next 100
    assert window_frames(100) == 300
    assert window_frames(2900) == 3000
    assert window_frames(0) == 200


def test_short_windows_are_per_thread_and_end_with_the_block() -> None:
    seen: list[bool] = []
    with short_windows():
        assert short_window._state.on
        other = threading.Thread(
            target=lambda: seen.append(getattr(short_window._state, "on", False))
        )
        other.start()
        other.join()
    assert seen == [False]
    assert not short_window._state.on


def test_a_pieces_decode_is_capped_by_its_length_and_an_uploads_is_not() -> None:
    """A decode that loops on a phrase cannot write the model's 448 tokens (at every
    fallback temperature) while the candidate waits; real speech is 4–5 tokens a s."""
    from types import SimpleNamespace

    from agent.settings import load_settings
    from agent.speech.transcriber import SAMPLE_RATE, Transcriber, piece_token_cap

    assert piece_token_cap(1.0) == 36 and piece_token_cap(6.0) == 96
    assert piece_token_cap(30.0) == 200 and 227 + piece_token_cap(300.0) <= 448
    asked: list[int | None] = []

    def transcribe(audio: np.ndarray, **options: Any) -> tuple[list[object], object]:
        asked.append(options["max_new_tokens"])
        return [], SimpleNamespace(language="zh")

    model = SimpleNamespace(transcribe=transcribe)
    transcriber = Transcriber(load_settings())
    audio = np.zeros(4 * SAMPLE_RATE, np.float32)
    transcriber._decode(model, audio, None)
    with short_windows():
        transcriber._decode(model, audio, None)
    assert asked == [None, piece_token_cap(4.0)]
