"""Hands-free turns: the microphone's stream cut into the candidate's turns.

The browser streams the microphone in short chunks. ``Listener`` keeps them (16 kHz
mono), finds speech with the Silero VAD bundled in faster-whisper, and decides:

- **end of turn** after ``END_SILENCE_S`` of silence following speech (Chinese
  candidates often pause 2–3 s to think, so less would cut them off), or when the
  candidate says "我说完了" ("I'm done" in English) or presses the button;
- **a gentle nudge** when nothing has been said ``NUDGE_AFTER_S`` after the question;
- **barge-in**: while the interviewer speaks, ``BargeIn`` listens too; once the
  candidate has said ``BARGE_MIN_S`` of speech the interviewer stops and what they say
  (from its first word) is the start of their answer. The browser's microphone comes
  with echo cancellation (``getUserMedia``'s default), so the interviewer's own voice
  from the speakers is not heard as the candidate's;
- meanwhile, each stretch of speech followed by a short pause is transcribed at once
  (``ready_piece``), so at the end only the last stretch is left to transcribe. The
  pieces go to Whisper one at a time, in order (``Services.transcribe``); a short
  stretch after a pause ("我说完了") goes sooner, and the chunk that closed it waits
  for its words, so a turn the candidate ends by saying so ends as soon as Whisper
  has heard it.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, wait
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from agent.speech.metrics import Segment, compute_metrics
from agent.speech.regions import speech_regions
from agent.speech.transcriber import SAMPLE_RATE, Transcript
from agent.speech.transcript_text import join_segments

END_SILENCE_S = 2.5
PIECE_GAP_S = 0.7  # a pause this long closes a stretch that can be transcribed now
#: a short stretch (≤ SHORT_PIECE_S, e.g. "我说完了" after a pause) is closed sooner,
#: so a turn the candidate ends by saying so ends without waiting out the longer gap
#: (the VAD has ended a stretch after 0.3 s of silence; the rest is margin)
SHORT_PIECE_S, SHORT_GAP_S = 2.5, 0.4
NUDGE_AFTER_S = 12.0
PAD_S = 0.25
MAX_TURN_S = 300.0
#: this much speech while the interviewer talks is the candidate cutting in (a cough
#: or a word of assent is shorter); only the last ``BARGE_WINDOW_S`` are kept
BARGE_MIN_S, BARGE_WINDOW_S = 0.6, 4.0
#: "我说完了" at the end of the words, also as the small Whisper often writes it
#: (输/书/叔 for 说, 玩 for 完, 啦 for 了: "我输完了" was heard in the voice eval)
DONE = re.compile(r"[，,。.！!\s]*(我)?(说|答|讲|输|书|叔)(完|玩)(了|啦)[。.！!\s]*$")
#: in English (the English interviewer's nudge says "say 'done'"): "done", "I'm done",
#: "okay, I'm finished" … said as a sentence of its own at the end ("…gets done." is not)
DONE_EN = re.compile(
    r"(?:^|(?<=[.!?,;]))\s*(?:(?:ok(?:ay)?|so|alright|right)[,.]?\s+)?"
    r"(?:(?:i['’]?m|i am)\s+)?(?:done|finished)(?:\s+now)?[.!\s]*$",
    re.IGNORECASE,
)

Vad = Callable[[np.ndarray], list[tuple[float, float]]]


def listening_vad(audio: np.ndarray) -> list[tuple[float, float]]:
    """Speech spans (Silero: a pause is 300 ms of silence), none longer than 6 s: a long
    stretch said without a pause is cut at its quietest breath, so it can be
    transcribed while the candidate goes on (the Whisper pass left at the end of the
    turn stays short)."""
    options: dict[str, float] = {
        "min_silence_duration_ms": 300,
        "speech_pad_ms": 100,
        "max_speech_duration_s": 6,
    }
    return speech_regions(audio, options)


def to_mono_16k(rate: int, data: np.ndarray) -> np.ndarray:
    """A microphone chunk as 16 kHz mono float32 in [-1, 1]."""
    audio = np.asarray(data)
    if audio.dtype.kind == "i":  # scaled before mixing down (the mean is a float)
        audio = audio.astype(np.float32) / float(np.iinfo(audio.dtype).max)
    if audio.ndim > 1:
        audio = audio.mean(axis=1)
    audio = audio.astype(np.float32)
    if rate != SAMPLE_RATE and len(audio):
        n = round(len(audio) * SAMPLE_RATE / rate)
        audio = np.interp(np.linspace(0, len(audio) - 1, n), np.arange(len(audio)), audio)
    return audio.astype(np.float32)


def said_done(text: str) -> tuple[str, bool]:
    """The text without a closing "我说完了" (or "I'm done"), and whether it had one."""
    stripped = DONE.sub("", text)
    if stripped != text:
        return stripped, True
    if DONE_EN.search(text):
        return DONE_EN.sub("", text).rstrip(" ,;"), True
    return text, False


@dataclass
class Piece:
    start: float  # seconds into the turn
    future: Future[Transcript]
    #: when it was handed to transcription, and when its transcript was ready (epoch s)
    submitted: float = field(default_factory=time.time)
    finished: float | None = None

    def __post_init__(self) -> None:
        self.future.add_done_callback(lambda _: setattr(self, "finished", time.time()))


@dataclass
class Listener:
    vad: Vad = listening_vad
    audio: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    pieces: list[Piece] = field(default_factory=list)
    done_until: float = 0.0  # seconds of the turn handed to transcription
    nudged: bool = False
    heard_at: float = field(default_factory=time.time)  # when the audio's end came in
    #: held while a chunk is added and decided on (chunks are handled at once)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    @property
    def seconds(self) -> float:
        return len(self.audio) / SAMPLE_RATE

    def add(self, rate: int, data: np.ndarray) -> None:
        self.audio = np.concatenate([self.audio, to_mono_16k(rate, data)])
        self.heard_at = time.time()

    def decide(self) -> tuple[str, list[tuple[float, float]]]:
        """``("end"|"nudge"|"listening", speech spans)`` for the audio so far."""
        spans = self.vad(self.audio) if len(self.audio) >= SAMPLE_RATE // 2 else []
        if spans and (self.seconds - spans[-1][1] >= END_SILENCE_S or self.seconds > MAX_TURN_S):
            return "end", spans
        if not spans and self.seconds >= NUDGE_AFTER_S and not self.nudged:
            return "nudge", spans
        return "listening", spans

    def ready_piece(self, spans: list[tuple[float, float]]) -> tuple[float, np.ndarray] | None:
        """The speech closed by a pause and not yet transcribed, if any (without the
        silence before it)."""
        todo = [(s, e) for s, e in spans if e > self.done_until]
        gap = [SHORT_GAP_S if e - s <= SHORT_PIECE_S else PIECE_GAP_S for s, e in todo]
        closed = [e for (_s, e), g in zip(todo, gap, strict=True) if self.seconds - e >= g]
        if not closed:
            return None
        start = max(self.done_until, todo[0][0] - PAD_S)
        end = min(self.seconds, closed[-1] + PAD_S)
        self.done_until = end
        return start, self.audio[int(start * SAMPLE_RATE) : int(end * SAMPLE_RATE)]

    def tail(self, spans: list[tuple[float, float]]) -> tuple[float, np.ndarray] | None:
        """The speech left after the last piece (None: none)."""
        todo = [(s, e) for s, e in spans if e > self.done_until]
        if not todo:
            return None
        start = max(self.done_until, todo[0][0] - PAD_S)
        self.done_until = self.seconds
        return start, self.audio[int(start * SAMPLE_RATE) :]

    def wait_for_pieces(self, timeout: float) -> None:
        """Wait up to ``timeout`` s for the pieces handed to transcription."""
        wait([p.future for p in self.pieces], timeout=timeout)

    def heard_so_far(self) -> str:
        """The text of the pieces transcribed already."""
        return join_segments(
            [s for p in self.pieces if p.future.done() and not p.future.exception()
             for s in p.future.result().segments]
        )  # fmt: skip

    def transcript(self, speech: list[tuple[float, float]], long_pause_s: float) -> dict[str, Any]:
        """The turn: its text and speech metrics, from the pieces (waits for them)."""
        segments: list[Segment] = []
        for piece in self.pieces:
            try:
                part = piece.future.result(timeout=120)
            except Exception:  # a piece with no words (a cough): nothing to add
                continue
            segments += [s.model_copy(update={"start": s.start + piece.start,
                                              "end": s.end + piece.start})
                         for s in part.segments]  # fmt: skip
        text, _ = said_done(join_segments(segments))
        # the silence that ended the turn is the app's wait, not the candidate's pause
        until = min(self.seconds, speech[-1][1] + PAD_S) if speech else self.seconds
        metrics = compute_metrics(segments, until, speech=speech, long_pause_s=long_pause_s)
        return {"text": text, "speech": metrics.model_dump()}


@dataclass
class BargeIn:
    """The microphone while the interviewer speaks (see the module docstring)."""

    vad: Vad = listening_vad
    audio: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))

    def add(self, rate: int, data: np.ndarray) -> Listener | None:
        """A chunk in; the candidate's turn, begun with what they said so far, once they
        cut in (None until then)."""
        keep = int(BARGE_WINDOW_S * SAMPLE_RATE)
        self.audio = np.concatenate([self.audio, to_mono_16k(rate, data)])[-keep:]
        spans = self.vad(self.audio) if len(self.audio) >= SAMPLE_RATE // 2 else []
        if sum(end - start for start, end in spans) < BARGE_MIN_S:
            return None
        start = int(max(0.0, spans[0][0] - PAD_S) * SAMPLE_RATE)
        return Listener(vad=self.vad, audio=self.audio[start:].copy())

    def handover(self) -> Listener:
        """The interviewer has finished: the candidate's turn, begun with the words
        they had already started saying as the voice ended (too few to cut in), so an
        answer begun a moment early keeps its first words. Only speech still going on
        at the end is carried over (stretches apart by less than ``PIECE_GAP_S``); an
        earlier sound, a cough or an "嗯", is left behind."""
        spans = self.vad(self.audio) if len(self.audio) >= SAMPLE_RATE // 2 else []
        seconds = len(self.audio) / SAMPLE_RATE
        if not spans or seconds - spans[-1][1] > PIECE_GAP_S:
            return Listener(vad=self.vad)
        first = len(spans) - 1
        while first > 0 and spans[first][0] - spans[first - 1][1] < PIECE_GAP_S:
            first -= 1
        start = int(max(0.0, spans[first][0] - PAD_S) * SAMPLE_RATE)
        return Listener(vad=self.vad, audio=self.audio[start:].copy())
