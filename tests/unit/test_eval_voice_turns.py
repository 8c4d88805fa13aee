"""The voice-mode turn timings' arithmetic (evals/voice_turns.py), on hand-made logs."""

from __future__ import annotations

import json

from evals.voice_turns import logged_turns, summarise, with_playing


def _line(at: float, spoken: float, turn_end: float, by: str) -> str:
    steps = {"speech_end": 0.0, "turn_end": turn_end, "transcribed": turn_end + 0.1,
             "replied": turn_end + 0.2, "spoken": spoken, "ended_by": by,
             "said_done": by == "said"}  # fmt: skip
    return f"INFO voice turn abc at {at:.3f}: {json.dumps(steps)}"


def test_turns_are_read_from_the_log_and_matched_to_the_next_play() -> None:
    log = "\n".join([_line(100.0, 3.0, 2.7, "silence"), "noise", _line(200.0, 1.5, 0.9, "said")])
    turns = logged_turns(log)
    assert [(t["at"], t["ended_by"]) for t in turns] == [(100.0, "silence"), (200.0, "said")]
    # a play before the line was handed over belongs to an earlier line
    played = with_playing(turns, [102.0, 103.5, 201.8])
    assert [t["playing"] for t in played] == [3.5, 1.8]
    assert with_playing(turns, [50.0])[0]["playing"] is None


def test_summary_splits_the_turns_by_how_they_ended() -> None:
    lines = [
        _line(100.0, 3.0, 2.7, "silence"), _line(200.0, 3.2, 2.8, "silence"),
        _line(300.0, 1.5, 0.9, "said"), _line(400.0, 1.0, 0.8, "said"),
        _line(500.0, 1.2, 0.7, "said"),
    ]  # fmt: skip
    turns = with_playing(logged_turns("\n".join(lines)), [103.4, 203.6, 301.9, 401.2, 501.6])
    s = summarise(turns)
    assert s["turns"] == s["played"] == 5
    by_end = s["speech_end_to_playing_by_end_s"]
    assert set(by_end) == {"silence", "said"}
    assert by_end["said"]["p50"] == 1.6
    assert by_end["silence"]["p50"] in (3.4, 3.5, 3.6)
    assert s["turn_end_to_playing_s"]["p50"] == 0.8
    assert s["said_done_heard"] == s["said_done_ended"] == 3


def test_a_slow_steps_warning_is_kept_with_its_stacks() -> None:
    from evals.voice_turns import slow_steps

    log = "\n".join([
        _line(100.0, 3.0, 2.7, "silence"),
        "WARNING:agent.diagnostics:the reply to a voice turn: still running after 5.0 s",
        "--- thread mianshi-asr_0",
        '  File "transcriber.py", line 218, in _decode',
        "",
        "--- thread mianshi-ui_0",
        '  File "engine.py", line 230, in reply',
        "    result = self.graph.invoke(Command(resume=answer), config)",
        "INFO voice turn abc at 200.000: {}",
    ])  # fmt: skip
    [step] = slow_steps(log)
    assert step.startswith("WARNING") and step.endswith("config)") and "mianshi-ui_0" in step
    assert "mianshi-asr_0" in step
    assert slow_steps(_line(100.0, 3.0, 2.7, "silence")) == []


def test_the_said_done_phrase_is_brought_to_the_level_of_the_answer_before_it() -> None:
    import numpy as np

    from evals.voice_turns import _level_of

    loud = (np.sin(np.arange(1600) / 5) * 16000).astype(np.int16).tobytes()
    quiet = (np.sin(np.arange(800) / 7) * 500).astype(np.int16).tobytes()
    out = np.frombuffer(_level_of(loud, quiet), np.int16).astype(np.float64)
    rms_quiet = np.sqrt(np.mean(np.frombuffer(quiet, np.int16).astype(np.float64) ** 2))
    assert abs(np.sqrt(np.mean(out**2)) - rms_quiet) < 0.02 * rms_quiet and len(out) == 1600
