"""The English voice eval's word error counts (evals/eval_voice_en.py)."""

from __future__ import annotations

from evals.eval_voice_en import CHOSE, HELD_OUT, normalize_en, pick, word_errors


def test_both_sides_are_normalised_the_same_way() -> None:
    assert normalize_en("Compare e.g. ALiBi vs. RoPE (2.5x), end-to-end; T5/BART's head.") == (
        "compare for example alibi versus rope 2.5x end to end t5 bart's head"
    )
    assert normalize_en("What’s ‘OOV’?") == "what's oov"
    assert normalize_en("O-O-V words, L-L-Ms, PP-O, GPT-4, Q-Former") == (
        "oov words llms ppo gpt 4 q former"
    )


def test_word_errors_count_and_name_the_missed_words() -> None:
    same = word_errors("What is RoPE?", "what is rope")
    assert same["word_errors"] == 0 and same["words"] == 3 and same["missed"] == []
    wrong = word_errors("Describe the core design of MySQL.", "Describe the core design of my SQL")
    assert wrong["word_errors"] == 2 and wrong["missed"] == ["mysql"]
    assert wrong["char_errors"] == 0  # spaces aside, every letter was heard
    assert word_errors("Tell me about BERT.", "")["word_errors"] == 4


def test_the_held_out_questions_are_not_the_ones_that_chose_the_voice() -> None:
    held_out = {e.id for e in pick(60, HELD_OUT)}
    assert len(held_out) == 60 and HELD_OUT not in CHOSE
    for offset in CHOSE:
        assert len(pick(60, offset)) == 60 and not held_out & {e.id for e in pick(60, offset)}
