"""Interview state: a narrow input (the configuration) and the fuller internal state.

The state holds plain JSON-able values so the SQLite checkpointer stores it as is;
pydantic models validate it at the edges.
"""

from __future__ import annotations

import operator
from typing import Annotated, Any, Literal, TypedDict

from pydantic import BaseModel, Field, model_validator

from agent.bank import TOPICS, Entry, Role

Level = Literal["junior", "mid", "senior"]
Mode = Literal["practice", "real", "review"]
#: where a question comes from: the bank, the candidate's CV (a project deep-dive),
#: or their due review cards (the points they missed before)
Origin = Literal["bank", "project", "review"]
Lang = Literal["zh", "en"]

LEVEL_BAND: dict[str, int] = {"junior": 1, "mid": 2, "senior": 3}


class InterviewConfig(BaseModel):
    """What the candidate chooses before the interview."""

    role: Role = "general"
    level: Level = "mid"
    topics: list[str] = Field(default_factory=list)
    questions: int = Field(default=5, ge=1, le=30, description="number of main questions")
    #: ``review``: only the candidate's due review cards are asked (agent/review/)
    mode: Mode = "practice"
    lang: Lang = "zh"
    max_follow_ups: int = Field(default=1, ge=0, le=3)
    candidate: str = Field(default="default", min_length=1, max_length=64)
    #: topic → weight in (0, 1] from the candidate's CV and target job (agent/profile/)
    focus: dict[str, float] = Field(default_factory=dict)
    #: a company-flavoured set: its tagged questions first, its topics as the focus
    #: when none is given (agent/profile/company.py; a name the bank knows)
    company: str | None = Field(default=None, max_length=40)
    #: project deep-dive questions from the CV (agent/profile/project_questions.py),
    #: asked as the 2nd, 4th … main question; their key points are curated templates
    projects: list[Entry] = Field(default_factory=list, max_length=3)

    @property
    def feedback_each(self) -> bool:
        """Feedback after every answer (practice and review) or only at the end."""
        return self.mode != "real"

    seed: int | None = Field(default=None, description="fixes question choice (tests)")

    def model_post_init(self, context: Any, /) -> None:
        unknown = [t for t in [*self.topics, *self.focus] if t not in TOPICS]
        if unknown:
            raise ValueError(f"unknown topic(s) {unknown}; choose from {', '.join(TOPICS)}")

    @property
    def band(self) -> int:
        return LEVEL_BAND[self.level]


class Turn(BaseModel):
    """One question asked and the candidate's answer to it."""

    index: int
    question_id: str
    kind: Literal["main", "follow_up"]
    question: str
    asked: str  # the interviewer's whole line
    answer: str = ""
    skipped: bool = False
    hints: list[str] = Field(default_factory=list)
    coverage: list[float] = Field(default_factory=list)  # fast lexical signal per point
    difficulty: int = 2
    topic: str = ""
    parent_id: str | None = None  # the main question of a follow-up
    #: a follow-up's rubric points (indexes into the parent's) and its reference answer
    targets: list[int] = Field(default_factory=list)
    reference: str | None = None
    #: a bank follow-up's index in its parent's ``follow_ups``: graded on its own points
    follow_up: int | None = None
    #: the answer before a follow-up (what the follow-up answer repeats earns nothing)
    previous: str | None = None
    #: the interview's language: feedback and verdict labels are written in it
    lang: Literal["zh", "en"] = "zh"
    speech: dict[str, Any] | None = None
    origin: Origin = "bank"
    #: the entry of a question not asked straight from the bank (a project question,
    #: a review of missed points): grading and the report use it
    entry: dict[str, Any] | None = None


class Current(BaseModel):
    """The question on the table."""

    question_id: str
    kind: Literal["main", "follow_up"]
    question: str
    asked: str = ""
    parent_id: str | None = None
    follow_ups_used: int = 0
    hints: list[str] = Field(default_factory=list)
    #: what a follow-up is graded against (see ``Turn``)
    targets: list[int] = Field(default_factory=list)
    reference: str | None = None
    follow_up: int | None = None  # see ``Turn.follow_up``
    origin: Origin = "bank"
    entry: dict[str, Any] | None = None  # see ``Turn.entry``

    @model_validator(mode="before")
    @classmethod
    def _legacy_grading(cls, data: Any) -> Any:
        """Sessions saved before these fields existed kept them under ``grading``."""
        if isinstance(data, dict) and isinstance(data.get("grading"), dict):
            data = {**data, **data["grading"]}
            data.pop("grading")
        return data


class InputState(TypedDict):
    config: dict[str, Any]


class InterviewState(TypedDict, total=False):
    config: dict[str, Any]
    session_id: str
    difficulty: int
    difficulty_path: Annotated[list[dict[str, Any]], operator.add]
    asked_ids: Annotated[list[str], operator.add]
    turns: Annotated[list[dict[str, Any]], operator.add]
    transcript: Annotated[list[dict[str, str]], operator.add]  # {"role", "content"}
    current: dict[str, Any] | None
    main_count: int
    pending_answer: Any
    command: str | None
    missing: list[int]  # rubric point indexes of the main question still missing
    done: bool
    report: dict[str, Any] | None
