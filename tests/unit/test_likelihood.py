"""Token coverage (agent/grading/likelihood.py) and the grader's use of them, with a
fake scorer: a key point's character is likely after an answer that contains it."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from agent.grading import Grader, likelihood
from agent.grading.score import Calibration, GainWeights
from agent.llm.client import Capabilities
from agent.llm.errors import BadOutput
from agent.settings import Settings
from tests.unit.test_grading import GOOD, REFERENCE, RUBRIC, FakeLLM, entry

ASSISTANT = "<|im_start|>assistant\n"


class ScoringLLM(FakeLLM):
    """Scores a prompt per character: a key point's character costs 1 nat when the
    answer in the prompt has it, 3 when not."""

    model = "fake"
    shown_url = "http://fake"

    def __init__(self, supported: bool = True) -> None:
        super().__init__(p=0.9)
        self.supported = supported
        self.prompts: list[str] = []

    def has_prompt_logprobs(self) -> bool:
        return self.supported

    def prompt_logprobs(self, prompt: str, score_from: int = 0) -> list[tuple[int, float | None]]:
        self.prompts.append(prompt)
        at = prompt.rindex(ASSISTANT) + len(ASSISTANT)
        assert score_from == at  # only the point's tokens are asked for
        answer = prompt.split("候选人的回答：\n", 1)[1].split("\n\n用一句话", 1)[0]
        out: list[tuple[int, float | None]] = [(0, None)]
        out += [(i, None if i % 2 else -0.5) for i in range(1, at)]  # as the server may
        out += [(i, -1.0 if prompt[i] in answer else -3.0) for i in range(at, len(prompt))]
        return out


def test_point_tokens_reads_only_the_points_tokens() -> None:
    llm = ScoringLLM()
    prefix = likelihood.head(entry(), "注意力")
    assert prefix.endswith(ASSISTANT)
    assert likelihood.point_tokens(llm, prefix, "注意力") == [(0, -1.0), (1, -1.0), (2, -1.0)]
    assert likelihood.point_tokens(llm, prefix, "注意卷") == [(0, -1.0), (1, -1.0), (2, -3.0)]


def test_a_reply_without_the_points_tokens_is_an_error() -> None:
    class Short(ScoringLLM):
        def prompt_logprobs(
            self, prompt: str, score_from: int = 0
        ) -> list[tuple[int, float | None]]:
            return [(0, None), (1, -1.0)]

    with pytest.raises(BadOutput):
        likelihood.point_tokens(Short(), "前缀" * 10, "要点")


def test_token_coverage_counts_the_distinctive_tokens_the_answer_makes_likely() -> None:
    empty = [(0, -3.0), (1, -3.0), (2, -3.0), (3, -3.0), (5, -2.0)]
    reference = [(0, -1.0), (1, -1.0), (2, -1.0), (3, -1.0), (5, -2.1)]  # 5: not distinctive
    # raised by 2, 1 (half the reference's 2: counts), 0.9 (not), 0; token 5 is ignored
    answer = [(0, -1.0), (1, -2.0), (2, -2.1), (3, -3.0), (5, -9.0)]
    assert likelihood.token_coverage(answer, empty, reference) == 0.5
    assert likelihood.token_coverage(reference, empty, reference) == 1.0
    assert likelihood.token_coverage(empty, empty, reference) == 0.0
    # no token the reference raises by more than DISTINCT: the one it raises most decides
    flat = [(0, -3.0), (1, -2.9)]
    assert likelihood.token_coverage([(0, -9.0), (1, -2.9)], empty[:2], flat) == 1.0
    assert likelihood.token_coverage([(0, -9.0), (1, -3.5)], empty[:2], flat) == 0.0
    with pytest.raises(BadOutput):  # tokens that do not line up with the baselines'
        likelihood.token_coverage([(7, -1.0)], empty, reference)


def test_coverage_is_zero_for_no_answer_one_for_the_reference() -> None:
    llm = ScoringLLM()
    calls: list[str] = []

    def loglik(e: Any, rubric: Any, answer: str) -> list[likelihood.PointTokens]:
        calls.append(answer)
        return likelihood.loglik(llm, e, rubric, answer)

    store = likelihood.Baselines(loglik)
    e = entry()
    assert store.coverage(e, RUBRIC, likelihood.NO_ANSWER) == [0.0] * len(RUBRIC)
    assert store.coverage(e, RUBRIC, REFERENCE) == [1.0] * len(RUBRIC)
    good = store.coverage(e, RUBRIC, GOOD)
    assert all(0.5 < g <= 1.0 for g in good), good
    weak = store.coverage(e, RUBRIC, "位置")
    assert all(g < min(good) for g in weak), (weak, good)
    # the two baselines were computed once for the four answers
    assert calls.count(likelihood.NO_ANSWER) == 2 and calls.count(REFERENCE) == 2


CAL = Calibration(
    bias=-6.0, w_model=3.0, w_lexical=2.0,
    likelihood=GainWeights(bias=-3.0, w_gain=10.0, w_lexical=0.0),
)  # fmt: skip


def _grader(llm: ScoringLLM, tmp_path: Path) -> Grader:
    settings = Settings(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache")
    g = Grader(llm, settings)
    g.calibration = CAL
    return g


def test_grader_grades_by_likelihood_where_calibrated_and_supported(tmp_path: Path) -> None:
    llm = ScoringLLM()
    g = _grader(llm, tmp_path)
    good = g.grade(entry(), GOOD)
    partial = g.grade(entry(), "自注意力对词序置换不变，所以要注入位置信息，具体实现我记不清了。")
    assert good.method == partial.method == "likelihood" and not llm.calls  # no 是/否 call
    assert good.score is not None and partial.score is not None
    assert good.score >= 8 and partial.score < good.score - 2, (good.score, partial.score)
    assert all(p.gain is not None and p.p_yes is None for p in good.points)
    gain = good.points[0].gain
    assert gain is not None
    credit = 1 / (1 + math.exp(-(-3.0 + 10.0 * gain)))
    assert good.points[0].confidence == pytest.approx(credit, abs=1e-3)


def test_grader_falls_back_to_verdicts_without_prompt_logprobs(tmp_path: Path) -> None:
    llm = ScoringLLM(supported=False)
    grade = _grader(llm, tmp_path).grade(entry(), GOOD)
    assert grade.method == "logprobs" and len(llm.calls) == 1 and not llm.prompts
    assert all(p.p_yes is not None and p.gain is None for p in grade.points)


def test_warm_computes_the_baselines_before_the_answer(tmp_path: Path) -> None:
    llm = ScoringLLM()
    g = _grader(llm, tmp_path)
    assert llm.capabilities() == Capabilities(structured="prompt", logprobs=True, grammar=True)
    g.warm(entry())
    warmed = len(llm.prompts)
    assert warmed == 2 * len(RUBRIC)
    g.grade(entry(), GOOD)
    assert len(llm.prompts) == warmed + len(RUBRIC)  # only the answer's own points


def test_baselines_kept_on_disk_are_reused_by_the_next_session(tmp_path: Path) -> None:
    llm = ScoringLLM()
    asked: list[str] = []

    def loglik(e: Any, rubric: Any, answer: str) -> list[likelihood.PointTokens]:
        asked.append(answer)
        return likelihood.loglik(llm, e, rubric, answer)

    def store(model: str = "m") -> likelihood.Baselines:
        return likelihood.Baselines(loglik, model=lambda: model, directory=tmp_path / "b")

    first = store().get(entry(), RUBRIC)
    assert len(asked) == 2
    assert store().get(entry(), RUBRIC) == first and len(asked) == 2  # from disk
    store("another model").get(entry(), RUBRIC)
    assert len(asked) == 4  # a baseline is the model's own
    assert len(list((tmp_path / "b").iterdir())) == 2
    for f in (tmp_path / "b").iterdir():
        f.write_text("{not json")
    assert store().get(entry(), RUBRIC) == first and len(asked) == 6  # unreadable: again
