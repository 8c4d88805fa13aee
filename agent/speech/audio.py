"""Reading a recording: any format PyAV can open, to 16 kHz mono float32 samples,
with the length limit checked before decoding (the container's duration) or, when the
container does not declare one (a browser's live WebM), while decoding — memory stays
bounded by the limit, never by the file.

Decoding goes packet by packet: a damaged packet is skipped and the rest of the
recording kept (``container.decode`` stopped at the first one: a 20 s MP3 with 400
damaged bytes in the middle came out as 10 s), and ``Recording.note`` tells the
candidate that part of it could not be read."""

from __future__ import annotations

from dataclasses import dataclass
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


#: a jump in the packets' timestamps longer than this is audio the demuxer dropped
GAP_S = 0.1


@dataclass(frozen=True)
class Recording:
    """Decoded samples, and what of the recording could not be read: ``damaged``
    places (packets the decoder rejected, stretches the demuxer dropped), about
    ``lost_s`` seconds in all. The rest is kept; ``note`` tells the candidate."""

    samples: np.ndarray
    damaged: int = 0
    lost_s: float = 0.0

    @property
    def note(self) -> str | None:
        """What the candidate is told when part of the recording was skipped."""
        if not self.damaged:
            return None
        if self.lost_s >= 0.05:
            zh, en = f"约 {self.lost_s:.1f} 秒", f"About {self.lost_s:.1f} s"
        else:
            zh, en = "一小段", "A short part"
        return (
            f"录音中有{zh}已损坏，无法读取，已跳过，转写可能缺字 — {en} of the recording "
            "could not be read (damaged data) and was skipped; the transcript may miss "
            "words there. Record again if they matter."
        )


class _Samples:
    """16 kHz mono chunks, refused as soon as they pass the limit."""

    def __init__(self, max_seconds: float | None) -> None:
        self.max_seconds = max_seconds
        self.limit = None if max_seconds is None else int(max_seconds * SAMPLE_RATE)
        self.chunks: list[np.ndarray] = []
        self.total = 0

    def add(self, frames: list[Any]) -> None:
        for out in frames:
            samples = out.to_ndarray().reshape(-1)
            self.total += samples.size
            if self.limit is not None and self.total > self.limit:
                raise too_long(None, float(self.max_seconds or 0))
            self.chunks.append(samples)

    def audio(self) -> np.ndarray:
        if not self.chunks:
            return np.zeros(0, dtype=np.float32)
        return np.concatenate(self.chunks).astype(np.float32) / 32768.0


class _Losses:
    """Audio lost to damage: packets the decoder rejects, and jumps in the packets'
    timestamps (a damaged WebM cluster is dropped by the demuxer without a word)."""

    def __init__(self) -> None:
        self.places = self.rejected = 0
        self.seconds = 0.0
        self._next: int | None = None  # where the next packet should start (pts)

    def seen(self, packet: Any) -> None:
        if packet.pts is None or not packet.time_base:
            self._next = None
            return
        if self._next is not None:
            gap = float((packet.pts - self._next) * packet.time_base)
            if gap > GAP_S:
                self.places, self.seconds = self.places + 1, self.seconds + gap
        self._next = packet.pts + packet.duration if packet.duration else None

    def reject(self, packet: Any) -> None:
        self.places, self.rejected = self.places + 1, self.rejected + 1
        if packet.duration and packet.time_base:
            self.seconds += float(packet.duration * packet.time_base)


def _decode(path: Path, max_seconds: float | None) -> Recording:
    """Decode to 16 kHz mono, packet by packet: a packet the decoder rejects (damaged
    data) is skipped and counted, the rest of the recording is kept. A file longer
    than ``max_seconds`` is refused before decoding (the container's duration) or,
    when the container does not say, as soon as the decoded audio passes the limit."""
    import av

    resampler = av.audio.resampler.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
    out, losses, packets = _Samples(max_seconds), _Losses(), 0
    with av.open(str(path), mode="r", metadata_errors="ignore") as container:
        if not container.streams.audio:
            raise ValueError("no audio stream")
        declared = container.duration / av.time_base if container.duration else None
        if max_seconds is not None and declared is not None and declared > max_seconds:
            raise too_long(declared, max_seconds)
        for packet in container.demux(container.streams.audio[0]):
            packets += 1
            losses.seen(packet)
            try:
                frames = packet.decode()
            except av.FFmpegError:  # damaged data: this packet only
                losses.reject(packet)
                continue
            for frame in frames:
                out.add(resampler.resample(frame))
        out.add(resampler.resample(None))
    if losses.rejected and (not out.total or losses.rejected * 2 > packets):
        raise ValueError(f"{losses.rejected} of {packets} packets could not be decoded")
    audio = out.audio()
    lost = losses.seconds
    if losses.places and declared is not None:  # what the demuxer skipped unseen too
        lost = max(lost, declared - audio.size / SAMPLE_RATE)
    return Recording(audio, losses.places, round(lost, 2))


def load_audio(source: str | Path | np.ndarray, max_seconds: float | None = None) -> np.ndarray:
    """Mono float32 samples at 16 kHz (see ``read_audio``, which also says what was
    skipped)."""
    return read_audio(source, max_seconds).samples


def read_audio(source: str | Path | np.ndarray, max_seconds: float | None = None) -> Recording:
    """The recording as mono float32 samples at 16 kHz, with what of it could not be
    read; or ``AudioError`` with a clear message (also when the recording is longer
    than ``max_seconds``, found out before decoding it)."""
    if isinstance(source, np.ndarray):
        recording = Recording(np.asarray(source, dtype=np.float32))
        if recording.samples.ndim != 1:
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
            recording = _decode(path, max_seconds)
        except (av.FFmpegError, ValueError, OSError, IndexError, StopIteration) as exc:
            raise AudioError(
                f"could not read {path.name} as audio (corrupt or unsupported format): "
                "please record again or upload a WAV, MP3, M4A, OGG or WebM file"
            ) from exc
    audio = recording.samples
    if audio.size == 0:
        raise AudioError("the recording is empty (no audio samples)")
    if max_seconds is not None and audio.size / SAMPLE_RATE > max_seconds:
        raise too_long(audio.size / SAMPLE_RATE, max_seconds)
    return recording
