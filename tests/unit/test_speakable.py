"""What the voice is given to say: every Latin term of the bank read out in Chinese
characters (none dropped), versions and symbols said, lines cut into sentences."""

from __future__ import annotations

import re

from agent.bank import load_bank
from agent.voice.speakable import LONG, reading, readings, sentences, speakable

LATIN = re.compile(r"[A-Za-z]")


def test_every_latin_term_of_the_bank_has_a_reading_without_latin_letters() -> None:
    bank = load_bank()
    texts = [e.question for e in bank.entries]
    texts += [f.question for e in bank.entries for f in e.follow_ups]
    spoken = [speakable(t) for t in texts]
    assert not [s for s in spoken if LATIN.search(s)]  # nothing Latin reaches the voice
    assert all(v and not LATIN.search(v) for v in readings().values())
    assert len(readings()) > 400


def test_readings_table_then_parts_then_letters() -> None:
    assert reading("LoRA") == readings()["LoRA"]
    assert reading("lora") == readings()["LoRA"]  # case-insensitive second
    assert reading("Qwen9.5-XYZ") == "千问9点5艾克斯外贼"  # parts: a version, spelled letters
    assert reading("zq") == "贼丘"


def test_sentences_split_long_lines_at_commas_and_skip_punctuation_only() -> None:
    line = "好的。" + "，".join(["自注意力让每个位置看到所有位置"] * 4) + "？\n……"
    parts = sentences(line)
    assert parts[0] == "好的。"
    assert all(len(p) <= LONG + 16 for p in parts) and len(parts) >= 3
    assert sentences("！？…") == []
    assert "加" in speakable("a+b") and "等于" in speakable("x=1")


def test_a_lead_in_before_a_colon_is_a_sentence_of_its_own() -> None:
    """The interviewer's transitions are spoken (and cached) apart from the question."""
    from agent.interview.phrases import phrases

    for lead_in in phrases("zh")["transitions"]:
        parts = sentences(f"{lead_in}什么是LoRA？")
        assert parts[-1] == f"什么是{reading('LoRA')}？"
        assert "".join(parts[:-1]) == lead_in


def test_every_pronunciation_fits_its_word() -> None:
    """agent/voice/pronunciations.txt: one toned syllable per character, nothing left
    out by the worker's reader."""
    from agent.voice import worker
    from agent.voice.voice import PRONUNCIATIONS

    lines = [
        line for line in PRONUNCIATIONS.read_text(encoding="utf-8").splitlines()
        if line.split("#", 1)[0].strip()
    ]  # fmt: skip
    known = worker.read_pronunciations(str(PRONUNCIATIONS))
    assert len(known) == len(lines) >= 20
    assert known["微调"] == ["wēi", "tiáo"]
    for word, syllables in known.items():
        assert all("\u4e00" <= c <= "\u9fff" for c in word), word
        assert all(
            re.fullmatch(r"[a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ][a-zü]*", s) for s in syllables
        ), word
