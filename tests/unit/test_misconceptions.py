"""Issue 28: curated misconceptions and their multiple-choice reading, follow-ups graded
on their own points, repeats, homophones, relevant evidence, feedback language."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.bank import Entry, FollowUp, RubricPoint, Source, load_bank
from agent.bank.knowledge_checks import is_negated_copy, misconception_problems
from agent.grading import Grader, Signals, finish
from agent.grading.answer_view import is_term_list, prepare
from agent.grading.checks import new_content, states_point
from agent.grading.choice import Choice, prior, prompt, read
from agent.grading.feedback import build_feedback
from agent.grading.lexical import point_coverage, terms
from agent.grading.score import Calibration, ChoiceWeights, GainWeights
from agent.settings import Settings
from question_bank.build.knowledge import apply_knowledge
from tests.fakes import FakeLLM

POINT = RubricPoint(
    point="FlashAttention 是精确注意力，靠分块和重计算减少显存读写",
    misconceptions=["FlashAttention 是稀疏或近似注意力，会损失精度"],
)
OTHER = RubricPoint(point="在线 softmax 逐块更新最大值和归一化分母")


def _entry(points: list[RubricPoint] | None = None) -> Entry:
    return Entry(
        id="t-flash",
        question="FlashAttention 为什么快？",
        topic="注意力与推理优化",
        roles=["algorithm"],
        difficulty=2,
        sources=[Source(seed="004_x.txt", locator="Q1")],
        rubric=points or [POINT, OTHER],
        rubric_source="curated",
        reference_answer="FlashAttention 是精确注意力……",
        follow_ups=[
            FollowUp(
                question="它和 PagedAttention 有什么区别？",
                answer="PagedAttention 管理 KV cache 的显存分页，FlashAttention 优化注意力计算。",
                rubric=[RubricPoint(point="PagedAttention 把 KV cache 按块分页管理，减少显存碎片")],
            )
        ],
    )


def _cal(threshold: float = 0.4, margin: float = 0.05) -> Calibration:
    return Calibration(
        likelihood=GainWeights(bias=-5.0, w_gain=16.0, w_lexical=0.0),
        choice=ChoiceWeights(threshold=threshold, margin=margin),
    )


def _signals(answer: str, reading: Choice | None) -> Signals:
    entry = _entry()
    return Signals(
        view=prepare(answer),
        rubric=list(entry.rubric),
        p_yes=None,
        lexical=[0.5, 0.5],
        method="likelihood",
        gain=[0.9, 0.9],
        choices=[reading, None],
    )


class LetterScorer:
    """Stands in for the model's letter log-probabilities: the option text it "reads"
    in the answer gets the highest logprob, wherever it sits in the list."""

    def __init__(self, favourite: str) -> None:
        self.favourite = favourite
        self.prompts: list[str] = []

    def __call__(self, prefix: str, letter: str) -> list[tuple[int, float]]:
        self.prompts.append(prefix)
        line = next(x for x in prefix.splitlines() if x.startswith(f"{letter}. "))
        bias = -0.5 if letter == "A" else 0.0  # a letter preference the two orders cancel
        return [(0, (-0.2 if self.favourite in line else -2.5) + bias)]


# ----------------------------------------------------------------- the reading


def test_the_reading_is_calibrated_by_the_no_answer_prior() -> None:
    wrong = LetterScorer("稀疏或近似")
    base = prior(LetterScorer("没有谈到"), _entry(), POINT)
    assert base[2] > 0.6
    reading = read(wrong, _entry(), POINT, "FlashAttention 是近似注意力。", base)
    assert len(wrong.prompts) == 3  # one request per letter
    assert reading.p_wrong > 0.6 and reading.contradicted(0.4, 0.05) == 0
    right = read(LetterScorer("精确注意力"), _entry(), POINT, "FlashAttention 是精确计算。", base)
    assert right.p_point > 0.6 and right.contradicted(0.4, 0.05) is None
    neither = read(LetterScorer("没有谈到"), _entry(), POINT, "LoRA 低秩 旁路", base)
    assert neither.contradicted(0.4, 0.05) is None
    # a model that avoids A whatever it reads: the prior takes the preference out
    biased = prior(LetterScorer("nothing"), _entry(), POINT)
    assert biased[0] < biased[1]
    even = read(LetterScorer("nothing"), _entry(), POINT, "随便说说", biased)
    assert abs(even.p_point - even.p_wrong) < 1e-3
    assert abs(sum(reading.to_list()) - 1.0) < 1e-3
    text = prompt(_entry(), "回答", ["甲", "乙"])
    assert "A. 甲\nB. 乙" in text and text.endswith("<|im_start|>assistant\n")


def test_a_stated_misconception_zeroes_the_point_and_the_feedback_names_it() -> None:
    answer = "FlashAttention 是稀疏近似的注意力，会损失一点精度。它用在线 softmax 逐块更新最大值。"
    grade = finish(_entry(), _signals(answer, Choice(0.2, (0.7,), 0.1)), _cal())
    flash, online = grade.points
    assert flash.contradicted and flash.verdict == "missing" and flash.confidence == 1.0
    assert flash.misconception == POINT.misconceptions[0] and flash.p_misconception == 0.7
    assert "稀疏" in flash.evidence  # the answer's own sentence, quoted
    assert online.verdict == "covered" and not online.contradicted
    assert grade.score is not None and grade.score <= 5.5  # one of two points earns nothing
    zh = build_feedback(_entry(), grade, "zh")
    assert "常见误区" in zh and POINT.misconceptions[0] in zh and POINT.point in zh
    en = build_feedback(_entry(), grade, "en")
    assert "common misconception" in en and "讲到的要点" not in en and "Covered" in en


def test_a_close_reading_or_no_calibration_leaves_the_point_alone() -> None:
    answer = "FlashAttention 是稀疏近似的注意力。它用在线 softmax 逐块更新最大值。"
    close = finish(_entry(), _signals(answer, Choice(0.38, (0.4,), 0.22)), _cal())
    assert not any(p.contradicted for p in close.points)  # within the margin
    old = finish(_entry(), _signals(answer, Choice(0.2, (0.7,), 0.1)), Calibration(
        likelihood=GainWeights(bias=-5.0, w_gain=16.0, w_lexical=0.0)))  # fmt: skip
    assert not any(p.contradicted for p in old.points)


# ----------------------------------------------------------------- the bank's shape


def test_a_negated_copy_or_a_duplicate_is_refused() -> None:
    assert is_negated_copy("FlashAttention 是精确注意力", "FlashAttention 不是精确注意力")
    assert not is_negated_copy("FlashAttention 是精确注意力", "FlashAttention 是稀疏或近似注意力")
    bad = [
        RubricPoint(point="L1 正则产生稀疏解", misconceptions=["L1 正则不产生稀疏解"]),
        RubricPoint(point="L2 正则让权重整体变小", misconceptions=["L1 正则产生稀疏解"]),
    ]
    problems = misconception_problems(bad)
    assert any("only negates" in p for p in problems)
    assert any("duplicates point 0" in p for p in problems)
    good = [RubricPoint(point="L1 正则产生稀疏解", misconceptions=["L2 正则产生稀疏解"])]
    assert misconception_problems(good) == []


def test_knowledge_overlay_merges_by_index_and_refuses_bad_indexes() -> None:
    raw = _entry().model_dump()
    merged = apply_knowledge(
        raw,
        {"misconceptions": {1: ["softmax 只能在整行算完后归一化"]},
         "follow_ups": {0: {"points": ["PagedAttention 按块分页管理 KV cache"]}}},
    )  # fmt: skip
    entry = Entry.model_validate(merged)
    assert entry.rubric[1].misconceptions == ["softmax 只能在整行算完后归一化"]
    assert entry.follow_ups[0].rubric[0].point == "PagedAttention 按块分页管理 KV cache"
    with pytest.raises(ValueError, match="out of range"):
        apply_knowledge(raw, {"misconceptions": {7: ["x 是 y 的一种"]}})


def test_every_follow_up_in_the_bank_has_its_own_points() -> None:
    bank = load_bank()
    missing = [(e.id, n) for e in bank.entries for n, f in enumerate(e.follow_ups) if not f.rubric]
    assert missing == []
    with_m = sum(1 for e in bank.entries for p in e.rubric if p.misconceptions)
    assert with_m > 0.5 * sum(len(e.rubric) for e in bank.entries)


# ----------------------------------------------------------------- follow-ups


def test_a_follow_up_text_or_id_is_graded_on_its_own_points() -> None:
    bank = load_bank()
    parent = bank.get("004-q091")
    fu = bank.match_question(parent.follow_ups[0].question)
    assert fu is not None and fu.id == "004-q091.fu0"
    assert [p.point for p in fu.rubric] == [p.point for p in parent.follow_ups[0].rubric]
    assert fu.reference_answer == parent.follow_ups[0].answer
    assert not {p.point for p in fu.rubric} & {p.point for p in parent.rubric}
    assert bank.get("004-q091.fu0").question == parent.follow_ups[0].question


def test_a_repeat_of_the_previous_answer_earns_nothing(tmp_path: Path) -> None:
    previous = "混合检索把 BM25 和向量检索的结果用 RRF 融合。关键词和语义互补，召回更全。"
    assert new_content(previous, previous) == ""
    assert new_content(previous + "交叉编码器要对每个文档完整前向一次。", previous).startswith(
        "交叉"
    )
    grader = Grader(FakeLLM(), Settings(data_dir=tmp_path), lang="zh")  # prechecks: no call
    entry = _entry().follow_up_entry(0)
    grade = grader.prechecked(entry, previous, previous=previous, lang="en")
    assert grade is not None and grade.score == 0.0 and "repeated" in grade.flags
    assert "repeats your previous answer" in grade.feedback
    unrepeated = grader.prechecked(entry, previous, lang="zh")
    assert unrepeated is None or "repeated" not in unrepeated.flags


# ----------------------------------------------------------------- lexical


def test_a_space_separated_term_list_is_a_list_and_spaced_prose_is_not() -> None:
    assert is_term_list("LoRA 低秩 分解 旁路 矩阵 初始化 零 缩放 alpha 冻结 原权重 秩")
    assert is_term_list("low-rank adapter frozen weights alpha rank init zero merge")
    assert not is_term_list("LoRA 就是 在 原权重 旁边 加 两个 低秩 矩阵 然后 只 训练 它们")
    assert not is_term_list("LoRA 把权重更新分解成两个低秩矩阵 B 和 A，只训练它们。")
    english = (
        "LoRA freezes the pretrained weights and learns a low rank update BA beside "
        "each projection so only a few million parameters train"
    )
    assert not is_term_list(english)  # English prose: it has its grammar words


def test_homophones_from_speech_recognition_cost_nothing() -> None:
    point = "词向量把词映射为低维稠密向量"
    heard = "此向量把此映射为低维稠密向量"  # what Whisper wrote for the same words
    by_characters = len(terms(point) & terms(heard)) / len(terms(point))
    assert by_characters < 0.8  # compared by characters, the homophones cost a lot
    assert point_coverage(point, terms(heard)) == pytest.approx(1.0)
    unrelated = "今天天气很好我们去公园散步"
    assert point_coverage(point, terms(unrelated)) == 0.0


def test_evidence_about_another_subject_does_not_state_the_point() -> None:
    point = "softmax 加交叉熵对 logits 的梯度为 p−y"
    attention = "In self-attention, softmax turns the scaled dot products into weights."
    assert not states_point(point, attention)
    assert states_point(point, "softmax 和交叉熵一起求导，对 logits 的梯度就是 p 减 y")


def test_the_calibration_grid_scores_items_as_finish_does() -> None:
    from evals.calibrate_choice import _score

    for reading in (Choice(0.2, (0.7,), 0.1), Choice(0.5, (0.3,), 0.2), None):
        for answer in ("FlashAttention 是稀疏近似的注意力。它用在线 softmax 逐块更新最大值。",
                       "它很快。"):  # fmt: skip
            signals = _signals(answer, reading)
            for cal in (_cal(), _cal(0.6, 0.3), Calibration(likelihood=_cal().likelihood)):
                fast, _n = _score(_entry(), signals, cal)
                assert fast == finish(_entry(), signals, cal).score
