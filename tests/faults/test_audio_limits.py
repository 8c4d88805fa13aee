"""A recording over the length limit is refused before it is decoded (the container's
duration) or, when the container does not say (a browser's live WebM), as soon as the
decoded audio passes the limit, so a tiny file can never fill memory. Real files,
real PyAV."""

from __future__ import annotations

import wave
from pathlib import Path

import av
import numpy as np
import pytest

from agent.speech.audio import SAMPLE_RATE, AudioError, load_audio


def _live_webm(path: Path, seconds: float, rate: int = 48000) -> Path:
    """Opus in WebM written as a browser's MediaRecorder does: no duration in the header."""
    out = av.open(str(path), "w", format="webm", options={"live": "1"})
    stream = out.add_stream("libopus", rate=rate)
    stream.layout = "mono"
    t = np.arange(960) / rate
    for i in range(int(seconds * rate / 960)):
        tone = (3000 * np.sin(2 * np.pi * 220 * (t + i * 960 / rate))).astype(np.int16)
        frame = av.AudioFrame.from_ndarray(tone[None, :], format="s16", layout="mono")
        frame.sample_rate, frame.pts = rate, i * 960
        for packet in stream.encode(frame):
            out.mux(packet)
    for packet in stream.encode(None):
        out.mux(packet)
    out.close()
    return path


def _wav(path: Path, seconds: float, rate: int = 8000) -> Path:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(1)
        w.setframerate(rate)
        w.writeframes(bytes([128]) * int(seconds * rate))
    return path


def test_a_declared_duration_over_the_limit_is_refused_before_decoding(tmp_path: Path) -> None:
    long = _wav(tmp_path / "long.wav", 400)
    with pytest.raises(AudioError, match=r"400 s long; the limit is 300 s"):
        load_audio(long, max_seconds=300)


def test_an_undeclared_duration_stops_decoding_at_the_limit(tmp_path: Path) -> None:
    webm = _live_webm(tmp_path / "answer.webm", 6)
    with av.open(str(webm)) as container:
        assert container.duration is None  # the case this path exists for
    with pytest.raises(AudioError, match=r"longer than 2 s; the limit is 2 s"):
        load_audio(webm, max_seconds=2)
    audio = load_audio(webm, max_seconds=60)
    assert abs(audio.size / SAMPLE_RATE - 6) < 0.2
    assert np.abs(audio).max() > 0.05  # the tone, not silence


def test_samples_given_directly_are_held_to_the_limit_too() -> None:
    with pytest.raises(AudioError, match=r"the limit is 1 s"):
        load_audio(np.zeros(3 * SAMPLE_RATE, dtype=np.float32), max_seconds=1)
