"""Speech-to-text for spoken answers: faster-whisper, int8 on CPU, in the interview's
language: simplified Chinese (zh) or English (en).

The model is the bundled multilingual Whisper base (assembled by ``agent.assets``) or
the user's own CTranslate2 directory (``whisper_model_dir``); it is never fetched from
a model hub. It is loaded lazily, once per ``Transcriber``, behind a lock.

Decoding choices (measured with ``mianshi eval asr`` on ../shared/audio, which also
scores multi-sentence "answers" made by joining the clips with pauses):

- the language is the interview's (``transcribe(…, language="en")``; else the
  ``asr_language`` setting, Chinese by default, and an ``asr_language`` of ``auto``
  detects it per recording whatever the interview), beam search (5), Silero VAD (shipped inside
  the faster_whisper package) so silence is never decoded; pauses and the share of
  silence come from the same VAD (word timestamps made prompted decoding hallucinate
  on the tail after the last word);
- Whisper base sometimes stops early inside a 30 s window and drops the rest of an
  answer; ``_repair_dropped`` finds speech regions left without text (or a segment
  with far too few characters for its speech) and decodes them one by one;
- the domain's vocabulary: a simplified-Chinese prompt naming the terms measured
  0.198 vs 0.208 CER on the single clips, but 0.28 vs 0.24 on multi-sentence answers
  (it makes the early stop much more likely; ``hotwords`` were worse still), so it is
  opt-in (``asr_vocabulary_prompt``) and a transcript that echoes it is decoded again
  without it. By default the vocabulary is applied to the output instead: the terms'
  canonical spellings (``kv cache`` → ``KV cache``, ``lora`` → ``LoRA`` …);
- OpenCC t2s on Chinese output (Whisper sometimes answers in traditional characters);
  English output is left as Whisper wrote it.

Bad audio raises ``AudioError`` (a ``UserError``) with a message meant for the
candidate; the caller shows it and the interview goes on.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import BaseModel

from agent.errors import UserError
from agent.settings import Settings
from agent.speech.audio import SAMPLE_RATE, AudioError, read_audio
from agent.speech.metrics import Segment, SpeechMetrics, compute_metrics
from agent.speech.regions import decode_chunks, is_covered, is_sparse, speech_regions
from agent.speech.transcript_text import (
    VOCABULARY_PROMPT,
    VOCABULARY_PROMPT_EN,
    canonical_terms,
    echoes_prompt,
    join_segments,
    normalize_for_cer,
)

if TYPE_CHECKING:
    from faster_whisper import WhisperModel


#: the interview languages Whisper is asked for by code (anything else: the setting's)
LANGUAGES = ("zh", "en")

#: a voice-mode piece's decode writes at most this many tokens (``piece_token_cap``)
PIECE_TOKENS, PIECE_TOKENS_PER_S, PIECE_TOKENS_MAX = 24, 12, 200


class Transcript(BaseModel):
    text: str
    segments: list[Segment]
    language: str
    duration_s: float
    metrics: SpeechMetrics
    prompt_used: bool = True
    #: part of the recording could not be read (damaged data) and was skipped: what
    #: the candidate is told (``Recording.note``); None when it was read whole
    note: str | None = None


def _t2s() -> Any:
    import opencc

    return opencc.OpenCC("t2s")


class Transcriber:
    """Speech-to-text with the configured Whisper model; thread-safe, model loaded once."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._model: WhisperModel | None = None
        self._lock = threading.Lock()
        self._converter: Any | None = None

    @property
    def model_name(self) -> str:
        if self.settings.whisper_model_dir is not None:
            return self.settings.whisper_model_dir.name
        from agent.assets import WHISPER_BASE

        return WHISPER_BASE.key

    def model_path(self) -> Path:
        configured = self.settings.whisper_model_dir
        if configured is not None:
            if not (configured / "model.bin").is_file():
                raise UserError(
                    f"whisper_model_dir {configured} is not a CTranslate2 Whisper model "
                    "directory (no model.bin)"
                )
            return configured
        from agent.assets import WHISPER_BASE, ensure_model

        # ensure_model logs to stdout; keep stdout clean for JSON output.
        with contextlib.redirect_stdout(sys.stderr):
            return ensure_model(self.settings, WHISPER_BASE)

    def warm(self) -> None:
        """Load the model now (voice mode: the first turn should not wait for it)."""
        self._load()

    def _load(self) -> WhisperModel:
        with self._lock:
            if self._model is None:
                from agent.speech.short_window import ShortWindowWhisper

                self._model = ShortWindowWhisper(
                    str(self.model_path()),
                    device="cpu",
                    compute_type="int8",
                    cpu_threads=self.settings.asr_threads or os.cpu_count() or 0,
                    local_files_only=True,
                )
                self._converter = _t2s()
            return self._model

    def language_for(self, language: str | None) -> str | None:
        """The language Whisper is asked for: the interview's ``language`` (zh, en),
        else the ``asr_language`` setting; None (detect per recording) when the setting
        is ``auto``, which the user chose over the interview's."""
        setting = self.settings.asr_language
        if setting == "auto":
            return None
        return language or setting

    def _prompt(self, language: str | None) -> str | None:
        """The opt-in vocabulary prompt (``asr_vocabulary_prompt``) in ``language``."""
        if not self.settings.asr_vocabulary_prompt:
            return None
        return VOCABULARY_PROMPT_EN if language == "en" else VOCABULARY_PROMPT

    def _decode(
        self,
        model: WhisperModel,
        audio: np.ndarray,
        prompt: str | None,
        language: str | None = None,
        *,
        vad: bool = True,
        offset: float = 0.0,
    ) -> tuple[list[Segment], str]:
        """Segments and the language they are in (``language``, or detected when None);
        Chinese text in simplified characters."""
        from agent.speech.short_window import short_windows_on

        cap = piece_token_cap(len(audio) / SAMPLE_RATE) if short_windows_on() else None
        segments, info = model.transcribe(
            audio,
            language=language,
            beam_size=self.settings.asr_beam_size,
            vad_filter=vad,
            initial_prompt=prompt,
            condition_on_previous_text=True,
            max_new_tokens=cap,
        )
        converter = self._converter if info.language == "zh" else None
        out = [
            Segment(
                start=round(s.start + offset, 2),
                end=round(s.end + offset, 2),
                text=converter.convert(s.text.strip()) if converter else s.text.strip(),
            )
            for s in segments
        ]
        return [s for s in out if s.text], info.language

    def _repair_dropped(
        self,
        model: WhisperModel,
        audio: np.ndarray,
        segments: list[Segment],
        speech: Sequence[tuple[float, float]],
        prompt: str | None,
        language: str | None,
    ) -> list[Segment]:
        """Decode again, one by one, the speech regions Whisper dropped.

        Whisper (base especially, and much more with a prompt) sometimes stops early in
        a 30 s window: either one segment spans many seconds of speech with a few
        characters, or the speech after the last segment gets no text at all.
        """
        good = [seg for seg in segments if not is_sparse(seg, speech)]
        todo = [c for c in decode_chunks(audio) if not is_covered(c, good)]
        if not todo:
            return segments
        out = list(good)
        for start, end in todo:
            a, b = int(start * SAMPLE_RATE), int(end * SAMPLE_RATE)
            piece = audio[a:b]
            redone, _ = self._decode(model, piece, prompt, language, vad=False, offset=start)
            if prompt is not None and echoes_prompt(join_segments(redone), prompt):
                redone, _ = self._decode(model, piece, None, language, vad=False, offset=start)
            out.extend(redone)
        return sorted(out, key=lambda seg: seg.start)

    def transcribe(
        self, source: str | Path | np.ndarray, *, short: bool = False, language: str | None = None
    ) -> Transcript:
        """``short``: the encoder reads only the audio there is, not a padded 30 s
        window (faster for a few seconds of speech, a little less accurate; see
        ``agent/speech/short_window.py``). ``language``: the interview's (zh, en; see
        ``language_for``)."""
        if short:
            from agent.speech.short_window import short_windows

            with short_windows():
                return self._transcribe(source, self.language_for(language))
        return self._transcribe(source, self.language_for(language))

    def _transcribe(self, source: str | Path | np.ndarray, language: str | None) -> Transcript:
        recording = read_audio(source, max_seconds=self.settings.asr_max_seconds)
        audio = recording.samples
        duration = len(audio) / SAMPLE_RATE
        speech = speech_regions(audio)
        if not speech:
            raise AudioError(
                "no speech detected in the recording (only silence or noise): "
                "check the microphone and try again, or type the answer"
            )
        model = self._load()
        prompt = self._prompt(language)
        segments, heard_in = self._decode(model, audio, prompt, language)
        text = join_segments(segments)
        if prompt is not None and echoes_prompt(text, prompt):
            segments, heard_in = self._decode(model, audio, None, language)
            text = join_segments(segments)
            prompt = None
        segments = self._repair_dropped(model, audio, segments, speech, prompt, heard_in)
        segments = [seg.model_copy(update={"text": canonical_terms(seg.text)}) for seg in segments]
        text = join_segments(segments)
        if not normalize_for_cer(text):
            raise AudioError(
                "no words could be recognised in the recording: please speak closer to "
                "the microphone and try again, or type the answer"
            )
        metrics = compute_metrics(
            segments, duration, speech=speech, long_pause_s=self.settings.asr_long_pause_s
        )
        return Transcript(
            text=text,
            segments=segments,
            language=heard_in,
            duration_s=round(duration, 2),
            metrics=metrics,
            prompt_used=prompt is not None,
            note=recording.note,
        )


def piece_token_cap(seconds: float) -> int:
    """The most tokens one decode of a voice-mode piece may write. Speech here runs at
    4–5 tokens a second (the transcripts of ../shared/audio: 0.9–1.6 tokens a
    character); a decode that loops on a phrase would write the model's 448, and
    again at each fallback temperature (tens of seconds on 2 cores, while the
    candidate waits). At most 200: with a prompt of up to 227 tokens, within the
    model's 448."""
    return min(PIECE_TOKENS_MAX, int(PIECE_TOKENS + PIECE_TOKENS_PER_S * seconds))
