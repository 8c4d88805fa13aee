"""Rubric grading: one answer in, one ``Grade`` out (the flow: ``grader.py``)."""

from agent.grading.grader import Grader, Signals, finish, quick_coverage
from agent.grading.models import Grade, GradeMethod, PointGrade, Verdict

__all__ = [
    "Grade",
    "GradeMethod",
    "Grader",
    "PointGrade",
    "Signals",
    "Verdict",
    "finish",
    "quick_coverage",
]
