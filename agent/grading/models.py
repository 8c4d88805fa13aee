"""The grade, one type: what the grader returns, the store keeps and the report shows.

Constructors name the ways a grade comes about without a model verdict:
``Grade.pending`` (the model call failed: retried later, never invented),
``Grade.precheck`` (decided by a deterministic check: empty, 不知道, off-topic …),
``Grade.skipped`` (the candidate skipped the question) and ``Grade.invalid`` (an
input line of ``mianshi grade`` that could not be read: nothing to grade).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, Field

Verdict = Literal["covered", "partial", "missing"]
GradeMethod = Literal["precheck", "likelihood", "logprobs", "sampled", "pending", "error", "none"]


class PointGrade(BaseModel):
    point: str
    verdict: Verdict
    confidence: float
    evidence: str = ""  # "" unless it literally occurs in the answer
    p_yes: float | None = None  # the model's P(是) for this point (None: not asked)
    lexical: float | None = None  # lexical coverage of this point
    gain: float | None = None  # its likelihood signal: the token coverage, 0–1 (likelihood.py)
    #: the curated misconception the answer states (the point is then contradicted:
    #: verdict ``missing``, credit 0, and the feedback names it); None otherwise
    misconception: str | None = None
    #: the multiple-choice reading's P(a misconception) for this point (choice.py)
    p_misconception: float | None = None

    @property
    def contradicted(self) -> bool:
        return self.misconception is not None


class Grade(BaseModel):
    question_id: str | None  # None only for an invalid input line
    score: float | None  # 0–10, None while pending
    points: list[PointGrade] = Field(default_factory=list)
    feedback: str = ""
    flags: list[str] = Field(default_factory=list)
    status: Literal["graded", "pending", "error"] = "graded"
    error: str | None = None
    method: GradeMethod = "precheck"

    @classmethod
    def pending(cls, question_id: str, error: str, method: GradeMethod = "pending") -> Grade:
        return cls(
            question_id=question_id, score=None, status="pending", error=error, method=method
        )

    @classmethod
    def precheck(
        cls,
        question_id: str,
        points: Sequence[str],
        flags: Sequence[str],
        value: float,
        feedback: str = "",
    ) -> Grade:
        missing = [PointGrade(point=p, verdict="missing", confidence=1.0) for p in points]
        return cls(
            question_id=question_id,
            score=value,
            points=missing,
            flags=list(flags),
            feedback=feedback,
            method="precheck",
        )

    @classmethod
    def skipped(cls, question_id: str, points: Sequence[str], feedback: str) -> Grade:
        return cls.precheck(question_id, points, ["skipped"], 0.0, feedback)

    @classmethod
    def invalid(cls, error: str) -> Grade:
        return cls(question_id=None, score=None, status="error", error=error, method="none")
