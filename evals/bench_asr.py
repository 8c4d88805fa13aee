"""Speech-to-text benchmark: real-time factor per file and overall (not a test).

Run: ``python -m evals.bench_asr [--audio-dir DIR] [--repeat N]``. Times every WAV of
the manifest (timing-only entries included) after loading the model once; RTF =
processing seconds / audio seconds (below 1 = faster than real time).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

from agent.settings import load_settings
from agent.speech.transcriber import AudioError, Transcriber
from evals.asr import DEFAULT_AUDIO_DIR, read_manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.bench_asr")
    parser.add_argument("--audio-dir", type=Path, default=DEFAULT_AUDIO_DIR)
    parser.add_argument("--repeat", type=int, default=1, help="runs per file (best is kept)")
    args = parser.parse_args(argv)

    settings = load_settings()
    transcriber = Transcriber(settings)
    entries = read_manifest(args.audio_dir)
    started = time.perf_counter()
    transcriber.transcribe(args.audio_dir / entries[0]["file"])
    print(
        f"model {transcriber.model_name} loaded + first run: {time.perf_counter() - started:.2f} s"
    )
    total_audio = total_proc = 0.0
    for entry in entries:
        best = float("inf")
        duration = 0.0
        for _ in range(max(1, args.repeat)):
            t0 = time.perf_counter()
            try:
                duration = transcriber.transcribe(args.audio_dir / entry["file"]).duration_s
            except AudioError as exc:
                print(f"{entry['file']}: {exc}")
                break
            best = min(best, time.perf_counter() - t0)
        if not duration:
            continue
        total_audio += duration
        total_proc += best
        print(
            f"{entry['file']:44s} {duration:6.2f} s audio  {best:6.2f} s  RTF {best / duration:.3f}"
        )
    summary = {
        "bench": "asr",
        "model": transcriber.model_name,
        "cpus": os.cpu_count(),
        "threads": settings.asr_threads or "default",
        "audio_s": round(total_audio, 2),
        "seconds": round(total_proc, 2),
        "rtf": round(total_proc / total_audio, 3) if total_audio else None,
    }
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
