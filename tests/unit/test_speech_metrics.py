"""Speech metrics on hand-made segment lists (values computed by hand in the comments)."""

from __future__ import annotations

import pytest

from agent.speech.metrics import Segment, compute_metrics, count_fillers
from agent.speech.regions import is_covered, is_sparse
from agent.speech.transcript_text import (
    VOCABULARY_PROMPT,
    canonical_terms,
    echoes_prompt,
    join_segments,
    normalize_for_cer,
)


def test_metrics_from_segments() -> None:
    segments = [
        # CJK: 嗯 那个 我觉得 的 注意力 很重要 = 1+2+3+1+3+3 = 13; English: Transformer
        Segment(start=1.0, end=4.0, text="嗯，那个，我觉得Transformer的注意力很重要"),
        # CJK: 就是说它会用 然后 归一化 = 6+2+3 = 11; English: softmax, um
        Segment(start=7.0, end=10.0, text="就是说它会用softmax，um，然后，归一化"),
        # CJK: 6; "那个模型" is a determiner, sentence-final "是啊" a particle: no fillers
        Segment(start=10.5, end=13.0, text="那个模型是啊"),
    ]
    m = compute_metrics(segments, 20.0, long_pause_s=2.0)
    assert m.duration_s == 20.0
    assert m.speech_s == 8.5  # 3 + 3 + 2.5
    assert m.silence_ratio == 0.575  # 1 - 8.5 / 20
    assert m.answer_span_s == 12.0  # 13 - 1
    assert m.cjk_chars == 30
    assert m.english_words == 3
    assert m.chars_per_minute == 150.0  # 30 chars / 12 s * 60
    assert m.words_per_minute == 15.0  # 3 words / 12 s * 60
    assert m.fillers == {"嗯": 1, "那个": 1, "就是": 1, "然后": 1, "um": 1}
    assert m.filler_count == 5
    assert m.long_pauses == 1  # the 4 → 7 gap; 10 → 10.5 is short
    assert m.longest_pause_s == 3.0
    assert m.long_pause_spans == [(4.0, 7.0)]


def test_vad_regions_drive_pauses_and_threshold_is_inclusive() -> None:
    segments = [Segment(start=0.5, end=9.0, text="我们先说RoPE然后说KV cache")]
    speech = [(0.5, 2.0), (4.0, 5.0), (5.5, 6.0), (8.5, 9.0)]  # gaps 2.0, 0.5, 2.5
    m = compute_metrics(segments, 10.0, speech=speech, long_pause_s=2.0)
    assert m.speech_s == 3.5  # 1.5 + 1 + 0.5 + 0.5
    assert m.silence_ratio == 0.65
    assert m.long_pauses == 2
    assert m.longest_pause_s == 2.5
    assert m.long_pause_spans == [(2.0, 4.0), (6.0, 8.5)]
    # CJK 我们先说 然后说 = 7 over 8.5 s span; English RoPE KV cache = 3
    assert m.cjk_chars == 7 and m.chars_per_minute == round(7 * 60 / 8.5, 1)
    assert m.english_words == 3 and m.words_per_minute == round(3 * 60 / 8.5, 1)
    assert m.fillers == {}  # 然后 followed by a word is a normal "then"


def test_overlapping_regions_are_merged() -> None:
    m = compute_metrics([], 10.0, speech=[(1.0, 3.0), (2.0, 4.0), (6.5, 7.0)])
    assert m.speech_s == 3.5
    assert m.longest_pause_s == 2.5 and m.long_pauses == 1


def test_no_speech_gives_zeros() -> None:
    m = compute_metrics([], 5.0)
    assert m.speech_s == 0 and m.silence_ratio == 1.0
    assert m.chars_per_minute == 0 and m.words_per_minute == 0
    assert m.long_pauses == 0 and m.longest_pause_s == 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("嗯嗯嗯，我觉得", {"嗯": 1}),  # a run counts once
        ("呃这个呃", {"呃": 2}),
        ("啊，这个问题", {"啊": 1}),  # clause-initial
        ("好啊", {}),  # sentence-final particle
        ("那个，我想想", {"那个": 1}),
        ("那个我觉得", {"那个": 1}),  # before a pronoun
        ("那个模型", {}),  # determiner
        ("就是说它会", {"就是": 1}),  # clause-initial
        ("这就是注意力", {}),  # copula
        ("就是就是", {"就是": 2}),
        ("然后我们做SFT", {}),  # normal connective
        ("然后，嗯，然后然后", {"然后": 3, "嗯": 1}),
        ("Um, so uh the umm", {"um": 2, "uh": 1}),
        ("umbrella uhura", {}),
    ],
)
def test_filler_rules(text: str, expected: dict[str, int]) -> None:
    assert count_fillers(text) == expected


def test_prompt_echo_detection() -> None:
    assert echoes_prompt("首先说一下。" + VOCABULARY_PROMPT, VOCABULARY_PROMPT)
    assert echoes_prompt("Transformer、RoPE、KV cache、LoRA微调和量化。", VOCABULARY_PROMPT)
    assert not echoes_prompt("LoRA微调只训练低秩矩阵", VOCABULARY_PROMPT)
    assert not echoes_prompt("RoPE和KV cache", VOCABULARY_PROMPT)
    assert not echoes_prompt("", VOCABULARY_PROMPT)


def test_text_helpers() -> None:
    assert normalize_for_cer("Hello, 世界！ KV cache。") == "hello世界kvcache"
    segs = [Segment(start=0, end=1, text="用KV"), Segment(start=1, end=2, text="cache加速")]
    assert join_segments(segs) == "用KV cache加速"
    segs = [Segment(start=0, end=1, text="第一句。"), Segment(start=1, end=2, text="第二句")]
    assert join_segments(segs) == "第一句。第二句"


def test_canonical_terms() -> None:
    text = "用kv cache和KVcache加速，lora微调，rope编码，soft max，q lora"
    assert canonical_terms(text) == "用KV cache和KV cache加速，LoRA微调，RoPE编码，softmax，QLoRA"
    assert canonical_terms("europe ragged QLoRA") == "europe ragged QLoRA"


def test_dropped_text_detection() -> None:
    speech = [(0.0, 4.0), (5.0, 9.0)]
    # one segment over 8 s of speech with 6 characters: text was dropped
    assert is_sparse(Segment(start=0.0, end=9.0, text="广州市佛地产"), speech)
    assert not is_sparse(Segment(start=0.0, end=4.0, text="甚至出现交易几乎停滞的情况"), speech)
    assert not is_sparse(Segment(start=0.0, end=1.0, text="好"), speech)  # too short to judge
    good = [Segment(start=0.0, end=4.2, text="甚至出现交易几乎停滞的情况")]
    assert is_covered((0.0, 4.0), good)
    assert not is_covered((5.0, 9.0), good)
