"""The interview's language reaches Whisper (issue 32 item 3): an English interview's
answers are heard in English (no Chinese conversion) and "I'm done" ends an English
turn. A fake stands in for Whisper here; tests/integration/test_voice_en.py runs the
real one."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import numpy as np
import pytest

from agent.settings import Settings
from agent.speech.listening import SHORT_GAP_S, Listener, said_done
from agent.speech.metrics import Segment, compute_metrics
from agent.speech.transcriber import SAMPLE_RATE, Transcriber, Transcript, _t2s
from agent.ui.handlers import MianshiUI
from agent.ui.services import Services
from tests.unit.test_listening import chunk, loud_spans
from tests.unit.test_ui_handlers import SETUP, FakeEngine, checked


def test_whisper_is_asked_for_the_interviews_language_unless_the_user_chose_auto(
    isolated_settings: Settings,
) -> None:
    transcriber = Transcriber(isolated_settings)  # asr_language: zh by default
    assert transcriber.language_for("en") == "en"
    assert transcriber.language_for("zh") == "zh"
    assert transcriber.language_for(None) == "zh"
    auto = Transcriber(isolated_settings.model_copy(update={"asr_language": "auto"}))
    assert auto.language_for("en") is None and auto.language_for(None) is None


def test_english_is_decoded_in_english_and_left_as_written_chinese_is_simplified(
    isolated_settings: Settings,
) -> None:
    asked: list[Any] = []

    def transcribe(audio: np.ndarray, **options: Any) -> tuple[list[Any], Any]:
        asked.append(options["language"])
        heard = options["language"] or "zh"
        text = " Attention weighs the values." if heard == "en" else "注意力機制"
        return [SimpleNamespace(start=0.0, end=1.0, text=text)], SimpleNamespace(language=heard)

    transcriber = Transcriber(isolated_settings)
    transcriber._converter = _t2s()
    model: Any = SimpleNamespace(transcribe=transcribe)
    audio = np.zeros(SAMPLE_RATE, np.float32)
    english, language = transcriber._decode(model, audio, None, "en")
    assert language == "en" and english[0].text == "Attention weighs the values."
    chinese, language = transcriber._decode(model, audio, None, "zh")
    assert language == "zh" and chinese[0].text == "注意力机制"  # 機 → 机
    assert asked == ["en", "zh"]


def test_english_segments_are_joined_with_spaces() -> None:
    from agent.speech.transcript_text import join_segments

    segments = [Segment(start=0, end=1, text="Yes."), Segment(start=1, end=2, text="It does,")]
    segments.append(Segment(start=2, end=3, text="mostly."))
    assert join_segments(segments) == "Yes. It does, mostly."


def _transcript(text: str) -> Transcript:
    seg = Segment(start=0.0, end=1.5, text=text)
    return Transcript(text=text, segments=[seg], language="en", duration_s=2.0,
                      metrics=compute_metrics([seg], 2.0))  # fmt: skip


@pytest.fixture
def heard(isolated_settings: Settings) -> Any:
    """An app whose fake Whisper records the language each recording is heard in."""
    languages: list[str | None] = []

    def transcribe(audio: Any, short: bool = False, language: str | None = None) -> Transcript:
        languages.append(language)
        return _transcript("Attention is a weighted sum.")

    services = Services(
        isolated_settings,
        engine_factory=lambda settings, bank, store: cast(Any, FakeEngine()),  # the fake
        transcriber_factory=lambda settings: cast(Any, SimpleNamespace(transcribe=transcribe)),
    )
    ui = MianshiUI(services)
    yield ui, ui.create_app(), languages
    services.close()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_recorded_answer_is_heard_in_the_interviews_language(heard: Any, lang: str) -> None:
    ui, demo, languages = heard
    setup = list(SETUP)
    setup[5] = lang
    session = checked(demo, ui.start, ui.start(*setup))[-1][ui.c.state]
    assert session.lang == lang
    updates = checked(demo, ui.answer_audio, ui.answer_audio("/tmp/a.wav", session))
    assert languages == [lang]
    spoken = next(m["content"] for m in updates[-1][ui.c.chat] if m["content"].startswith("🎤"))
    assert ("words/min" in spoken) and (("时长" in spoken) == (lang == "zh"))


def test_voice_mode_pieces_are_heard_in_the_interviews_language(
    heard: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from agent.ui import voice_mode

    ui, demo, languages = heard
    monkeypatch.setattr(voice_mode, "Listener", partial(Listener, vad=loud_spans))
    setup = list(SETUP)
    setup[5] = "en"
    session = checked(demo, ui.start, ui.start(*setup))[-1][ui.c.state]
    ui.voice.listen(chunk(2.0, True), session, False)
    ui.voice.listen(chunk(SHORT_GAP_S + 0.1, False), session, False)  # a pause closes a piece
    assert languages and set(languages) == {"en"}


def test_saying_im_done_ends_an_english_turn_but_a_sentence_ending_in_done_does_not() -> None:
    assert said_done("It runs in parallel. I'm done.") == ("It runs in parallel.", True)
    assert said_done("Softmax normalises the scores, okay, I am finished") == (
        "Softmax normalises the scores",
        True,
    )
    assert said_done("Done.") == ("", True)
    assert said_done("That is how the job gets done.")[1] is False
    assert said_done("I think I'm done")[1] is False
    assert said_done("注意力就是加权求和，我说完了。") == ("注意力就是加权求和", True)


def test_mianshi_transcribe_takes_the_language(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from agent.cli.main import main
    from agent.speech import transcriber

    asked: list[str | None] = []

    class Fake:
        def __init__(self, settings: Settings) -> None:
            pass

        def transcribe(self, path: Path, language: str | None = None) -> Transcript:
            asked.append(language)
            return _transcript("Hello there.")

    monkeypatch.setattr(transcriber, "Transcriber", Fake)
    assert main(["transcribe", "a.wav", "--lang", "en"]) == 0
    assert main(["transcribe", "a.wav"]) == 0
    assert asked == ["en", None] and '"text": "Hello there."' in capsys.readouterr().out
