"""One browser session's interview (``UISession``), kept in ``gr.State``, never shared.

Chat messages use Gradio 6's messages format: ``{"role": "user"|"assistant",
"content": str}``. The interviewer is the assistant, the candidate the user.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from agent.interview.report_types import Report

Message = dict[str, Any]


@dataclass
class UISession:
    """What one browser session shows of its interview.

    ``messages`` is what the chat shows; handlers running at once for the same browser
    session (an answer being processed, the feedback timer) append under ``lock`` and
    render a snapshot, so neither loses the other's messages.
    """

    session_id: str
    mode: str = "practice"
    lang: str = "zh"
    questions: int = 0
    main_index: int = 0
    messages: list[Message] = field(default_factory=list)
    feedback_shown: set[int] = field(default_factory=set)
    done: bool = False
    busy: bool = False
    report: Report | None = None
    #: a notice in the status line (an answer refused) stays this long before the
    #: feedback timer's progress line may replace it (``time.monotonic()``)
    status_held_until: float = 0.0
    #: the engine's ``Step.at`` for the line on screen (see ``Engine.reply``)
    at: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)
    # --- the voice (agent/ui/voice_mode.py)
    #: messages up to here have been considered for speaking
    spoken: int = 0
    voice_warned: bool = False
    lead_ins_ready: bool = False  # the voice's lead-ins are cached (voice mode)
    #: voice mode: the turn being heard, when to listen again (the interviewer's
    #: line has played), the last turn's moments (``speech_end``, ``turn_end``,
    #: ``transcribed``, ``replied``: epoch seconds), and end-of-speech →
    #: interviewer-speaking gaps (seconds)
    listener: Any = field(default=None, repr=False, compare=False)
    listen_after: float = 0.0
    #: voice mode, while the interviewer speaks: the microphone heard meanwhile
    #: (``BargeIn``), and how many times the candidate cut in (the voice stops)
    barge: Any = field(default=None, repr=False, compare=False)
    barge_ins: int = 0
    timeline: dict[str, float] = field(default_factory=dict)
    turn_gaps: list[float] = field(default_factory=list)
    turn_ended_by: str = ""  # the last voice turn: "silence", "said" or "button"
    turn_said_done: bool = False  # … and whether its words end with "我说完了"
    turns_heard: int = 0

    def next_turn(self) -> int:
        """A new number for the voice-mode turn marker (its change starts speaking)."""
        with self.lock:
            self.turns_heard += 1
            return self.turns_heard

    def add(self, messages: Iterable[Message]) -> None:
        with self.lock:
            self.messages.extend(messages)

    def snapshot(self) -> list[Message]:
        with self.lock:
            return [dict(m) for m in self.messages]

    def try_begin(self) -> bool:
        """Claim the session for one answer; False while another is being processed."""
        with self.lock:
            if self.busy or self.done:
                return False
            self.busy = True
            return True

    def end(self) -> None:
        with self.lock:
            self.busy = False
