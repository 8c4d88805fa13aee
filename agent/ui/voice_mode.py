"""The app's voice: the interviewer speaks every line, and in voice mode the candidate
just talks. Mixed into ``MianshiUI`` (uses its components ``c``, ``services``,
``settings`` and ``_converse``).

- ``speak``: the interviewer's new lines, sentence by sentence into the speaker:
  the first plays as soon as it is ready, each next one is synthesised while the one
  before plays and handed over as it ends (Gradio's streaming audio would need an
  ffmpeg binary; this needs none). Meanwhile the microphone is only listened to for
  the candidate cutting in (barge-in): then the voice stops and their turn begins.
- ``listen``: the microphone's stream (``agent/speech/listening.py``): a turn ends after
  2.5 s of silence, on "我说完了" or the Done button; the answer then goes to the
  interviewer like a typed one, and ``turn`` ticks so ``speak`` runs.
"""

from __future__ import annotations

import json
import logging
import math
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import gradio as gr
import numpy as np

from agent.diagnostics import warn_if_slow
from agent.interview.phrases import phrases
from agent.speech.listening import BargeIn, Listener, Piece, said_done
from agent.ui import views
from agent.ui.session import Message, UISession

if TYPE_CHECKING:
    from agent.ui.layout import Components
    from agent.ui.services import Services

log = logging.getLogger(__name__)
Updates = dict[Any, Any]

NUDGE = {
    "zh": "不着急，想好了就开始说；说完了可以说「我说完了」。",
    "en": "Take your time; start whenever you are ready, and say 'done' when you finish.",
}
#: The next sentence is handed to the browser this long before the last one ends.
HANDOVER_S = 0.15
#: A chunk that closed a piece waits this long for its words (another chunk may
#: arrive meanwhile; whichever sees the turn's end first ends it).
PIECE_WAIT_S = 1.5
#: ``UISession.listen_after`` from the end of a voice turn until ``speak`` has said the
#: reply's last sentence: chunks meanwhile are only listened to for a cut-in, and the
#: status line says 🎙 Listening once the candidate's turn has begun.
REPLY_COMING = math.inf
#: A reply that needs no model takes a tenth of a second; this long, and the log
#: says what it waits on.
SLOW_REPLY_S = 5.0
NOT_HEARD = "没有听清，请再说一遍，或者打字回答。 I did not catch that; say it again or type it."


def _speakable_lines(messages: list[Message]) -> list[str]:
    """The interviewer's own lines (not feedback or notes)."""
    return [
        str(m["content"])
        for m in messages
        if m.get("role") == "assistant" and not str(m["content"]).startswith(("📝", "⚠️"))
    ]


#: Hands one answer to the engine and streams the screen's updates (``MianshiUI``'s).
Converse = Callable[[UISession, "str | dict[str, Any]", Message], Iterator["Updates"]]


class VoiceHandlers:
    """The voice's handlers: the interviewer speaking, and voice mode's microphone
    stream. They get the screen, the shared services and the way an answer is handed
    to the engine (``converse``)."""

    def __init__(self, c: Components, services: Services, converse: Converse) -> None:
        self.c, self.services, self.settings = c, services, services.settings
        self._converse = converse

    # ------------------------------------------------------------------ speaking
    def speak(self, session: UISession | None, voice_on: bool) -> Iterator[Updates]:
        """The interviewer's lines not spoken yet, into the speaker. After a voice turn
        the microphone only listens for a cut-in until the reply has been spoken
        (``REPLY_COMING``); with nothing to say, the candidate's turn begins at once."""
        if session is None:
            return
        try:
            yield from self._speak(session, voice_on)
        finally:
            if session.listen_after == REPLY_COMING:
                session.listen_after = time.time()

    def _speak(self, session: UISession, voice_on: bool) -> Iterator[Updates]:
        with session.lock:
            new = _speakable_lines(session.messages[session.spoken :])
            session.spoken = len(session.messages)
        if not voice_on or not new:
            return
        session.barge, barges = None, session.barge_ins
        voice = self.services.voice(session.lang)
        reason = voice.available()
        if reason:
            if not session.voice_warned:
                session.voice_warned = True
                gr.Warning(f"面试官语音不可用 The voice is off: {reason}")
            return
        try:
            # not the candidate's turn until the last sentence has played, also while
            # a next sentence is still being made (the microphone is only listened to
            # for a cut-in meanwhile)
            plays_until, session.listen_after = 0.0, REPLY_COMING
            for n, part in enumerate(voice.speak("\n".join(new))):
                while time.time() < plays_until - HANDOVER_S and session.barge_ins == barges:
                    time.sleep(max(0.0, min(0.1, plays_until - HANDOVER_S - time.time())))
                if session.barge_ins != barges:  # the candidate cut in: stop talking
                    return
                now = time.time()
                if n == 0 and "speech_end" in session.timeline:
                    self._log_turn(session, now)
                plays_until = max(plays_until, now) + part.seconds
                audio = part.path.read_bytes()  # bytes: the cache dir is not served
                yield {self.c.speaker: audio, self.c.info: views.session_info(session)}
            if session.barge_ins == barges:
                session.listen_after = max(plays_until + 0.3, time.time())
        except Exception as exc:  # the text is on screen anyway: say why there is no voice
            log.warning("voice failed: %s", exc)
            gr.Warning(f"面试官语音出错 The voice failed: {exc}")

    @staticmethod
    def _log_turn(session: UISession, spoken: float) -> None:
        """The turn's gap, and where its time went (read by ``mianshi eval voice``)."""
        moments = {**session.timeline, "spoken": spoken}
        session.timeline = {}
        session.turn_gaps.append(round(spoken - moments["speech_end"], 2))
        steps: dict[str, float | str] = {
            k: round(v - moments["speech_end"], 3) for k, v in moments.items()
        }
        steps["ended_by"] = session.turn_ended_by
        steps["said_done"] = session.turn_said_done  # heard, whether or not it ended the turn
        at = moments["speech_end"]
        log.info("voice turn %s at %.3f: %s", session.session_id, at, json.dumps(steps))

    def _prepare_reply(self, session: UISession) -> None:
        """The reply's first sentence synthesised while the page asks ``speak`` for it."""
        with session.lock:
            new = _speakable_lines(session.messages[session.spoken :])
        voice = self.services.voice(session.lang)
        if new and voice.available() is None:
            self.services.submit(voice.prepare, new[0])

    def _ready_lead_ins(self, session: UISession) -> None:
        """Once a session, while the candidate talks: the interviewer's lead-ins
        ("好的，我们看下一题：" …) and the nudge into the voice's cache, so a reply's
        first sentence plays at once (cached on disk: after the first session, free)."""
        if session.lead_ins_ready:
            return
        session.lead_ins_ready = True
        p = phrases(session.lang)
        lines = [*p.get("transitions", []), *p.get("follow_up_intro", [])]
        lines.append(NUDGE.get(session.lang, NUDGE["zh"]))
        voice = self.services.voice(session.lang)

        def ready() -> None:
            if voice.available() is None:
                for line in lines:
                    for _ in voice.speak(str(line)):  # every sentence, into the cache
                        pass

        self.services.submit(ready)

    # ----------------------------------------------------------------- listening
    def voice_mode(self, on: bool, session: UISession | None) -> Updates:
        """Voice mode on: the streaming microphone and the Done button appear."""
        if session is not None:  # (a voice still speaking keeps its cut-in window)
            session.listener = None
        if on:  # the first turn should not wait for the speech model to load
            services = self.services
            services.submit(lambda: services.transcriber().warm())
        return {self.c.mic: gr.update(visible=on), self.c.said_btn: gr.update(visible=on)}

    def voice_start(self, chosen: bool, session: UISession | None) -> Updates:
        """After Start: voice mode on when it was chosen at setup (and the interview
        began)."""
        if not chosen or session is None or session.done:
            return gr.skip()
        return gr.update(value=True)

    def listen(
        self,
        chunk: tuple[int, np.ndarray] | None,
        session: UISession | None,
        voice_on: bool = True,
        done: bool = False,
    ) -> Updates:
        """One microphone chunk (or the Done button, ``done``); ``voice_on``: the reply
        will be spoken."""
        if session is None or session.done or session.busy:
            return gr.skip()
        if chunk is not None and not done:
            if time.time() < session.listen_after:  # the interviewer is speaking
                return self._barge_in(session, chunk, voice_on)
            with session.lock:
                new = session.listener is None
                if new:  # the voice has ended: words begun as it ended are kept
                    barge, session.barge = session.barge, None
                    session.listener = barge.handover() if barge else Listener()
            if new and voice_on:
                self._ready_lead_ins(session)
        listener = session.listener
        if listener is None:
            return gr.skip()
        # Gradio hands chunks to handlers running at once: one at a time here, in
        # order, or a chunk added meanwhile would be lost or swapped (garbling the words)
        with listener.lock:
            if chunk is not None and not done:
                listener.add(*chunk)
            verdict, spans = listener.decide()
            if verdict == "nudge":
                listener.nudged = True
                nudge = NUDGE.get(session.lang, NUDGE["zh"])
                session.add([{"role": "assistant", "content": nudge}])
                return {self.c.chat: session.snapshot(), self.c.turn: session.next_turn()}
            piece = listener.ready_piece(spans)
            if piece is not None:
                self._transcribe_piece(listener, *piece, language=session.lang)
        if piece is not None and verdict == "listening" and not done:
            # its words may be "我说完了": the turn ends when Whisper has them, not at
            # a later chunk
            listener.wait_for_pieces(PIECE_WAIT_S)
        _, finished = said_done(listener.heard_so_far())
        if verdict == "end" or finished or done:
            with session.lock:  # chunks are handled at once: one of them ends the turn
                if session.listener is not listener:
                    return gr.skip()
                session.listener = None
            if not spans:
                return gr.skip() if not done else {self.c.status: f"⚠️ {NOT_HEARD}"}
            by = "button" if done else "said" if finished else "silence"
            return self._finish_turn(session, listener, spans, voice_on, by)
        return gr.skip()

    def _barge_in(
        self, session: UISession, chunk: tuple[int, np.ndarray], voice_on: bool
    ) -> Updates:
        """A chunk heard while the interviewer speaks: when the candidate has started
        talking, the voice stops and their turn begins with what they said."""
        with session.lock:
            session.barge = session.barge or BargeIn()
            listener = session.barge.add(*chunk)
            if listener is None:
                return gr.skip()
            session.barge, session.listener = None, listener
            session.listen_after = time.time()
            session.barge_ins += 1
        log.info("voice turn %s: the candidate cut in", session.session_id)
        if voice_on:
            self._ready_lead_ins(session)
        return {self.c.speaker: gr.update(value=None),
                self.c.status: "🎙 在听 Listening…（你打断了面试官 you cut in）"}  # fmt: skip

    def said(self, session: UISession | None, voice_on: bool = True) -> Updates:
        """The Done button: the turn ends now."""
        return self.listen(None, session, voice_on, done=True)

    def _transcribe_piece(
        self, listener: Listener, start: float, audio: np.ndarray, *, language: str
    ) -> None:
        future = self.services.transcribe(audio, short=True, language=language)
        listener.pieces.append(Piece(start, future))

    def _finish_turn(
        self,
        session: UISession,
        listener: Listener,
        spans: list[tuple[float, float]],
        voice_on: bool,
        by: str = "silence",
    ) -> Updates:
        """The turn is over (``by`` the silence, the candidate saying so, or the button):
        its transcript goes to the interviewer."""
        now = time.time()
        session.turn_ended_by = by
        speech_end = listener.heard_at - max(0.0, listener.seconds - spans[-1][1])
        tail = listener.tail(spans)
        if tail is not None:
            self._transcribe_piece(listener, *tail, language=session.lang)
        answer = listener.transcript(spans, self.settings.asr_long_pause_s)
        session.turn_said_done = said_done(listener.heard_so_far())[1]
        session.timeline = {"speech_end": speech_end, "turn_end": now, "transcribed": time.time()}
        spoken = [p for p in listener.pieces if p.start < spans[-1][1]]
        if spoken:  # the piece with the last words: when it went to Whisper, and came back
            session.timeline["last_piece_in"] = spoken[-1].submitted
            session.timeline["last_piece_out"] = spoken[-1].finished or time.time()
        if not answer["text"].strip():
            session.timeline = {}
            session.add([views.note_message(NOT_HEARD)])
            return {self.c.chat: session.snapshot(), self.c.status: f"⚠️ {NOT_HEARD}"}
        if not session.try_begin():
            return gr.skip()
        try:
            shown = views.spoken_message(answer["text"], answer["speech"], session.lang)
            session.add([shown])
            updates: Updates = {}
            with warn_if_slow("the interviewer's reply to a voice turn", SLOW_REPLY_S):
                for update in self._converse(session, answer, shown):
                    updates.update(update)
            session.timeline["replied"] = time.time()
            session.listen_after = REPLY_COMING  # not the candidate's turn before it
            if voice_on:
                self._prepare_reply(session)
        finally:
            session.end()
        return {**updates, self.c.turn: session.next_turn()}
