"""The interviewer's voice: lines spoken offline, sentence by sentence, cached.

One ``Voice`` per interview language (``Voice(settings, "en")``; the voices are in
``voices.py``: Mandarin for zh, English for en). Synthesis runs in the voice worker
(``worker.py``) under the voice environment's Python (``.venv-voice``, made by ``make
voice``; ``MIANSHI_VOICE_PYTHON`` points elsewhere), started on first use and kept
running; one request at a time. Each sentence's WAV is cached by its voice and
speakable text (``cache_dir/voice/``), so a repeated question costs no synthesis. A
worker that died is started again on the next line.
"""

from __future__ import annotations

import hashlib
import json
import logging
import subprocess
import threading
import wave
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agent.errors import UserError
from agent.settings import Settings
from agent.voice.voices import PRONUNCIATIONS, voice_spec

log = logging.getLogger(__name__)

WORKER = Path(__file__).resolve().parent / "worker.py"
__all__ = ["PRONUNCIATIONS", "WORKER", "Spoken", "Voice"]
START_TIMEOUT_S = 120.0
LINE_TIMEOUT_S = 60.0
GAP_S = 0.2  # silence between sentences in a whole-line file


@dataclass
class Spoken:
    sentence: str
    path: Path
    seconds: float  # audio length
    synthesis_s: float  # 0 when it came from the cache


def wav_seconds(path: Path) -> float:
    with wave.open(str(path), "rb") as w:
        return w.getnframes() / float(w.getframerate())


class Voice:
    def __init__(self, settings: Settings, lang: str = "zh") -> None:
        """``lang``: the interview's language (zh, or en: the ``english_voice`` setting's),
        or a voice's name (``voices.py``)."""
        self.spec = voice_spec(lang, settings.english_voice)
        self.python = settings.voice_python
        self.cache = Path(settings.cache_dir) / "voice"
        self.pace = self.spec.pace
        self._proc: subprocess.Popen[str] | None = None
        self._lock = threading.Lock()

    def available(self) -> str | None:
        """None when the voice can run, else why not (a sentence for the user)."""
        if self.python is None or not Path(self.python).exists():
            return (
                f"the voice environment is not installed ({self.python or '.venv-voice'}): "
                "run `make voice` (or set MIANSHI_VOICE_PYTHON)"
            )
        return None

    # ------------------------------------------------------------------ worker
    def _start(self) -> subprocess.Popen[str]:
        reason = self.available()
        if reason:
            raise UserError(reason)
        command = [str(self.python), str(WORKER), self.spec.engine, *self.spec.args]
        proc = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            text=True, encoding="utf-8",
        )  # fmt: skip
        ready = self._read(proc, START_TIMEOUT_S)
        if not ready.get("ready"):
            proc.kill()
            raise UserError(
                f"the {self.spec.name} voice did not start ({ready.get('error')}); "
                "`make voice` installs it"
            )
        return proc

    @staticmethod
    def _read(proc: subprocess.Popen[str], timeout: float) -> dict[str, Any]:
        """One reply line, or an error after ``timeout`` (the worker is then killed)."""
        box: list[str] = []
        out = proc.stdout
        assert out is not None  # started with stdout=PIPE
        reader = threading.Thread(target=lambda: box.append(out.readline()))
        reader.start()
        reader.join(timeout)
        if not box or not box[0]:
            proc.kill()
            return {"ok": False, "error": "the voice worker stopped or hung"}
        return dict(json.loads(box[0]))

    def _synthesize(self, text: str, out: Path) -> float:
        """``text`` (speakable) spoken into ``out``; the seconds it took (0 when another
        thread, e.g. ``prepare``, has just made it)."""
        with self._lock:
            if out.exists():
                return 0.0
            for attempt in (1, 2):  # a worker that died is started once more
                if self._proc is None or self._proc.poll() is not None:
                    self._proc = self._start()
                proc = self._proc
                assert proc.stdin is not None
                try:
                    request = {"text": text, "out": str(out), "pace": self.pace}
                    proc.stdin.write(json.dumps(request) + "\n")
                    proc.stdin.flush()
                except OSError:
                    self._proc = None
                    continue
                reply = self._read(proc, LINE_TIMEOUT_S)
                if reply.get("ok"):
                    return float(reply.get("seconds", 0.0))
                if proc.poll() is None and attempt == 1 and "stopped" not in str(reply):
                    raise UserError(f"the voice could not say {text[:30]!r}: {reply.get('error')}")
                self._proc = None
        raise UserError("the voice worker keeps failing; see `mianshi say` for details")

    def close(self) -> None:
        with self._lock:
            if self._proc is not None:
                self._proc.kill()
                self._proc = None

    # ------------------------------------------------------------------ speech
    def sentence(self, text: str) -> Spoken:
        """One speakable sentence as a WAV (from the cache when it was said before)."""
        voice = f"{self.spec.version}\n{self.spec.engine}\n{self.pace}"
        key = hashlib.sha256(f"{voice}\n{text}".encode()).hexdigest()[:24]
        path = self.cache / f"{key}.wav"
        took = 0.0
        if not path.exists():
            self.cache.mkdir(parents=True, exist_ok=True)
            took = self._synthesize(text, path)
        return Spoken(text, path, wav_seconds(path), took)

    def speak(self, line: str) -> Iterator[Spoken]:
        """``line`` sentence by sentence, each as soon as it is ready."""
        for text in self.spec.sentences(line):
            yield self.sentence(text)

    def prepare(self, line: str) -> None:
        """Synthesise ``line``'s first sentence into the cache now (voice mode: while
        the page asks for the line, so ``speak`` finds it ready)."""
        for text in self.spec.sentences(line):
            self.sentence(text)
            return

    def say_to_file(self, line: str, out: Path) -> list[Spoken]:
        """The whole line in one WAV at ``out`` (sentences joined by short pauses)."""
        parts = list(self.speak(line))
        if not parts:
            raise UserError(f"nothing to say: the text has no {self.spec.says}")
        out.parent.mkdir(parents=True, exist_ok=True)
        with wave.open(str(out), "wb") as dst:
            for n, part in enumerate(parts):
                with wave.open(str(part.path), "rb") as src:
                    if n == 0:
                        dst.setparams(src.getparams())
                    elif GAP_S:
                        dst.writeframes(b"\0\0" * int(GAP_S * src.getframerate()))
                    dst.writeframes(src.readframes(src.getnframes()))
        return parts
