"""The interviewer's voice, offline: ``voice`` (lines spoken sentence by sentence,
cached), ``worker`` (the synthesiser, run under the voice environment's Python),
``speakable`` (text a TTS can read: readings for Latin terms and symbols) and
``playback`` (the terminal's player)."""
