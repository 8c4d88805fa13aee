"""The encoder's window for voice mode's pieces (agent/speech/short_window.py)."""

from __future__ import annotations

import threading

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
