"""Rubric grading of one answer, as a pipeline that reads top to bottom.

``Grader.grade(entry, answer)``:

1. **rubric** (``rubric.py``): the bank's key points, or a rubric derived once by the
   model and cached (flag ``derived_rubric``).
2. **view** (``answer_view.py``): normalise and screen the answer once — instructions
   to the grader and forged delimiters removed (``injection.py``), one truncation,
   bare term lists set aside. Every later stage reads this view.
3. **pre-checks** (``checks.py``): empty, 不知道, injection-only, keyword list, too
   short, off-topic decide the grade without the model (score 0–1, flagged).
4. **signals**: how much the answer raises the model's likelihood of each key point
   (``likelihood.py``) where the endpoint scores a prompt's own tokens and the
   calibration has weights for it; otherwise the model's P(是) for every key point
   in one call (``verdicts.py``). And each point's lexical coverage (``lexical.py``).
5. **score** (``score.py``): the learned combiner gives each point a credit, verdict
   and confidence, and the answer a 0–10 score; evidence is a sentence of the
   answer, kept only if it really occurs in it.
6. **feedback** (``feedback.py``) from the verdicts; model-written prose only when
   ``settings.grade_model_feedback`` says the configured model can.

A failed model call never raises out of ``grade`` and is never papered over: the
grade comes back ``Grade.pending`` with the error; grading again retries.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from agent.bank import Entry, RubricPoint
from agent.grading import checks, choice, likelihood, verdicts
from agent.grading.answer_view import AnswerView, prepare
from agent.grading.feedback import build_feedback
from agent.grading.models import Grade, PointGrade
from agent.grading.rubric import rubric_for
from agent.grading.score import (
    Calibration,
    confidence_for,
    load_calibration,
    score,
    verdict_for,
)
from agent.llm.errors import LLMError
from agent.llm.protocol import LLM
from agent.prompts import render
from agent.settings import Settings
from agent.text import content_key

#: Multiple-choice priors kept in memory (one per key point with misconceptions).
PRIORS_KEPT = 2048


@dataclass
class Signals:
    """What the grader measured for one answer before the formula is applied."""

    view: AnswerView
    rubric: list[RubricPoint]
    p_yes: list[float] | None  # None: graded by likelihood (token coverage)
    lexical: list[float]
    method: str  # "likelihood" | "logprobs" | "sampled"
    flags: list[str] = field(default_factory=list)
    gain: list[float] | None = None  # each point's token coverage (likelihood.py)
    #: the multiple-choice reading of each point with misconceptions (choice.py);
    #: None where a point has none or was not asked
    choices: list[choice.Choice | None] | None = None


def quick_coverage(rubric: list[RubricPoint], answer: str) -> list[float]:
    """Lexical coverage of each key point (milliseconds, no model): what the
    interviewer's follow-up choice reads while the full grade runs."""
    return checks.coverage(rubric, prepare(answer).model_text)


def finish(entry: Entry, signals: Signals, cal: Calibration) -> Grade:
    """Verdicts, evidence and the score from the signals. Feedback is left empty."""
    points: list[PointGrade] = []
    credits: list[float] = []
    n = len(signals.rubric)
    none: list[float | None] = [None] * n
    p_yes: list[float | None] = list(signals.p_yes) if signals.p_yes is not None else none
    gain: list[float | None] = list(signals.gain) if signals.gain is not None else none
    readings: list[choice.Choice | None] = list(signals.choices or [None] * n)
    text = signals.view.model_text
    for rp, p, g, lex, reading in zip(
        signals.rubric, p_yes, gain, signals.lexical, readings, strict=True
    ):
        if g is not None and cal.likelihood is not None:
            credit = cal.likelihood.credit(g, lex)
        elif p is not None:
            credit = cal.credit(p, lex)
        else:
            raise ValueError("signals without verdicts or gains")
        wrong = None
        if reading is not None and cal.choice is not None:
            wrong = reading.contradicted(cal.choice.threshold, cal.choice.margin)
        evidence = ""
        if wrong is not None:  # the answer states a curated misconception: no credit
            credit = 0.0
            quote = checks.best_sentence(rp.misconceptions[wrong], text)
            evidence = checks.keep_evidence(quote, signals.view.original)
        elif verdict_for(credit) != "missing":
            quote = checks.best_sentence(rp.point, text)
            evidence = checks.keep_evidence(quote, signals.view.original)
            if verdict_for(credit) == "partial" and not checks.states_point(rp.point, evidence):
                credit, evidence = 0.0, ""  # a sentence about something else earns nothing
        verdict = verdict_for(credit)
        points.append(
            PointGrade(
                point=rp.point,
                verdict=verdict,
                confidence=confidence_for(credit, verdict),
                evidence=evidence,
                p_yes=None if p is None else round(p, 4),
                lexical=lex,
                gain=g,
                misconception=None if wrong is None else rp.misconceptions[wrong],
                p_misconception=None if reading is None else round(reading.p_wrong, 4),
            )
        )
        credits.append(credit)
    flags = list(signals.flags)
    if signals.method == "sampled":
        flags.append("sampled_verdicts")
    method = signals.method if signals.method in ("likelihood", "sampled") else "logprobs"
    return Grade(
        question_id=entry.id,
        score=score(credits, [p.weight for p in signals.rubric]),
        points=points,
        flags=flags,
        method=method,
    )


AskFn = Callable[[Entry, list[RubricPoint], str], verdicts.PointVerdicts]


class Grader:
    """Grades answers against rubrics with one model. Thread-safe for reading.

    ``ask``, ``loglik`` and ``scorer`` replace the model's verdict, likelihood and
    letter-scoring calls (the evals answer them from a disk cache)."""

    def __init__(
        self,
        llm: LLM,
        settings: Settings,
        lang: str = "zh",
        ask: AskFn | None = None,
        loglik: likelihood.LoglikFn | None = None,
        scorer: likelihood.PointScorer | None = None,
    ) -> None:
        self.llm = llm
        self.scorer: likelihood.PointScorer = scorer or (
            lambda prefix, text: likelihood.point_tokens(llm, prefix, text)
        )
        self._lock = threading.Lock()
        self._priors: dict[tuple[str, str, tuple[str, ...], str], list[float]] = {}
        self.ask: AskFn = ask or (lambda e, r, text: verdicts.ask(llm, e, r, text))
        self.baselines = likelihood.Baselines(
            loglik or (lambda e, r, text: likelihood.loglik(llm, e, r, text)),
            model=lambda: str(getattr(llm, "model", "")),
            directory=None if loglik else settings.cache_dir / "likelihood-baselines",
        )
        self.settings = settings
        self.lang = lang if lang in ("zh", "en") else "zh"
        self.calibration: Calibration = load_calibration(settings.grade_calibration_file)
        self.cache_dir = settings.data_dir

    def by_likelihood(self) -> bool:
        """Grade by likelihood (token coverage): the calibration has weights for them and the
        endpoint scores a prompt's tokens (probed once)."""
        return self.calibration.likelihood is not None and self.llm.has_prompt_logprobs()

    def grade(
        self, entry: Entry, answer: str, *, lang: str | None = None, previous: str | None = None
    ) -> Grade:
        """The grade of ``answer``; ``lang``: the interview's language (feedback, the
        grader's placeholder), default the grader's; ``previous``: the answer before a
        follow-up (what it repeats earns nothing)."""
        lang = self._lang(lang)
        try:
            assessed = self.assess(entry, answer, lang=lang, previous=previous)
        except LLMError as exc:
            return Grade.pending(entry.id, str(exc))
        if isinstance(assessed, Grade):
            return assessed
        grade = finish(entry, assessed, self.calibration)
        grade.feedback = self._feedback(entry, grade, lang)
        return grade

    def _lang(self, lang: str | None) -> str:
        return lang if lang in ("zh", "en") else self.lang

    def assess(
        self, entry: Entry, answer: str, *, lang: str | None = None, previous: str | None = None
    ) -> Grade | Signals:
        """A pre-checked grade, or the per-point signals the formula combines.
        Raises ``LLMError`` when a model call fails."""
        lang = self._lang(lang)
        rubric, derived = rubric_for(entry, self.llm, self.cache_dir)
        extra = ["derived_rubric"] if derived else []
        repeated = self._repeated(entry, rubric, answer, previous, lang, extra)
        if repeated is not None:
            return repeated
        pre, view = self._precheck(entry, rubric, checks.new_content(answer, previous), extra, lang)
        if pre is not None:
            return pre
        flags = list(extra)
        if view.screened.flagged:
            flags.append("injection")
        if view.truncated:
            flags.append("truncated")
        lexical = checks.coverage(rubric, view.model_text)
        if self.by_likelihood():
            return self._likelihood_signals(entry, rubric, view, lexical, flags)
        asked = self.ask(entry, rubric, view.model_text)
        return Signals(view, rubric, asked.p_yes, lexical, asked.method, flags)

    def _likelihood_signals(
        self,
        entry: Entry,
        rubric: list[RubricPoint],
        view: AnswerView,
        lexical: list[float],
        flags: list[str],
    ) -> Signals:
        """Token coverage of every point, then the multiple-choice reading of each point
        with misconceptions that the coverage does not already call missing (the same
        prefix: llama.cpp reads the answer once)."""
        gain = self.baselines.coverage(entry, rubric, view.model_text)
        choices: list[choice.Choice | None] = [None] * len(rubric)
        weights = self.calibration.likelihood
        if self.calibration.choice is not None and weights is not None:
            for i, (p, g, lex) in enumerate(zip(rubric, gain, lexical, strict=True)):
                if p.misconceptions and verdict_for(weights.credit(g, lex)) != "missing":
                    base = self._prior(entry, p)
                    choices[i] = choice.read(self.scorer, entry, p, view.model_text, base)
        return Signals(view, rubric, None, lexical, "likelihood", flags, gain, choices)

    def _prior(self, entry: Entry, point: RubricPoint) -> list[float]:
        """The point's multiple-choice prior (no answer), computed once per question."""
        key = (entry.question, point.point, tuple(point.misconceptions), str(self.llm.model))
        with self._lock:
            found = self._priors.get(key)
        if found is None:
            found = choice.prior(self.scorer, entry, point)
            with self._lock:
                self._priors[key] = found
                while len(self._priors) > PRIORS_KEPT:
                    self._priors.pop(next(iter(self._priors)))
        return found

    def prechecked(
        self, entry: Entry, answer: str, *, lang: str | None = None, previous: str | None = None
    ) -> Grade | None:
        """The grade when a pre-check decides it (empty, 不知道, off-topic, a repeat of
        the previous answer …), else None; never calls the model (None for an entry
        whose rubric the model must derive), so the interview can save it at once
        instead of queueing it behind grades."""
        if not entry.rubric:
            return None
        lang = self._lang(lang)
        rubric = list(entry.rubric)
        repeated = self._repeated(entry, rubric, answer, previous, lang, [])
        if repeated is not None:
            return repeated
        return self._precheck(entry, rubric, checks.new_content(answer, previous), [], lang)[0]

    def _repeated(
        self,
        entry: Entry,
        rubric: list[RubricPoint],
        answer: str,
        previous: str | None,
        lang: str,
        extra: list[str],
    ) -> Grade | None:
        """0, flagged ``repeated``, when every sentence of a follow-up answer repeats
        the answer before it."""
        if (
            not previous
            or not content_key(answer)
            or content_key(checks.new_content(answer, previous))
        ):
            return None
        grade = Grade.precheck(entry.id, [p.point for p in rubric], ["repeated", *extra], 0.0)
        grade.feedback = build_feedback(entry, grade, lang)
        return grade

    def _precheck(
        self,
        entry: Entry,
        rubric: list[RubricPoint],
        answer: str,
        extra: list[str],
        lang: str | None = None,
    ) -> tuple[Grade | None, AnswerView]:
        lang = self._lang(lang)
        topic = checks.topic_terms(entry, rubric)  # once: the view and the checks share it
        view = prepare(answer, lang, topic)
        decided = checks.precheck(entry, rubric, view, topic)
        if decided is None:
            return None, view
        flag, value = decided
        flags = [flag, *(["injection"] if view.screened.flagged and flag != "injection" else [])]
        pre = Grade.precheck(entry.id, [p.point for p in rubric], flags + extra, value)
        pre.feedback = build_feedback(entry, pre, lang)
        return pre, view

    def warm(self, entry: Entry) -> None:
        """Do the answer-independent work now, while the candidate is still answering:
        the question's likelihood baselines, or the verdict prompt's prefix (llama.cpp
        keeps it in its prefix cache). Best effort: a failure here only costs time
        later. Only for llama.cpp servers (they accept a grammar): a hosted API would
        bill the extra requests."""
        try:
            if not self.llm.capabilities().grammar:
                return
            rubric, _ = rubric_for(entry, self.llm, self.cache_dir)
            if self.by_likelihood():
                self.baselines.get(entry, rubric)
                if self.calibration.choice is not None:
                    for p in rubric:
                        if p.misconceptions:
                            self._prior(entry, p)
                return
            verdicts.warm(self.llm, entry, rubric)
        except LLMError:
            return

    def _feedback(self, entry: Entry, grade: Grade, lang: str) -> str:
        built = build_feedback(entry, grade, lang)
        if not self.settings.grade_model_feedback:
            return built
        groups = {
            name: "；".join(p.point for p in grade.points if p.verdict == name) or "（无）"
            for name in ("covered", "partial", "missing")
        }
        try:
            prose = self.llm.chat(
                [
                    {
                        "role": "user",
                        "content": render(
                            "grade_feedback", lang, question=entry.question, **groups
                        ),
                    }
                ],
                max_tokens=200,
                temperature=0.2,
            )
        except LLMError:
            return built  # the verdicts stand; only the optional prose is missing
        return f"{prose.strip()}\n{built}" if prose.strip() else built
