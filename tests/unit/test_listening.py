"""Voice mode's turn-taking on synthetic audio (the VAD is a stand-in that reports
speech where the signal is loud; the real Silero VAD runs in the browser test)."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Future

import numpy as np
import pytest

from agent.settings import Settings
from agent.speech.listening import (
    END_SILENCE_S,
    NUDGE_AFTER_S,
    PAD_S,
    Listener,
    said_done,
    to_mono_16k,
)
from agent.speech.metrics import Segment, compute_metrics
from agent.speech.transcriber import SAMPLE_RATE, Transcript


def loud_spans(audio: np.ndarray) -> list[tuple[float, float]]:
    """Speech = 0.1 s frames whose level is above 0.1."""
    frame = SAMPLE_RATE // 10
    loud = [np.abs(audio[i : i + frame]).mean() > 0.1 for i in range(0, len(audio), frame)]
    spans: list[tuple[float, float]] = []
    for n, on in enumerate(loud):
        if on and spans and abs(spans[-1][1] - n / 10) < 1e-9:
            spans[-1] = (spans[-1][0], (n + 1) / 10)
        elif on:
            spans.append((n / 10, (n + 1) / 10))
    return spans


def chunk(seconds: float, loud: bool) -> tuple[int, np.ndarray]:
    n = int(seconds * 48_000)
    data = np.full((n, 2), 8000 if loud else 0, dtype=np.int16)  # stereo int16 at 48 kHz
    return 48_000, data


def test_microphone_chunks_become_16k_mono_float() -> None:
    audio = to_mono_16k(*chunk(1.0, True))
    assert audio.dtype == np.float32 and len(audio) == SAMPLE_RATE
    assert 0.2 < float(audio.mean()) < 0.3


def test_a_turn_ends_after_the_thinking_pause_not_before() -> None:
    listener = Listener(vad=loud_spans)
    listener.add(*chunk(0.5, False))
    listener.add(*chunk(2.0, True))
    listener.add(*chunk(END_SILENCE_S - 0.6, False))  # thinking
    assert listener.decide()[0] == "listening"
    listener.add(*chunk(1.0, True))  # goes on
    listener.add(*chunk(END_SILENCE_S - 0.2, False))
    assert listener.decide()[0] == "listening"
    listener.add(*chunk(0.4, False))
    verdict, spans = listener.decide()
    assert verdict == "end" and len(spans) == 2


def test_a_stretch_closed_by_a_pause_is_transcribed_once_then_the_tail() -> None:
    listener = Listener(vad=loud_spans)
    listener.add(*chunk(2.0, True))
    assert listener.ready_piece(listener.decide()[1]) is None  # still speaking
    listener.add(*chunk(1.0, False))
    start, audio = listener.ready_piece(listener.decide()[1]) or (None, None)
    assert start == 0.0 and audio is not None and len(audio) > 2 * SAMPLE_RATE
    assert listener.ready_piece(listener.decide()[1]) is None  # not twice
    listener.add(*chunk(1.0, True))
    tail = listener.tail(listener.decide()[1])
    assert tail is not None and tail[0] > 2.0
    assert listener.tail(listener.decide()[1]) is None  # nothing new said


def test_a_piece_leaves_out_the_silence_before_it() -> None:
    listener = Listener(vad=loud_spans)
    listener.add(*chunk(3.0, False))  # the candidate thinks first
    listener.add(*chunk(2.0, True))
    listener.add(*chunk(1.0, False))
    start, audio = listener.ready_piece(listener.decide()[1]) or (None, None)
    assert start is not None and 2.5 <= start < 3.0 and audio is not None
    assert len(audio) < 3.5 * SAMPLE_RATE  # the speech and a little silence only


def test_silence_gets_one_nudge_and_said_done_ends_the_text() -> None:
    listener = Listener(vad=loud_spans)
    listener.add(*chunk(NUDGE_AFTER_S + 0.5, False))
    assert listener.decide()[0] == "nudge"
    listener.nudged = True
    assert listener.decide()[0] == "listening"
    assert said_done("注意力就是加权求和，我说完了。") == ("注意力就是加权求和", True)
    assert said_done("说完了就走") == ("说完了就走", False)
    assert said_done("甚至出现交易几乎停止的情况我输完了") == ("甚至出现交易几乎停止的情况", True)
    assert said_done("就这些，讲完啦！") == ("就这些", True)
    assert said_done("这样模型就训练完了") == ("这样模型就训练完了", False)


def test_the_turns_transcript_joins_its_pieces_with_their_times() -> None:
    listener = Listener(vad=loud_spans)
    listener.add(*chunk(4.0, True))
    for start, text in ((0.0, "我觉得"), (2.0, "是这样的。我说完了")):
        future: Future[Transcript] = Future()
        seg = Segment(start=0.2, end=1.5, text=text)
        metrics = compute_metrics([seg], 2.0)
        future.set_result(Transcript(text=text, segments=[seg], language="zh", duration_s=2.0,
                                     metrics=metrics))  # fmt: skip
        from agent.speech.listening import Piece

        listener.pieces.append(Piece(start, future))
    answer = listener.transcript([(0.0, 4.0)], long_pause_s=2.0)
    assert answer["text"] == "我觉得是这样的"
    assert answer["speech"]["duration_s"] == 4.0
    # the silence that ended the turn is not counted as the candidate's
    listener.add(*chunk(END_SILENCE_S + 0.1, False))
    answer = listener.transcript([(0.0, 4.0)], long_pause_s=2.0)
    assert answer["speech"]["duration_s"] == 4.0 + PAD_S
    assert answer["speech"]["silence_ratio"] < 0.1  # it was 0.39


def test_a_long_stretch_without_a_pause_is_cut_for_transcription() -> None:
    """The real Silero VAD: 7 s said without a pause (wenet-long.wav) is two spans."""
    from pathlib import Path

    from agent.speech.audio import load_audio
    from agent.speech.listening import listening_vad

    clip = Path(__file__).resolve().parents[3] / "shared" / "audio" / "wenet-long.wav"
    spans = listening_vad(load_audio(clip))
    assert len(spans) >= 2 and max(e - s for s, e in spans) <= 6.2, spans


def test_the_interviewers_lead_ins_are_cached_once_a_session_while_the_candidate_talks(
    isolated_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from types import SimpleNamespace

    from agent.interview.phrases import phrases
    from agent.ui.handlers import MianshiUI
    from agent.ui.services import Services
    from agent.ui.session import UISession
    from agent.ui.voice_mode import NUDGE

    said: list[str] = []
    available: list[str | None] = [None]

    def speak(line: str) -> Iterator[str]:
        said.append(line)
        return iter([])

    voice = SimpleNamespace(available=lambda: available[0], speak=speak)
    services = Services(isolated_settings)
    monkeypatch.setattr(services, "voice", lambda lang="zh": voice)
    monkeypatch.setattr(services, "submit", lambda fn: fn())  # at once, in this thread
    ui = MianshiUI(services)
    ui.create_app()
    session = UISession(session_id="s", lang="zh")
    ui.voice._ready_lead_ins(session)
    ui.voice._ready_lead_ins(session)
    p = phrases("zh")
    assert said == [*p["transitions"], *p["follow_up_intro"], NUDGE["zh"]]  # once
    said.clear()
    available[0] = "not installed"
    ui.voice._ready_lead_ins(UISession(session_id="s", lang="zh"))
    assert said == []


def test_a_short_stretch_after_a_pause_is_transcribed_sooner_than_a_long_one() -> None:
    """ "我说完了" on its own (≤ SHORT_PIECE_S) goes to Whisper after SHORT_GAP_S of
    silence; a long stretch still waits PIECE_GAP_S."""
    from agent.speech.listening import PIECE_GAP_S, SHORT_GAP_S, SHORT_PIECE_S

    for seconds, gap in ((SHORT_PIECE_S - 1.0, SHORT_GAP_S), (SHORT_PIECE_S + 1.0, PIECE_GAP_S)):
        listener = Listener(vad=loud_spans)
        listener.add(*chunk(seconds, True))
        listener.add(*chunk(gap - 0.15, False))
        assert listener.ready_piece(listener.decide()[1]) is None, seconds
        listener.add(*chunk(0.2, False))
        assert listener.ready_piece(listener.decide()[1]) is not None, seconds
