"""Speech-to-text eval: CER and real-time factor on ../shared/audio.

Each manifest entry with a reference transcript is scored by character error rate
after normalising both sides the same way (OpenCC t2s, lower case, no punctuation,
symbols or spaces). Overall CER = total edits / total reference characters (jiwer on
the lists, not a mean of per-file rates). Real-time factor = processing seconds /
audio seconds, per file and overall, including the timing-only entries (text null).
The model is loaded (and warmed up) before timing starts.

Interview answers are several sentences with pauses, and Whisper can stop early on
such audio, which single-sentence clips never show. So the eval also scores
*composite answers*: the transcribed clips joined with 0.8 s and 2.5 s of silence, in
manifest and reverse order (``answers_cer``; ``--no-composite`` to skip).

Run: ``mianshi eval asr [--audio-dir DIR] [--[no-]vocabulary-prompt]``. The last line
printed is a one-line JSON summary; the full result is saved to
``evals/results/asr-<model>[-prompt]-<git short sha>.json``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import jiwer
import numpy as np

from agent.settings import Settings
from agent.speech.transcriber import AudioError, Transcriber
from agent.speech.transcript_text import normalize_for_cer
from evals.common import REPO, RESULTS_DIR, git_short_sha, save_result

DEFAULT_AUDIO_DIR = REPO.parent / "shared" / "audio"


@dataclass
class FileResult:
    file: str
    duration_s: float
    seconds: float
    rtf: float
    reference: str | None
    hypothesis: str
    cer: float | None = None
    edits: int | None = None
    ref_chars: int | None = None
    error: str | None = None


@dataclass
class CerTotals:
    cer: float
    edits: int
    ref_chars: int


def cer_totals(references: Sequence[str], hypotheses: Sequence[str]) -> CerTotals:
    """Overall CER over normalised strings: total edits / total reference characters."""
    if not references:
        return CerTotals(cer=0.0, edits=0, ref_chars=0)
    out = jiwer.process_characters(list(references), list(hypotheses))
    edits = out.substitutions + out.deletions + out.insertions
    ref_chars = out.substitutions + out.deletions + out.hits
    return CerTotals(cer=edits / ref_chars if ref_chars else 0.0, edits=edits, ref_chars=ref_chars)


def read_manifest(audio_dir: Path) -> list[dict[str, Any]]:
    manifest = audio_dir / "manifest.jsonl"
    with manifest.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def run(
    settings: Settings,
    audio_dir: Path = DEFAULT_AUDIO_DIR,
    *,
    only_with_text: bool = False,
    composite: bool = True,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Transcribe every manifest file; return per-file results and the summary."""
    import opencc

    converter = opencc.OpenCC("t2s")
    entries = read_manifest(audio_dir)
    if only_with_text:
        entries = [e for e in entries if e.get("text")]
    transcriber = Transcriber(settings)
    warm_up = time.perf_counter()
    transcriber.transcribe(audio_dir / entries[0]["file"])  # loads the model
    load_s = time.perf_counter() - warm_up

    results: list[FileResult] = []
    for entry in entries:
        path = audio_dir / entry["file"]
        started = time.perf_counter()
        error = None
        try:
            transcript = transcriber.transcribe(path)
            hypothesis, duration = transcript.text, transcript.duration_s
        except AudioError as exc:
            hypothesis, error = "", str(exc)
            duration = _wav_seconds(path)
        seconds = time.perf_counter() - started
        result = FileResult(
            file=entry["file"],
            duration_s=round(duration, 2),
            seconds=round(seconds, 3),
            rtf=round(seconds / duration, 3) if duration else 0.0,
            reference=entry.get("text"),
            hypothesis=hypothesis,
            error=error,
        )
        if result.reference:
            ref = normalize_for_cer(result.reference, converter)
            totals = cer_totals([ref], [normalize_for_cer(hypothesis, converter)])
            result.cer, result.edits, result.ref_chars = (
                round(totals.cer, 4),
                totals.edits,
                totals.ref_chars,
            )
        results.append(result)
        cer = f"CER {result.cer:.3f}" if result.cer is not None else "CER   —  "
        log(f"{result.file:44s} {cer}  RTF {result.rtf:.2f}  {hypothesis or error}")

    answers: list[FileResult] = []
    if composite:
        for name, reference, audio in composite_answers(audio_dir, entries):
            started = time.perf_counter()
            try:
                hypothesis = transcriber.transcribe(audio).text
            except AudioError as exc:
                hypothesis = f"[{exc}]"
            seconds = time.perf_counter() - started
            ref = normalize_for_cer(reference, converter)
            totals = cer_totals([ref], [normalize_for_cer(hypothesis, converter)])
            duration = len(audio) / 16000
            answer = FileResult(
                file=name,
                duration_s=round(duration, 2),
                seconds=round(seconds, 3),
                rtf=round(seconds / duration, 3),
                reference=reference,
                hypothesis=hypothesis,
                cer=round(totals.cer, 4),
                edits=totals.edits,
                ref_chars=totals.ref_chars,
            )
            answers.append(answer)
            log(f"{name:44s} CER {answer.cer:.3f}  RTF {answer.rtf:.2f}  {hypothesis[:40]}…")

    scored = [r for r in results if r.reference]
    overall = cer_totals(
        [normalize_for_cer(r.reference or "", converter) for r in scored],
        [normalize_for_cer(r.hypothesis, converter) for r in scored],
    )
    audio_s = sum(r.duration_s for r in results)
    proc_s = sum(r.seconds for r in results)
    summary = {
        "eval": "asr",
        "model": transcriber.model_name,
        "commit": git_short_sha(),
        "vocabulary_prompt": settings.asr_vocabulary_prompt,
        "beam_size": settings.asr_beam_size,
        "language": settings.asr_language,
        "files": len(results),
        "scored_files": len(scored),
        "cer": round(overall.cer, 4),
        "edits": overall.edits,
        "ref_chars": overall.ref_chars,
        "rtf": round(proc_s / audio_s, 3) if audio_s else 0.0,
        "audio_s": round(audio_s, 2),
        "model_load_s": round(load_s, 2),
    }
    if answers:
        summary["answers_cer"] = round(
            sum(a.edits or 0 for a in answers) / sum(a.ref_chars or 0 for a in answers), 4
        )
        summary["answers_rtf"] = round(
            sum(a.seconds for a in answers) / sum(a.duration_s for a in answers), 3
        )
    return {
        "summary": summary,
        "files": [asdict(r) for r in results],
        "answers": [asdict(a) for a in answers],
    }


def composite_answers(
    audio_dir: Path, entries: Sequence[dict[str, Any]], gaps: Sequence[float] = (0.8, 2.5)
) -> list[tuple[str, str, np.ndarray]]:
    """(name, reference, samples): the transcribed clips joined with silences."""
    from faster_whisper import decode_audio

    scored = [e for e in entries if e.get("text")]
    clips = {e["file"]: decode_audio(str(audio_dir / e["file"])) for e in scored}
    out = []
    for gap in gaps:
        silence = np.zeros(int(16000 * gap), dtype=np.float32)
        for label, order in (("fwd", scored), ("rev", scored[::-1])):
            parts = [p for e in order for p in (clips[e["file"]], silence)]
            reference = "".join(e["text"] for e in order)
            out.append((f"answer-{label}-gap{gap}s", reference, np.concatenate(parts)))
    return out


def save(result: dict[str, Any], results_dir: Path = RESULTS_DIR) -> Path:
    summary = result["summary"]
    suffix = "-prompt" if summary["vocabulary_prompt"] else ""
    return save_result(result, f"asr-{summary['model']}{suffix}-{summary['commit']}", results_dir)


def _wav_seconds(path: Path) -> float:
    import wave

    try:
        with wave.open(str(path)) as handle:
            return handle.getnframes() / handle.getframerate()
    except (OSError, EOFError, wave.Error):
        return 0.0
