"""The text side of a transcript: the domain's vocabulary (the opt-in prompt, and the
canonical spellings applied to the output instead), the normalisation that CER and the
checks compare, a transcript that echoes the prompt (a hallucination), and segments
joined into one text. See ``agent/speech/transcriber.py`` for why the prompt is off."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from difflib import SequenceMatcher
from typing import Any

from agent.speech.metrics import Segment

# The domain's vocabulary, as the decoder should spell it.
VOCABULARY: tuple[str, ...] = (
    "Transformer",
    "attention",
    "softmax",
    "RoPE",
    "KV cache",
    "LoRA",
    "token",
    "embedding",
    "RLHF",
    "SFT",
    "PPO",
    "DPO",
    "RAG",
    "Agent",
    "BERT",
    "GPT",
    "注意力",
    "微调",
    "量化",
)

# Opt-in (asr_vocabulary_prompt). Measured best of the prompts tried (longer term lists,
# terms only, hotwords) on the single clips; see the module docstring for why it is off.
VOCABULARY_PROMPT = "我们聊聊大模型，比如Transformer、RoPE、KV cache、LoRA微调和量化。"
#: the same for English answers (not measured: opt-in like the Chinese one)
VOCABULARY_PROMPT_EN = "We talk about LLMs: the Transformer, RoPE, KV cache, LoRA fine-tuning."
# Canonical spellings of the Latin-script terms (matched case-insensitively, spaces
# between the parts optional, not inside another Latin word).
_TERM_SPELLINGS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (
        re.compile(
            r"(?<![A-Za-z])" + r"\s*".join(re.escape(part) for part in pattern) + r"(?![A-Za-z])",
            re.IGNORECASE,
        ),
        canonical,
    )
    for pattern, canonical in (
        (("kv", "cache"), "KV cache"),
        (("soft", "max"), "softmax"),
        (("rope",), "RoPE"),
        (("lora",), "LoRA"),
        (("q", "lora"), "QLoRA"),
        (("transformer",), "Transformer"),
        (("rlhf",), "RLHF"),
        (("sft",), "SFT"),
        (("ppo",), "PPO"),
        (("dpo",), "DPO"),
        (("rag",), "RAG"),
        (("bert",), "BERT"),
        (("gpt",), "GPT"),
        (("llm",), "LLM"),
    )
)


def normalize_for_cer(text: str, converter: Any | None = None) -> str:
    """Simplified, lower-case, without punctuation, symbols or spaces (for CER)."""
    if converter is not None:
        text = converter.convert(text)
    return "".join(
        ch for ch in text.lower() if unicodedata.category(ch)[0] not in "PZSC" and not ch.isspace()
    )


def echoes_prompt(text: str, prompt: str) -> bool:
    """True when a transcript repeats a long stretch of the prompt (a hallucination).

    Saying two of the terms in a row is normal; reproducing ~40% of the prompt
    (at least 16 characters) verbatim is not.
    """
    a, b = normalize_for_cer(text), normalize_for_cer(prompt)
    if not a or not b:
        return False
    match = SequenceMatcher(None, a, b, autojunk=False).find_longest_match(0, len(a), 0, len(b))
    return match.size >= max(16, int(0.4 * len(b)))


def canonical_terms(text: str) -> str:
    """Spell the domain's Latin-script terms the canonical way (kv cache → KV cache)."""
    for pattern, canonical in _TERM_SPELLINGS:
        text = pattern.sub(canonical, text)
    return text


def join_segments(segments: Sequence[Segment]) -> str:
    """Join segment texts: no space between Chinese, one space where Latin meets Latin
    (also after a Latin sentence's punctuation: "Yes." "It does." → "Yes. It does.")."""
    out = ""
    for seg in segments:
        prev, nxt = out[-1:], seg.text[:1]
        if (
            prev
            and nxt
            and prev.isascii()
            and nxt.isascii()
            and (prev.isalnum() or (prev in ".,;:!?" and nxt.isalnum()))
        ):
            out += " "
        out += seg.text
    return out
