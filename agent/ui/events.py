"""Which event runs which handler, with which inputs and outputs.

The outputs of an event are every component its handler may change (a handler's dict
may name fewer). Long-running handlers stream a status line ("minimal" progress);
after every answer the report is shown if the interview is over. Every event is
private: the app has no public API.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import gradio as gr

from agent.ui.views import COMMAND_WORDS

if TYPE_CHECKING:
    from agent.ui.handlers import MianshiUI

PRIVATE: dict[str, Any] = {"api_visibility": "private"}
WORKING: dict[str, Any] = {"show_progress": "minimal", **PRIVATE}


#: Voice mode switched on: press the microphone's Record once it shows (a moment later,
#: so its stream is wired), so the candidate need not click after Start.
AUTO_RECORD = """(on) => {
  if (!on) return;
  const since = Date.now();
  const press = () => {
    const record = [...document.querySelectorAll('#mic button')]
      .find((b) => b.innerText.trim() === 'Record' || b.getAttribute('aria-label') === 'Record');
    if (record) record.click();
    else if (Date.now() - since < 15000) setTimeout(press, 250);
  };
  setTimeout(press, 1500);
}"""


def _wire_voice_mode(ui: MianshiUI, started: Any) -> None:
    """Voice mode: the streaming microphone ends turns; each turn's reply is spoken.
    Chosen at setup, it is on from the first question with no click after Start."""
    c = ui.c
    toggled = c.hands_free.change(
        ui.voice.voice_mode, [c.hands_free, c.state], [c.mic, c.said_btn], **PRIVATE
    )
    toggled.then(None, [c.hands_free], None, js=AUTO_RECORD, **PRIVATE)
    started.then(ui.voice.voice_start, [c.voice_start, c.state], [c.hands_free], **PRIVATE)
    heard = [c.chat, c.status, c.turn, c.speaker]
    c.mic.stream(
        ui.voice.listen, [c.mic, c.state, c.voice_on], heard, stream_every=0.5, time_limit=None,
        concurrency_limit=None, show_progress="hidden", **PRIVATE,
    )  # fmt: skip
    c.said_btn.click(ui.voice.said, [c.state, c.voice_on], heard, **PRIVATE)
    c.turn.change(ui.voice.speak, [c.state, c.voice_on], [c.speaker, c.info], **PRIVATE)
    c.turn.change(ui.history_view.after_answer, [c.state], c.report_outputs, **PRIVATE)


def wire(ui: MianshiUI, demo: gr.Blocks) -> None:
    """Connect ``ui.c``'s components to ``ui``'s handlers (inside ``with demo:``)."""
    c = ui.c
    typed = [c.chat, c.status, c.answer]
    answers = [
        c.send_btn.click(ui.answer_text, [c.answer, c.state], typed, **WORKING),
        *(
            button.click(ui.command(COMMAND_WORDS[name]), [c.state], typed, **WORKING)
            for name, button in c.commands.items()
        ),
        *(
            trigger(ui.answer_audio, [c.audio, c.state], [c.chat, c.status, c.audio], **WORKING)
            for trigger in (c.audio.upload, c.audio.stop_recording)
        ),
        c.resume_btn.click(
            ui.history_view.resume, [c.pick, c.candidate], [*c.session_outputs, c.tabs], **WORKING
        ),
    ]
    for answered in answers:
        answered.then(ui.history_view.after_answer, [c.state], c.report_outputs, **PRIVATE)
        answered.then(ui.voice.speak, [c.state, c.voice_on], [c.speaker, c.info], **PRIVATE)
    started = c.start_btn.click(ui.start, c.setup_inputs, c.session_outputs, **WORKING)
    started.then(ui.voice.speak, [c.state, c.voice_on], [c.speaker, c.info], **PRIVATE)
    _wire_voice_mode(ui, started)
    for document in (c.cv, c.jd):
        document.change(
            ui.profile.read_profile,
            [c.cv, c.jd],
            [c.focus, c.focus_note, c.projects, c.intro],
            **PRIVATE,
        )
    c.new_btn.click(ui.new_interview, None, c.session_outputs, **PRIVATE)
    c.timer.tick(
        ui.poll, [c.state], [c.chat, c.status], show_progress="hidden", concurrency_limit=None,
        **PRIVATE,
    )  # fmt: skip
    past = ui.history_view
    for trigger in (c.refresh_btn.click, c.history_tab.select, demo.load):
        trigger(past.history, [c.candidate], [c.table, c.pick], show_progress="hidden", **PRIVATE)
    c.open_btn.click(past.open_report, [c.pick, c.candidate], c.report_outputs, **PRIVATE)
    shown = [c.trend, c.progress_md, c.weakest_btn]
    # on opening the tab only: a page-load call could land after it with another name
    view = ui.progress_view
    c.progress_tab.select(view.progress, [c.candidate], shown, show_progress="hidden", **PRIVATE)
    picked = [c.topics, c.tabs, c.status]
    c.weakest_btn.click(view.practise_weakest, [c.candidate], picked, **PRIVATE)
