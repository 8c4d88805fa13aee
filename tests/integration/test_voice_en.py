"""English speech out and in, for real: the bundled English voice (SVOX Pico en-GB,
`make voice`) says a sentence, the bundled Whisper base hears it in English; the
eval's second English voice (Piper's en_US joe) too. A few seconds of audio each."""

from __future__ import annotations

import os
import subprocess
import sys
import wave
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.settings import load_settings
from agent.speech.transcriber import Transcriber
from agent.voice.voice import Voice
from evals.eval_voice_en import word_errors

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[2]
SENTENCE = "Explain how the attention mechanism turns queries and keys into weights."


@pytest.fixture(scope="module")
def transcriber() -> Transcriber:
    return Transcriber(load_settings())


@pytest.fixture(params=["en", "en-piper"])
def voice(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Voice]:
    v = Voice(load_settings().model_copy(update={"cache_dir": tmp_path}), request.param)
    assert v.available() is None, v.available()  # make test installs it (make voice)
    yield v
    v.close()


def test_an_english_sentence_comes_back_through_whisper_in_english(
    voice: Voice, transcriber: Transcriber
) -> None:
    out = voice.cache / "sentence.wav"
    parts = voice.say_to_file(SENTENCE, out)
    assert 2.0 < sum(p.seconds for p in parts) < 8.0
    heard = transcriber.transcribe(out, language="en")
    errors = word_errors(SENTENCE, heard.text)
    print(f"{voice.spec.name}: {heard.text!r}: {errors['word_errors']}/{errors['words']} words")
    assert heard.language == "en" and heard.text.isascii()
    # `mianshi eval voice-en` measures the WER on 60 held-out questions (README,
    # "English voice"); this plain sentence of 11 words may lose two, not more.
    assert errors["words"] == 11 and errors["word_errors"] <= 2
    assert heard.metrics.english_words >= 10 and heard.metrics.words_per_minute > 100


def test_mianshi_say_speaks_english_with_lang_en(tmp_path: Path) -> None:
    out = tmp_path / "q.wav"
    done = subprocess.run(
        [sys.executable, "-m", "agent.cli.main", "say", "--lang", "en", "Tell me about LoRA.",
         "--out", str(out)],
        cwd=REPO, env={**os.environ, "MIANSHI_CACHE_DIR": str(tmp_path)}, capture_output=True,
        text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    with wave.open(str(out), "rb") as w:
        assert w.getframerate() == 16000 and w.getnframes() / w.getframerate() > 0.8  # Pico
    assert "read as: Tell me about Lora." in done.stderr
