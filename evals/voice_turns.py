"""Voice mode's turn-taking, measured in the real app: how long a candidate who stops
talking waits until the interviewer speaks again.

The real app (``app.py``: embedded model, bundled Whisper, the voice worker) runs on a
free port; headless Chromium's microphone (``evals/scripted_mic.py``) says the next of
the recorded answers from ../shared/audio each time the app listens for one (its
status line says 🎙 Listening), silence otherwise. Voice mode is chosen at setup and
nothing is clicked after Start: every turn ends by itself, after 2.5 s of silence or,
for every other answer, because the candidate ends it with "我说完了" (said by the
interviewer's voice, the one synthetic piece, since no recording here says it).

Each answer's next line is a bank question (practice mode, no follow-ups: no model
call), while the grades of earlier answers run on the model in the background, as in
real use. Per turn, from the app's log (``voice turn … at …``, server clock) and the
page's ``play`` events (same machine, same clock):

- ``turn_end``: end of speech → the turn is closed (the silence allowance, by design);
- ``transcribed``, ``replied``: the transcript ready, the engine's next line ready;
- ``spoken``: the first sentence handed to the page;
- ``playing``: the page's speaker starts playing it (what the candidate hears).

Reported: p50 and p90 of end of speech → playing, and of turn end → playing (the part
the app can make faster), over all turns and by how each ended (``ended_by``). The
last answer's line (the closing, which waits for every grade) is not a turn and is
not counted.
"""

from __future__ import annotations

import json
import re
import tempfile
import time
import wave
from pathlib import Path
from typing import Any

from evals.asr import DEFAULT_AUDIO_DIR as AUDIO
from evals.bench_app import CHROMIUM, running_app
from evals.common import percentile
from evals.scripted_mic import AUTOPLAY, SCRIPTED_MIC, say

#: The answers the microphone says, in order, again from the first after the last
#: (several clips joined by a short pause are one answer in several pieces); True: the
#: answer ends with "我说完了".
ANSWERS = (
    (("BAC009S0764W0121.wav", "aishell-BAC009S0724W0121.wav"), False),
    (("wenet-mid.wav",), True),
    (("TEST_MEETING_T0000000001_S00000.wav",), False),
    (("wenet-long.wav",), True),
    (("TEST_NET_Y0000000000_-KTKHdZ2fb8_S00000.wav", "IT0011W0001.wav"), False),
    (("aishell-BAC009S0724W0121.wav", "BAC009S0764W0121.wav"), True),
)
PAUSE_S = 0.9  # inside an answer: shorter than the 2.5 s that ends a turn
DONE_PAUSE_S = 0.5  # before "我说完了"
DONE = "我说完了。"
TURN_LINE = re.compile(r"voice turn (\S+) at ([0-9.]+): (\{.*\})")
#: Chromium: a fake microphone device (the scripted one replaces its audio), no
#: permission prompt, autoplay as after a click.
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream", AUTOPLAY,
]  # fmt: skip
#: The page's audio starts playing (Gradio's player keeps its media element off the
#: page, so its ``play`` events never reach the document): epoch seconds.
PLAYS = """
window.__plays = [];
const play = HTMLMediaElement.prototype.play;
HTMLMediaElement.prototype.play = function (...args) {
  this.addEventListener("playing", () => window.__plays.push(Date.now() / 1000), {once: true});
  return play.apply(this, args);
};
"""


def said_done(out: Path) -> bytes:
    """ "我说完了" in the interviewer's voice, as 16-bit 16 kHz mono frames (read back
    through the app's own audio loader, which resamples)."""
    import numpy as np

    from agent.settings import load_settings
    from agent.speech.audio import load_audio
    from agent.voice.voice import Voice

    voice = Voice(load_settings())
    try:
        voice.say_to_file(DONE, out)
    finally:
        voice.close()
    samples = load_audio(out) * 32767.0
    return np.clip(samples, -32768, 32767).astype(np.int16).tobytes()


def answer_files(out: Path, audio_dir: Path = AUDIO, done: bytes = b"") -> list[Path]:
    """The answers the microphone says, one WAV file each in ``out`` (the clips are
    16-bit 16 kHz mono); ``done``: the frames of "我说完了", said at the end of the
    answers marked so (without it, those answers end in silence too)."""
    rate, width = 16_000, 2
    files = []
    for n_answer, (clips, says_done) in enumerate(ANSWERS):
        frames = b""
        for n, name in enumerate(clips):
            with wave.open(str(audio_dir / name), "rb") as src:
                if (src.getframerate(), src.getnchannels(), src.getsampwidth()) != (rate, 1, width):
                    raise SystemExit(f"{name}: expected 16-bit 16 kHz mono like the others")
                gap = b"\0" * width * int(rate * PAUSE_S)
                said = src.readframes(src.getnframes())
                frames += (gap if n else b"") + said
        if says_done and done:  # at the level of the words before it, as one voice
            frames += b"\0" * width * int(rate * DONE_PAUSE_S) + _level_of(done, said)
        path = out / f"answer-{n_answer + 1}.wav"
        with wave.open(str(path), "wb") as dst:
            dst.setnchannels(1)
            dst.setsampwidth(width)
            dst.setframerate(rate)
            dst.writeframes(frames)
        files.append(path)
    return files


def _level_of(frames: bytes, like: bytes) -> bytes:
    """16-bit ``frames`` scaled to the RMS level of ``like``."""
    import numpy as np

    def rms(x: np.ndarray) -> float:
        return float(np.sqrt(np.mean(x.astype(np.float64) ** 2))) or 1.0

    audio = np.frombuffer(frames, np.int16)
    scaled = audio * (rms(np.frombuffer(like, np.int16)) / rms(audio))
    return np.clip(scaled, -32768, 32767).astype(np.int16).tobytes()


def logged_turns(log_text: str) -> list[dict[str, Any]]:
    """The app's ``voice turn`` lines: the moments after the end of speech (seconds),
    and the end of speech itself (``at``, epoch seconds)."""
    return [
        {"at": float(m.group(2)), **json.loads(m.group(3))} for m in TURN_LINE.finditer(log_text)
    ]


def slow_steps(log_text: str) -> list[str]:
    """The app's warnings about a step still running (``agent/diagnostics.py``), each
    with the threads' stacks that follow it."""
    lines = log_text.splitlines()
    out = []
    for n, line in enumerate(lines):
        if "still running after" in line:
            block = [line]
            for after in lines[n + 1 :]:
                if after and not after.startswith(("--- thread", "  ")):
                    break  # the next log record
                block.append(after)
            out.append("\n".join(block))
    return out


def with_playing(turns: list[dict[str, Any]], plays: list[float]) -> list[dict[str, Any]]:
    """Each turn with ``playing``: the first ``play`` event after its line was handed
    over (None if the page never played it)."""
    out = []
    for turn in turns:
        handed = turn["at"] + turn["spoken"]
        after = [p for p in plays if p >= handed - 0.05]
        playing = round(after[0] - turn["at"], 3) if after else None
        out.append({**turn, "playing": playing})
    return out


def summarise(turns: list[dict[str, Any]]) -> dict[str, Any]:
    def stats(values: list[float]) -> dict[str, float | None]:
        if not values:
            return {"p50": None, "p90": None}
        return {"p50": round(percentile(values, 0.5), 2), "p90": round(percentile(values, 0.9), 2)}

    played = [t for t in turns if t["playing"] is not None]
    by_end = {
        by: stats([t["playing"] for t in played if t.get("ended_by") == by])
        for by in sorted({str(t.get("ended_by")) for t in played})
    }
    said = [t for t in turns if t.get("said_done")]  # words ending with "我说完了" (logged
    heard = {  # since commit 5185d7a), and how many turns that ended
        "said_done_heard": len(said),
        "said_done_ended": sum(1 for t in said if t.get("ended_by") == "said"),
    }
    return {
        **(heard if any("said_done" in t for t in turns) else {}),
        "turns": len(turns),
        "played": len(played),
        "speech_end_to_playing_s": stats([t["playing"] for t in played]),
        "turn_end_to_playing_s": stats([t["playing"] - t["turn_end"] for t in played]),
        "speech_end_to_playing_by_end_s": by_end,
        "speech_end_to_spoken_s": stats([t["spoken"] for t in turns]),
        "steps_p50_s": {
            step: round(percentile([t[step] for t in turns], 0.5), 2)
            for step in ("turn_end", "transcribed", "replied", "spoken")
            if turns
        },
    }


def _wait_turn(app_log: Path, n: int, timeout: float) -> dict[str, Any]:
    """The ``n``-th turn's log line, written when its reply starts being spoken (so
    the status line no longer says Listening from before it)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = logged_turns(app_log.read_text(errors="replace"))
        if len(found) >= n:
            return found[n - 1]
        time.sleep(0.5)
    raise SystemExit(f"turn {n}: no reply after {timeout} s (see the app's log)")


def run(turns: int = 8, log: Any = print, audio_dir: Path = AUDIO) -> dict[str, Any]:
    """``turns`` voice-mode turns in the real app; their timings and a summary."""
    from playwright.sync_api import sync_playwright

    from agent.ui.layout import MAX_QUESTIONS
    from agent.ui.views import LISTENING

    if not 1 <= turns < MAX_QUESTIONS:  # the answer to the last question gets the closing
        raise SystemExit(
            f"--turns: 1 to {MAX_QUESTIONS - 1} (the app asks at most "
            f"{MAX_QUESTIONS} questions, and the last answer's line is the closing)"
        )
    if not Path(CHROMIUM).exists():
        raise SystemExit("Debian chromium is not installed (make browser-deps)")
    with tempfile.TemporaryDirectory(prefix="mianshi-voice-turns-") as tmp:
        done = said_done(Path(tmp) / "done.wav")
        answers = answer_files(Path(tmp), audio_dir, done)
        app_log = Path(tmp) / "app.log"
        with running_app(Path(tmp) / "data") as (url, _), sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            context = browser.new_context(permissions=["microphone"])
            context.add_init_script(PLAYS)
            context.add_init_script(SCRIPTED_MIC)
            page = context.new_page()
            page.set_default_timeout(180_000)
            page.goto(url)
            page.wait_for_selector("#start")
            for elem_id, value in (("questions", turns + 1), ("follow-ups", 0)):
                page.fill(f"#{elem_id} input[type=number]", str(value))
                page.press(f"#{elem_id} input[type=number]", "Tab")
            page.locator("#intro input").uncheck()  # straight to the questions
            page.locator("#voice-start input").check()  # voice mode from Start
            page.click("#start")  # the last click
            page.locator("#mic").get_by_role("button", name="Stop").wait_for()  # recording
            log(f"voice mode on, the microphone says {len(answers)} answers in turn, each "
                "when the app listens; nothing is clicked")  # fmt: skip
            for n in range(1, turns + 1):
                page.wait_for_function(  # the question has been spoken: the app listens
                    "(w) => document.querySelector('#status').innerText.includes(w)",
                    arg=LISTENING, timeout=300_000,
                )  # fmt: skip
                say(page, answers[(n - 1) % len(answers)])
                turn = _wait_turn(app_log, n, timeout=300)
                log(f"turn {n}: reply handed over {turn['spoken']:.2f} s after the end "
                    f"of speech (turn end {turn['turn_end']:.2f} s, "
                    f"by {turn.get('ended_by')})")  # fmt: skip
            time.sleep(3)  # the last line reaches the speaker
            plays = [float(p) for p in page.evaluate("() => window.__plays")]
            browser.close()
        log_text = app_log.read_text(errors="replace")
        measured = with_playing(logged_turns(log_text)[:turns], plays)
    return {"summary": summarise(measured), "turns": measured, "slow_steps": slow_steps(log_text)}
