"""Interview state: a narrow input (the configuration) and the fuller internal state.

The graph's state holds plain JSON (``model_dump(mode="json")`` of the models here) so
either checkpointer (SQLite, PostgreSQL) stores it as is and sessions saved by older
versions still load; code reads it through the typed accessors at the bottom
(``config_of``, ``current_of``, ``turns_of``), never as dicts.
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
    #: open with 先做个自我介绍吧: the projects and topics it names steer the plan as a
    #: CV's would (agent/interview/opening.py); the app turns it on when no CV is given
    intro: bool = False

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


class Asked(BaseModel):
    """A question put to the candidate: what the question on the table (``Current``)
    and the turn it becomes once answered (``Turn``) share."""

    question_id: str
    kind: Literal["main", "follow_up"]
    question: str
    asked: str = ""  # the interviewer's whole line
    parent_id: str | None = None  # the main question of a follow-up
    hints: list[str] = Field(default_factory=list)
    #: a follow-up's rubric points (indexes into the parent's) and its reference answer
    targets: list[int] = Field(default_factory=list)
    reference: str | None = None
    #: a bank follow-up's index in its parent's ``follow_ups``: graded on its own points
    follow_up: int | None = None
    origin: Origin = "bank"
    #: the entry of a question not asked straight from the bank (a project question,
    #: a review of missed points): grading and the report use it
    entry: Entry | None = None


class Turn(Asked):
    """One question asked and the candidate's answer to it."""

    index: int
    answer: str = ""
    skipped: bool = False
    coverage: list[float] = Field(default_factory=list)  # fast lexical signal per point
    difficulty: int = 2
    topic: str = ""
    #: the answer before a follow-up (what the follow-up answer repeats earns nothing)
    previous: str | None = None
    #: the interview's language: feedback and verdict labels are written in it
    lang: Lang = "zh"
    #: speech metrics of a spoken answer (agent/speech/metrics.py)
    speech: dict[str, Any] | None = None


class Current(Asked):
    """The question on the table."""

    follow_ups_used: int = 0
    #: the main question put again after an off-topic answer or 不知道 (once per
    #: question); asked as a follow-up, graded on every key point
    redirected: bool = False

    @model_validator(mode="before")
    @classmethod
    def _legacy_grading(cls, data: Any) -> Any:
        """Sessions saved before these fields existed kept them under ``grading``."""
        if isinstance(data, dict) and isinstance(data.get("grading"), dict):
            data = {**data, **data["grading"]}
            data.pop("grading")
        return data

    def answered(self, index: int, entry: Entry, lang: Lang, **fields: Any) -> Turn:
        """The turn this question becomes when answered (or skipped) as turn ``index``."""
        asked = self.model_dump(include=set(Asked.model_fields))
        return Turn.model_validate(
            {**asked, "index": index, "difficulty": entry.difficulty, "topic": entry.topic,
             "lang": lang, **fields}
        )  # fmt: skip


class InputState(TypedDict):
    config: dict[str, Any]


class InterviewState(TypedDict, total=False):
    """JSON values (see the module docstring): ``config`` is an ``InterviewConfig``,
    ``current`` a ``Current``, each of ``turns`` a ``Turn``, ``report`` a ``Report``
    (agent/interview/report_types.py), as ``model_dump(mode="json")`` gives them."""

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
    #: why the main question is put again next ("off_topic", "dont_know"), else None
    redirect: str | None
    #: the candidate's self-introduction (``InterviewConfig.intro``), as said
    intro: str | None
    done: bool
    report: dict[str, Any] | None


def answer_text(raw: Any) -> tuple[str, dict[str, Any] | None]:
    """What an interrupt was resumed with: a typed answer (str) or a spoken one
    (``{"text", "speech"}``), as its stripped text and speech metrics."""
    if isinstance(raw, dict):
        return str(raw.get("text", "")).strip(), raw.get("speech")
    return str(raw or "").strip(), None


def replies(transcript: list[dict[str, str]], say: str | None) -> list[str]:
    """The interviewer's own lines of a step's transcript after the answer (skip/end
    acknowledgements, a hint, the closing): the transcript starts with the question
    answered and the answer; a line the next question ``say`` repeats is left out."""
    lines = [
        line.get("content") or "" for line in transcript[2:] if line.get("role") == "interviewer"
    ]
    return [text for text in lines if text and text not in (say or "")]


def config_of(state: InterviewState) -> InterviewConfig:
    return InterviewConfig.model_validate(state.get("config") or {})


def current_of(state: InterviewState) -> Current | None:
    current = state.get("current")
    return None if current is None else Current.model_validate(current)


def turns_of(state: InterviewState) -> list[Turn]:
    return [Turn.model_validate(t) for t in state.get("turns") or []]
