"""The voice eval's error counts (evals/eval_voice.py)."""

from __future__ import annotations

from evals.eval_voice import errors, reference


def test_a_homophone_is_a_character_error_but_not_a_sound_error() -> None:
    ref, own = reference("你在项目中如何使用LoRA？")
    assert ref.startswith("你在项目中如何使用") and not all(own)  # LoRA's reading
    assert errors(ref, own, "你再项目中如何使用" + ref[9:]) == (1, 1)
    assert errors(ref, own, "你再项目中如何使用" + ref[9:], sounds=True) == (0, 0)
    assert errors(ref, own, "你在项目里如何使用" + ref[9:], sounds=True) == (1, 1)
    assert errors(ref, own, "", sounds=True) == (sum(own), len(ref))  # nothing heard
