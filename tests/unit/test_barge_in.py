"""Barge-in: the candidate starting to talk while the interviewer speaks stops the
voice, and what they say begins their answer. The real Silero VAD (bundled with
faster-whisper) on a real recording (AISHELL-1, ../shared/audio)."""

from __future__ import annotations

import time
import wave
from concurrent.futures import Future
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import numpy as np
import pytest

from agent.speech.listening import BARGE_MIN_S, PAD_S, BargeIn, Listener
from agent.speech.transcriber import SAMPLE_RATE
from agent.ui.session import UISession
from agent.ui.voice_mode import VoiceHandlers

#: the first words of the clip, as long as they stay too short to cut in
SAID_S = 0.9
CLIP = Path(__file__).resolve().parents[3] / "shared" / "audio" / "BAC009S0764W0121.wav"


def clip() -> tuple[int, np.ndarray]:
    if not CLIP.exists():
        pytest.fail(f"the shared recordings are missing: {CLIP}")
    with wave.open(str(CLIP), "rb") as f:
        rate, data = f.getframerate(), f.readframes(f.getnframes())
    return rate, np.frombuffer(data, dtype=np.int16)


def chunks(rate: int, audio: np.ndarray, seconds: float = 0.5) -> list[tuple[int, np.ndarray]]:
    step = int(rate * seconds)
    return [(rate, audio[i : i + step]) for i in range(0, len(audio), step)]


def test_speech_while_the_interviewer_talks_begins_the_candidates_turn() -> None:
    rate, speech = clip()
    audio = np.concatenate([np.zeros(rate, np.int16), speech])
    barge, turns = BargeIn(), []
    for part in chunks(rate, audio):
        turn = barge.add(*part)
        turns.append(turn)
        if turn is not None:
            break
    assert all(t is None for t in turns[:2])  # the second of silence: nothing
    turn = turns[-1]
    assert isinstance(turn, Listener)
    heard = len(turns) * 0.5 - 1.0  # seconds of speech heard when it cut in
    assert BARGE_MIN_S <= heard <= BARGE_MIN_S + 1.0  # soon, not at the end of the clip
    assert turn.seconds >= BARGE_MIN_S  # from the first word, not the silence before
    spans = turn.vad(turn.audio)
    assert spans and spans[0][0] <= 0.5


def test_words_begun_as_the_voice_ends_begin_the_answer() -> None:
    """Too few words to cut in, still being said when the interviewer finishes: they
    begin the answer (they were dropped: the turn began with the next chunk)."""
    rate, speech = clip()
    barge = BargeIn()
    begun = speech[: int(SAID_S * rate)]  # its first words (they start 0.44 s in)
    for part in chunks(rate, np.concatenate([np.zeros(rate, np.int16), begun])):
        assert barge.add(*part) is None  # too little to cut in
    turn = barge.handover()
    assert 0.3 <= turn.seconds <= SAID_S - 0.44 + PAD_S + 0.05  # the words, not the silence
    assert turn.vad(np.concatenate([turn.audio, np.zeros(SAMPLE_RATE, np.float32)]))


def test_an_earlier_sound_is_not_carried_over() -> None:
    rate, speech = clip()
    barge = BargeIn()
    quiet = np.zeros(rate * 2, np.int16)
    for part in [(rate, speech[int(0.2 * rate) : int(0.7 * rate)]), *chunks(rate, quiet)]:
        barge.add(*part)
    assert barge.handover().seconds == 0  # a word 2 s before the voice ended: not the answer
    assert BargeIn().handover().seconds == 0


def test_a_short_sound_or_silence_does_not_cut_in() -> None:
    rate, speech = clip()
    short = speech[: int(0.3 * rate)]  # a word's worth
    barge = BargeIn()
    quiet = np.zeros(rate * 3, np.int16)
    for part in [*chunks(rate, quiet), (rate, short), *chunks(rate, quiet)]:
        assert barge.add(*part) is None
    assert barge.audio.size <= 4.0 * SAMPLE_RATE  # only the last seconds are kept


class _Voice:
    def __init__(self, parts: int) -> None:
        self.parts, self.spoken = parts, 0

    def available(self) -> None:
        return None

    def speak(self, _text: str) -> Any:
        for _ in range(self.parts):
            self.spoken += 1
            path = Path(__file__)  # any bytes: the handler only reads them
            yield SimpleNamespace(seconds=30.0, path=path)  # a long sentence


def _handlers(voice: _Voice) -> VoiceHandlers:
    c = SimpleNamespace(speaker="speaker", status="status", info="info", chat="chat", turn="turn")
    services = SimpleNamespace(
        settings=SimpleNamespace(),
        voice=lambda lang="zh": voice,
        submit=lambda fn: None,
        transcribe=lambda *a, **k: Future(),  # the pieces' words are not read here
    )
    return VoiceHandlers(cast(Any, c), cast(Any, services), converse=lambda *a: iter(()))


def test_cutting_in_stops_the_voice_and_keeps_what_was_said() -> None:
    rate, speech = clip()
    voice = _Voice(parts=5)
    ui = _handlers(voice)
    session = UISession(session_id="s", questions=2, main_index=1)
    session.messages = [{"role": "assistant", "content": "第一题：请解释注意力机制。"}]
    speaking = ui.speak(session, voice_on=True)
    assert "speaker" in next(speaking)  # the first sentence plays
    assert session.listen_after > 0
    updates: Any = None
    for part in chunks(rate, speech):
        updates = ui.listen(part, session, voice_on=True)
        if "speaker" in updates:  # else gr.skip(): nothing changes on screen
            break
    assert "speaker" in updates, "the candidate's speech never cut in"
    assert updates["speaker"]["value"] is None  # the voice stops in the browser
    assert session.barge_ins == 1 and isinstance(session.listener, Listener)
    assert list(speaking) == [] and voice.spoken <= 2  # and no further sentence is sent
    assert session.listener.seconds >= BARGE_MIN_S  # the words so far begin the answer


def test_the_turn_after_the_voice_keeps_the_words_begun_during_it() -> None:
    """In the handlers: chunks heard while the interviewer speaks, then the voice ends
    and the candidate goes on talking: the turn holds the first half second too."""
    rate, speech = clip()
    ui = _handlers(_Voice(parts=1))
    session = UISession(session_id="s", questions=2, main_index=1)
    session.listen_after = time.time() + 60  # the interviewer is speaking
    said = int(SAID_S * rate)
    for part in chunks(rate, np.concatenate([np.zeros(rate, np.int16), speech[:said]])):
        ui.listen(part, session, voice_on=False)
    assert session.listener is None and session.barge is not None
    session.listen_after = time.time() - 0.1  # the voice has ended
    ui.listen((rate, speech[said : said + rate // 2]), session, voice_on=False)
    assert isinstance(session.listener, Listener) and session.barge is None
    assert session.listener.seconds >= 0.5 + 0.3  # not only the chunk after the voice


def test_after_a_voice_turn_the_turn_begins_when_the_reply_has_been_said() -> None:
    """Between a voice turn and the reply's first sentence the microphone only listens
    for a cut-in (no turn, so the status does not say Listening while the interviewer
    is about to talk); the reply sets when the turn begins, and with nothing said
    (the voice off) it begins at once."""
    from agent.ui.voice_mode import REPLY_COMING

    rate = SAMPLE_RATE
    ui = _handlers(_Voice(parts=1))
    session = UISession(session_id="s", questions=2, main_index=1)
    session.listen_after = REPLY_COMING  # as _finish_turn leaves it
    ui.listen((rate, np.zeros(rate // 2, np.int16)), session, voice_on=True)
    assert session.listener is None  # the reply is coming: no turn yet
    session.messages = [{"role": "assistant", "content": "好的，下一题。"}]
    assert list(ui.speak(session, voice_on=False)) == []
    assert session.listen_after <= time.time()  # nothing said: the turn begins now
    session.listen_after = REPLY_COMING
    session.messages.append({"role": "assistant", "content": "请解释位置编码。"})
    assert len(list(ui.speak(session, voice_on=True))) == 1
    assert time.time() + 29 < session.listen_after < time.time() + 31  # after the 30 s line
