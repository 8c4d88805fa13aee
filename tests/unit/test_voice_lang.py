"""The interviewer speaks the interview's language (issue 32 item 3): an English
interview gets the English voice, with its own worker and cache. The real voices run in
tests/integration/test_voice_en.py."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from agent.settings import Settings
from agent.ui.services import Services
from agent.voice.voice import Voice


def test_each_language_has_its_own_voice_and_cache(isolated_settings: Settings) -> None:
    services = Services(isolated_settings)
    try:
        zh, en = services.voice("zh"), services.voice("en")
        assert services.voice("en") is en and zh is not en
        assert (zh.spec.name, en.spec.name) == ("zh", "en-pico-gb")
        assert en.spec.sentences("好的。Next question: Why?") == ["Next question:", "Why?"]
    finally:
        services.close()


def test_a_voice_whose_engine_cannot_load_says_so_and_how_to_install_it(
    isolated_settings: Settings, tmp_path: Path
) -> None:
    from agent.errors import UserError
    from agent.voice.voices import VOICES, VoiceSpec

    settings = isolated_settings.model_copy(
        update={"voice_python": Path(sys.executable), "cache_dir": tmp_path}
    )
    VOICES["broken"] = VoiceSpec("broken", "NO-SUCH-ENGINE", (), "x", 1.0, str.split, "words")
    voice = Voice(settings, "broken")
    try:
        with pytest.raises(UserError, match=r"unknown voice engine.*make voice"):
            voice.sentence("hello")
    finally:
        voice.close()
        del VOICES["broken"]


def test_the_english_voice_is_a_setting(isolated_settings: Settings) -> None:
    from agent.errors import UserError

    piper = isolated_settings.model_copy(update={"english_voice": "en-piper"})
    assert Voice(piper, "en").spec.engine == "PIPER" and Voice(piper, "zh").spec.name == "zh"
    assert Voice(isolated_settings, "en-pico").spec.args == ("en-US",)
    with pytest.raises(UserError, match="English voices are en-pico-gb, en-pico, en-piper"):
        Voice(isolated_settings.model_copy(update={"english_voice": "nope"}), "en")
