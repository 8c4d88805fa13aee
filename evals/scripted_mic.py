"""A microphone a browser test or eval speaks into, for headless Chromium driven by
Playwright: the page's ``getUserMedia`` audio becomes a Web Audio stream, silent until
``say`` plays a recording into it, from its first sample, at the moment the caller
chooses (install ``SCRIPTED_MIC`` with ``BrowserContext.add_init_script`` and launch
Chromium with ``--autoplay-policy=no-user-gesture-required``).

Chromium's own file-backed fake microphone (``--use-file-for-fake-audio-capture``)
loops its file from wherever it is when the page starts listening, so a turn could
hear only the end of an answer, or an answer could begin while the interviewer still
speaks. Everything after the microphone is the real path: Gradio's recorder, its
stream to the server, the app's turn-taking.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

SCRIPTED_MIC = """(() => {
  let context = null, out = null;
  const open = async () => {
    if (!context) {
      context = new AudioContext();
      out = context.createMediaStreamDestination();
      // a silent source always on: with nothing playing into it the stream sends
      // no frames at all, and the app would hear no silence to end a turn
      const quiet = context.createConstantSource();
      quiet.offset.value = 0;
      quiet.connect(out);
      quiet.start();
    }
    await context.resume();
    return context;
  };
  window.__mianshiSay = async (b64) => {
    const ctx = await open();
    const bytes = Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));
    const clip = await ctx.decodeAudioData(bytes.buffer);
    const source = ctx.createBufferSource();
    source.buffer = clip;
    source.connect(out);
    const ended = new Promise((resolve) => { source.onended = resolve; });
    source.start();
    await ended;
    return clip.duration;
  };
  const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getUserMedia = async (constraints) => {
    if (!constraints || !constraints.audio || constraints.video) return original(constraints);
    await open();  // each caller its own tracks: Gradio stops them when it stops recording
    return new MediaStream(out.stream.getAudioTracks().map((track) => track.clone()));
  };
})();"""
#: Chromium's flag for it: the audio context runs without a click.
AUTOPLAY = "--autoplay-policy=no-user-gesture-required"


def say(page: Any, clip: Path) -> float:
    """Says ``clip`` (a WAV file) into the page's scripted microphone, from its start;
    returns when it has been said, with its length in seconds."""
    data = base64.b64encode(clip.read_bytes()).decode("ascii")
    return float(page.evaluate("(b64) => window.__mianshiSay(b64)", data))
