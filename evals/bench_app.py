"""App latency benchmark: from the end of a spoken answer to its transcript on screen.

Run: ``python -m evals.bench_app [--audio-dir DIR] [--files N]``. Starts the real app
(``app.py``, embedded model, bundled Whisper) on a free port with a throw-away data
directory, drives it in headless Chromium (Debian's ``/usr/bin/chromium``), and times,
for each WAV of the manifest uploaded as an answer, the seconds from the upload to the
candidate's transcript in the chat, and on to the interviewer's next line. Then one
answer recorded through a (fake) microphone: from pressing Stop to the transcript.
The first spoken answer includes loading the Whisper model (lazily, once per process).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
import wave
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from agent.osutil import free_port
from evals.asr import DEFAULT_AUDIO_DIR, read_manifest

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
MIC_FILE = "wenet-mid.wav"


@contextmanager
def running_app(data_dir: Path) -> Iterator[tuple[str, float]]:
    """The app on a free port; yields (url, seconds until it answered)."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MIANSHI_UI_")}
    env.update(
        MIANSHI_DATA_DIR=str(data_dir),
        GRADIO_SERVER_NAME="127.0.0.1",
        GRADIO_SERVER_PORT=str(port),
    )
    log_path = data_dir.parent / "app.log"
    url = f"http://127.0.0.1:{port}/"
    started = time.perf_counter()
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "app.py"], cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            while True:
                if proc.poll() is not None or time.perf_counter() - started > 180:
                    raise SystemExit(f"the app did not start:\n{log_path.read_text()[-2000:]}")
                try:
                    with urllib.request.urlopen(url, timeout=2):
                        break
                except OSError:
                    time.sleep(0.2)
            yield url, time.perf_counter() - started
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


def _duration(path: Path) -> float:
    with wave.open(str(path)) as wav:
        return wav.getnframes() / float(wav.getframerate())


def _wait(page: Any, script: str, arg: Any = None, timeout: float = 180) -> None:
    page.wait_for_function(script, arg=arg, timeout=timeout * 1000, polling=50)


def _mics(page: Any) -> int:
    return int(page.evaluate("() => document.querySelector('#chat').innerText.split('🎤').length"))


def _your_turn(page: Any) -> None:
    _wait(page, "() => document.querySelector('#status').innerText.includes('Your turn')")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.bench_app")
    parser.add_argument("--audio-dir", type=Path, default=DEFAULT_AUDIO_DIR)
    parser.add_argument("--files", type=int, default=0, help="only the first N files (0 = all)")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    files = [args.audio_dir / e["file"] for e in read_manifest(args.audio_dir)]
    files = files[: args.files] if args.files else files
    rows: list[dict[str, Any]] = []
    with (
        tempfile.TemporaryDirectory(prefix="mianshi-bench-app-") as tmp,
        running_app(Path(tmp) / "data") as (url, app_start),
        sync_playwright() as pw,
    ):
        print(f"app answering after {app_start:.1f} s")
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                f"--use-file-for-fake-audio-capture={args.audio_dir / MIC_FILE}",
            ],
        )  # fmt: skip
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.goto(url)
        page.wait_for_selector("#start")
        for elem_id, value in (("questions", len(files) + 1), ("follow-ups", 0)):
            page.fill(f"#{elem_id} input[type=number]", str(value))
            page.press(f"#{elem_id} input[type=number]", "Tab")
        page.get_by_text("实战 Real").click()  # no practice feedback in the chat
        t0 = time.perf_counter()
        page.click("#start")
        _your_turn(page)
        first_question = time.perf_counter() - t0
        print(f"start -> first question: {first_question:.2f} s (the engine warms up at launch)")

        for n, path in enumerate(files):
            before = _mics(page)
            if page.locator("#audio input[type=file]").count() == 0:
                page.click('#audio button[aria-label="Upload file"]')
            page.set_input_files("#audio input[type=file]", str(path))
            t0 = time.perf_counter()
            _wait(page, "n => document.querySelector('#chat').innerText.split('🎤').length > n",
                  before)  # fmt: skip
            to_transcript = time.perf_counter() - t0
            _your_turn(page)
            to_next = time.perf_counter() - t0
            row = {
                "file": path.name,
                "audio_s": round(_duration(path), 2),
                "to_transcript_s": round(to_transcript, 2),
                "to_next_line_s": round(to_next, 2),
                "note": "first: Whisper model load" if n == 0 else "",
            }
            rows.append(row)
            print(
                f"upload {path.name:44s} {row['audio_s']:6.2f} s audio  transcript on screen "
                f"{to_transcript:6.2f} s  next line {to_next:6.2f} s  {row['note']}"
            )

        before = _mics(page)
        if page.locator("#audio button.record-button").count() == 0:
            page.click('#audio button[aria-label="Record audio"]')
        page.click("#audio button.record-button")
        time.sleep(6.0)
        t0 = time.perf_counter()
        page.click("#audio button.stop-button")
        _wait(page, "n => document.querySelector('#chat').innerText.split('🎤').length > n",
              before)  # fmt: skip
        mic = time.perf_counter() - t0
        print(f"microphone (6 s of {MIC_FILE}): Stop -> transcript on screen {mic:.2f} s")
        browser.close()

    warm = [r["to_transcript_s"] for r in rows[1:]] or [r["to_transcript_s"] for r in rows]
    summary = {
        "bench": "app",
        "cpus": os.cpu_count(),
        "app_start_s": round(app_start, 2),
        "first_question_s": round(first_question, 2),
        "uploads": len(rows),
        "first_upload_to_transcript_s": rows[0]["to_transcript_s"] if rows else None,
        "upload_to_transcript_mean_s": round(sum(warm) / len(warm), 2) if warm else None,
        "upload_to_transcript_max_s": max(warm) if warm else None,
        "mic_stop_to_transcript_s": round(mic, 2),
    }
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
