"""The interviewer's voice in a terminal: lines played on the machine's sound device
with ALSA's ``aplay``, sentence by sentence (the next one synthesised while the first
plays would need overlap; a terminal interview waits for each)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from agent.voice.voice import Voice


def no_sound_device() -> str | None:
    """None when lines can be played here, else why not (a sentence for the user)."""
    if shutil.which("aplay") is None:
        return "no `aplay` here (Debian package alsa-utils)"
    cards = Path("/proc/asound/cards")
    if not cards.exists() or "no soundcards" in cards.read_text(errors="replace"):
        return "no sound card found (/proc/asound/cards)"
    return None


class Player:
    def __init__(self, voice: Voice) -> None:
        self.voice = voice

    def say(self, line: str) -> None:
        for part in self.voice.speak(line):
            subprocess.run(["aplay", "-q", str(part.path)], check=False, timeout=120)
