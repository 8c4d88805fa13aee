"""One damaged stretch in an uploaded recording costs that stretch, not the rest of
the answer, and the candidate is told. Real files made with PyAV (a 20 s tone in MP3,
AAC and a browser's live WebM), then 400 bytes in the middle overwritten; before,
decoding stopped at the first bad packet (the MP3 came out as 10 s, silently)."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest

from agent.speech.audio import SAMPLE_RATE, AudioError, read_audio

SECONDS = 20.0


def _tone(path: Path, codec: str, fmt: str, rate: int, options: dict[str, str]) -> Path:
    out = av.open(str(path), "w", format=fmt, options=options)
    stream = out.add_stream(codec, rate=rate)
    assert isinstance(stream, av.AudioStream)  # an audio codec
    stream.layout = "mono"
    size = 960
    for start in range(0, int(SECONDS * rate), size):
        t = (np.arange(size) + start) / rate
        tone = (8000 * np.sin(2 * np.pi * 330 * t)).astype(np.int16)
        frame = av.AudioFrame.from_ndarray(tone[None, :], format="s16", layout="mono")
        frame.sample_rate, frame.pts = rate, start
        for packet in stream.encode(frame):
            out.mux(packet)
    for packet in stream.encode(None):
        out.mux(packet)
    out.close()
    return path


def _damaged(path: Path, count: int = 400) -> Path:
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + count] = bytes((i * 37 + 11) % 256 for i in range(count))
    bad = path.with_name(f"damaged-{path.name}")
    bad.write_bytes(bytes(data))
    return bad


FORMATS = {
    "mp3": ("libmp3lame", "mp3", 44100, {}),
    "aac": ("aac", "adts", 44100, {}),
    "webm": ("libopus", "webm", 48000, {"live": "1"}),  # as a browser's MediaRecorder
}


@pytest.mark.parametrize("kind", sorted(FORMATS))
def test_a_damaged_packet_costs_only_itself_and_is_told(tmp_path: Path, kind: str) -> None:
    codec, fmt, rate, options = FORMATS[kind]
    whole = _tone(tmp_path / f"answer.{kind}", codec, fmt, rate, options)
    clean = read_audio(whole)
    assert clean.note is None and clean.damaged == 0
    assert abs(clean.samples.size / SAMPLE_RATE - SECONDS) < 0.2
    recording = read_audio(_damaged(whole))
    seconds = recording.samples.size / SAMPLE_RATE
    print(f"{kind}: {seconds:.2f} s of {SECONDS:.0f} s decoded; {recording.lost_s} s "
          f"lost at {recording.damaged} place(s)")  # fmt: skip
    assert seconds > SECONDS - 1.5, seconds  # was 10 s: everything after the damage lost
    assert recording.damaged >= 1 and recording.note is not None
    assert "could not be read (damaged data) and was skipped" in recording.note
    assert np.abs(recording.samples[-SAMPLE_RATE:]).max() > 0.1  # the end is the tone


def _riddled(whole: Path, every: int) -> Path:
    """``whole`` with 200 random bytes every ``every`` bytes."""
    data = bytearray(whole.read_bytes())
    rng = np.random.default_rng(7)
    for start in range(2000, len(data) - 200, every):
        data[start : start + 200] = rng.integers(0, 256, 200, dtype=np.uint8).tobytes()
    riddled = whole.with_name(f"riddled-{every}.mp3")
    riddled.write_bytes(bytes(data))
    return riddled


def test_much_damage_is_said_and_mostly_damage_is_refused(tmp_path: Path) -> None:
    whole = _tone(tmp_path / "answer.mp3", "libmp3lame", "mp3", 44100, {})
    recording = read_audio(_riddled(whole, 2000))
    kept = recording.samples.size / SAMPLE_RATE
    assert 10 < kept < 19 and recording.note is not None
    assert abs(recording.lost_s - (SECONDS - kept)) < 0.5  # the note's figure is right
    with pytest.raises(AudioError, match=r"could not read riddled-600.mp3 as audio"):
        read_audio(_riddled(whole, 600))  # more than half the packets rejected
