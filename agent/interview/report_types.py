"""The report, one type: what ``build_report`` makes, the store keeps, the JSON export
writes and every renderer (Markdown, the app's report tab, the terminal) reads.

Its JSON is an interface other tools rely on (README, "How it works"): the field
names are that interface. Reports saved by older versions load (missing fields take
their defaults).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from agent.grading.models import Grade
from agent.interview.state import InterviewConfig, Lang, Origin


class ReportTurn(BaseModel):
    index: int
    question_id: str
    kind: Literal["main", "follow_up"]
    topic: str = ""
    difficulty: int = 2
    question: str = ""
    asked: str = ""
    answer: str = ""
    skipped: bool = False
    hints: list[str] = Field(default_factory=list)
    grade: Grade
    reference_answer: str | None = None
    #: speech metrics of a spoken answer (agent/speech/metrics.py)
    speech: dict[str, Any] | None = None
    #: "project": a deep-dive question on the candidate's CV project; "review": missed
    #: points asked again (only those points graded)
    origin: Origin = "bank"
    project: str | None = None  # the CV project's name
    rubric_source: str = "none"

    @property
    def graded(self) -> bool:
        return self.grade.status == "graded" and self.grade.score is not None


class StudyItem(BaseModel):
    topic: str
    reading: list[dict[str, str]] = Field(default_factory=list)  # {"title", "url"}


class Summary(BaseModel):
    overall_score: float | None = None
    by_topic: dict[str, float | None] = Field(default_factory=dict)
    strong_topics: list[str] = Field(default_factory=list)
    weak_topics: list[str] = Field(default_factory=list)
    strengths: list[str] = Field(default_factory=list)
    gaps: list[str] = Field(default_factory=list)
    study_next: list[StudyItem] = Field(default_factory=list)
    graded: int = 0
    pending: int = 0
    complete: bool = True


class Report(BaseModel):
    session_id: str | None = None
    generated_at: str = ""
    config: InterviewConfig = Field(default_factory=InterviewConfig)
    #: the candidate's self-introduction, when the interview opened with one (not graded)
    intro: str | None = None
    turns: list[ReportTurn] = Field(default_factory=list)
    #: each main question's difficulty and the step after it (selection.py)
    difficulty_path: list[dict[str, Any]] = Field(default_factory=list)
    summary: Summary = Field(default_factory=Summary)
    #: the candidate's progress over sessions when the interview finished
    #: (agent/review/progress.py ``summary``); None when it could not be read
    progress: dict[str, Any] | None = None

    @property
    def lang(self) -> Lang:
        return self.config.lang

    def as_json(self) -> dict[str, Any]:
        """The report as the JSON other tools read (and the review cards are built from)."""
        out: dict[str, Any] = self.model_dump(mode="json")
        return out
