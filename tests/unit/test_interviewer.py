from __future__ import annotations

import pytest

from agent.interview import phrases as say
from agent.llm.errors import EndpointUnavailable
from tests import fakes


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("提示", "hint"),
        ("请给个提示吧", "hint"),
        ("HINT", "hint"),
        ("跳过。", "skip"),
        ("skip", "skip"),
        ("请重复一下", "repeat"),
        ("再说一遍", "repeat"),
        ("结束", "end"),
        ("end", "end"),
        ("提示工程是什么意思", None),
        ("不知道", None),
        ("我觉得应该跳过这个 token", None),
        ("", None),
    ],
)
def test_parse_command(text: str, command: str | None) -> None:
    assert say.parse_command(text) == command


def test_leak_check() -> None:
    q = "自注意力为什么要除以根号 d_k？"
    point = "点积方差随维度增大，除以√d_k 防止 softmax 饱和"
    assert say.leaks("是因为点积方差随维度增大会让 softmax 饱和吗？", point, q)
    assert not say.leaks("你能从数值稳定性的角度再谈谈吗？", point, q)


def FakeLLM(reply: str | Exception) -> fakes.FakeLLM:
    return fakes.FakeLLM(reply=reply)


def test_probe_uses_model_line_unless_it_leaks_or_fails() -> None:
    q, point = "什么是 KV cache？", "缓存历史 token 的 K 和 V，避免重复计算"
    ok = FakeLLM("它在推理时具体省掉了哪部分计算？")
    assert say.probe(ok, "zh", q, point) == "它在推理时具体省掉了哪部分计算？"
    assert point in ok.chats[0][0]["content"]  # the prompt names the point to aim at
    # a line that leaks the point, or no line: a term of the point the answer lacks
    by_term = say.phrase("zh", "probe_term").format(term="token")
    leaky = FakeLLM("是不是缓存历史 token 的 K 和 V，避免重复计算？")
    assert say.probe(leaky, "zh", q, point) == by_term
    down = FakeLLM(EndpointUnavailable("down"))
    assert say.probe(down, "zh", q, point) == by_term
    assert say.probe(down, "zh", q, point, "我知道它缓存 token") == say.phrase(
        "zh", "probe_fallback"
    )


def test_a_probe_names_a_labelled_point_by_its_label_and_never_says_tell_me_more() -> None:
    q = "简述 one-hot 的优缺点。"
    line = say.probe(None, "zh", q, "缺点：维度等于词表大小，极度稀疏")
    assert line == "你还没讲到「缺点」这一点，能说说吗？" and "维度" not in line
    assert say.probe(None, "en", q, "Adam state: FP32 master weights") == (
        "You haven't covered Adam state yet. Can you walk me through it?"
    )
    # a label the answer names is not called unmentioned: asked to be specific about it
    named = say.probe(None, "zh", q, "缺点：维度等于词表大小，极度稀疏", "它的缺点是很占内存")
    assert named == "你提到了「缺点」，这一点能再讲具体些吗？"
    assert say.probe(None, "en", q, "Adam state: FP32 master weights", "the adam STATE") == (
        "You mentioned Adam state: can you be more specific about it?"
    )
    for lang in ("zh", "en"):  # the old generic line is gone
        assert "展开" not in say.phrase(lang, "probe_fallback")
        assert "more detail" not in say.phrase(lang, "probe_fallback")


def test_a_redirect_puts_the_question_again_with_an_angle_or_offers_a_hint() -> None:
    q = "什么是流水线并行？"
    back = say.redirect("zh", q, "切分方式：按层把模型切成多段", dont_know=False)
    assert back.startswith("这个回答好像没有回答题目") and q in back and "切分方式" in back
    assert "按层" not in back  # the angle names the point, never states it
    offer = say.redirect("en", "What is pipeline parallelism?", None, dont_know=True)
    assert "hint" in offer and offer.endswith("What is pipeline parallelism?")


def test_a_hint_that_parrots_the_question_is_replaced() -> None:
    q, point = "请解释 BatchNorm 在训练和推理阶段的不同行为。", "推理时用训练累积的滑动均值和方差"
    parrot = FakeLLM("请解释 BatchNorm 在训练和推理阶段的不同行为")
    hint = say.hint(parrot, "zh", q, point)
    assert hint == say.phrase("zh", "hint_prefix") + say.phrase("zh", "hint_fallback")


def test_hint_never_states_the_point() -> None:
    q, point = "LoRA 的原理？", "在冻结权重旁加低秩矩阵 BA，只训练 A、B"
    hint = say.hint(FakeLLM("在冻结权重旁加低秩矩阵 BA"), "zh", q, point)
    assert hint.startswith("提示：") and "低秩矩阵" not in hint
    assert say.hint(None, "en", q, None).startswith("Hint: ")


def test_phrases_in_both_languages() -> None:
    assert "3" in say.opening("zh", "algorithm", 3, "practice")
    assert "algorithm" in say.opening("en", "algorithm", 3, "real")
    assert say.transition("zh", 0) != say.transition("zh", 1)
