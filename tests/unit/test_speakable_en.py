"""Text as the English voice says it (agent/voice/speakable_en.py)."""

from __future__ import annotations

from agent.voice.speakable_en import LONG, SHORT, reading, sentences, speakable


def test_acronyms_are_spelled_unless_said_as_words_and_known_terms_get_their_reading() -> None:
    assert [reading(t) for t in ("OOV", "LLMs", "FP16", "GPT", "RAG", "BERT")] == [
        "O O V", "L L Ms", "F P 16", "G P T", "RAG", "BERT",
    ]  # fmt: skip
    assert [reading(t) for t in ("RoPE", "ALiBi", "QLoRA", "LoRA", "Transformer", "A")] == [
        "rope", "alibi", "Q Lora", "Lora", "Transformer", "A",
    ]  # fmt: skip
    assert speakable("What are OOV words? GPT-4 vs. BM25, it's DeepSeek-R1.") == (
        "What are O O V words? G P T 4 versus B M 25, it's Deep Seek R1."
    )
    assert speakable("ChatGPT, FlashAttention, RMSNorm, MySQL, DeBERTa, end-to-end") == (
        "Chat G P T, Flash Attention, R M S Norm, My S Q L, DeBERTa, end to end"
    )


def test_abbreviations_symbols_and_asides_are_said_and_markup_is_dropped() -> None:
    assert speakable("Compare e.g. ALiBi vs. RoPE (rotary), i.e. **two** `methods`.") == (
        "Compare for example alibi versus rope, rotary, that is two methods."
    )
    assert speakable("Q≈K×V, 10% of T5/BART → BERT") == (
        "Q approximately K times V, 10 percent of T5, BART to BERT"
    )
    assert speakable("What’s 2.5 + 1?") == "What's 2.5 plus 1?"


def test_chinese_the_voice_cannot_say_is_left_out() -> None:
    assert speakable("好的。Next question: 什么是 RoPE？") == "Next question: rope"
    assert sentences("你好。") == []
    assert sentences("（）。") == []


def test_lines_are_cut_into_sentences_and_a_lead_in_is_its_own() -> None:
    assert sentences("Okay, next question: What is RoPE? Why?\nHint: think of 2.5 e.g. x.") == [
        "Okay, next question:",
        "What is rope?",
        "Why?",
        "Hint:",
        "think of 2.5 for example x.",
    ]


def test_a_long_sentence_is_cut_at_commas_into_pieces_neither_tiny_nor_long() -> None:
    question = (
        "Besides RoPE, what other advanced positional encoding or attention bias methods, "
        "such as ALiBi, aim to improve a model's extrapolation ability, and how do they "
        "compare in cost, quality and ease of use in practice?"
    )
    pieces = sentences(question)
    assert len(pieces) > 1 and " ".join(pieces) == speakable(question)
    assert all(SHORT <= len(p) <= LONG for p in pieces[:-1])
    assert pieces[0].startswith("Besides rope, what other")  # not "Besides rope," alone
