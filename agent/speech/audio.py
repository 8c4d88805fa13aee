"""Reading a recording: any format PyAV can open, to 16 kHz mono float32 samples,
with the length limit checked before decoding (the container's duration) or, when the
container does not declare one (a browser's live WebM), while decoding — memory stays
bounded by the limit, never by the file."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from agent.errors import UserError

SAMPLE_RATE = 16_000


class AudioError(UserError):
    """The recording cannot be transcribed; the message says why, for the candidate."""


def too_long(seconds: float | None, limit: float) -> AudioError:
    said = f"{seconds:.0f} s long" if seconds is not None else f"longer than {limit:.0f} s"
    return AudioError(
        f"the recording is {said}; the limit is {limit:.0f} s — "
        "please give a shorter answer (or raise asr_max_seconds)"
    )


def _frames(container: Any) -> Iterator[Any]:
    """The audio frames, skipping the ones the decoder rejects as invalid data."""
    import av

    frames = container.decode(audio=0)
    while True:
        try:
            yield next(frames)
        except StopIteration:
            return
        except av.error.InvalidDataError:
            continue


def _decode(path: Path, max_seconds: float | None) -> np.ndarray:
    """Decode to 16 kHz mono, refusing a file longer than ``max_seconds`` before decoding
    it (the container's duration) or, when the container does not say, as soon as the
    decoded audio passes the limit, so memory stays bounded by the limit."""
    import av

    limit = None if max_seconds is None else int(max_seconds * SAMPLE_RATE)
    resampler = av.audio.resampler.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
    chunks: list[np.ndarray] = []
    total = 0
    with av.open(str(path), mode="r", metadata_errors="ignore") as container:
        if not container.streams.audio:
            raise ValueError("no audio stream")
        declared = container.duration / av.time_base if container.duration else None
        if max_seconds is not None and declared is not None and declared > max_seconds:
            raise too_long(declared, max_seconds)
        for frame in itertools.chain(_frames(container), [None]):
            for out in resampler.resample(frame):
                samples = out.to_ndarray().reshape(-1)
                total += samples.size
                if limit is not None and total > limit:
                    raise too_long(None, float(max_seconds or 0))
                chunks.append(samples)
    if not chunks:
        return np.zeros(0, dtype=np.float32)
    return np.concatenate(chunks).astype(np.float32) / 32768.0


def load_audio(source: str | Path | np.ndarray, max_seconds: float | None = None) -> np.ndarray:
    """Mono float32 samples at 16 kHz, or ``AudioError`` with a clear message (also
    when the recording is longer than ``max_seconds``, found out before decoding it)."""
    if isinstance(source, np.ndarray):
        audio = np.asarray(source, dtype=np.float32)
        if audio.ndim != 1:
            raise AudioError("audio samples must be mono (one channel) at 16 kHz")
    else:
        path = Path(source)
        if not path.exists():
            raise AudioError(f"audio file not found: {path}")
        if not path.is_file():
            raise AudioError(f"not an audio file: {path}")
        if path.stat().st_size == 0:
            raise AudioError(f"the audio file is empty: {path.name}")
        import av

        try:
            audio = _decode(path, max_seconds)
        except (av.FFmpegError, ValueError, OSError, IndexError, StopIteration) as exc:
            raise AudioError(
                f"could not read {path.name} as audio (corrupt or unsupported format): "
                "please record again or upload a WAV, MP3, M4A, OGG or WebM file"
            ) from exc
    if audio.size == 0:
        raise AudioError("the recording is empty (no audio samples)")
    if max_seconds is not None and audio.size / SAMPLE_RATE > max_seconds:
        raise too_long(audio.size / SAMPLE_RATE, max_seconds)
    return audio
