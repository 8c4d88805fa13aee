"""The self-introduction that can open an interview (``InterviewConfig.intro``).

    configure -> intro -> [interrupt: 先做个自我介绍吧] -> select | intro (重复) | wrap_up (结束)

The introduction is read like a CV, deterministically (``agent.profile.intro``): the
projects it names become project deep-dives from the curated templates (asked as the
2nd, 4th … main question) and the topics it names become the focus, unless the
candidate's CV or choices already gave them. It is not graded; the report keeps it.
Lines that instruct the grader are screened out before it is read, as a CV's are.
"""

from __future__ import annotations

from typing import Any, Literal

from langgraph.types import Command, interrupt

from agent.bank import Bank
from agent.interview import phrases as say
from agent.interview.state import InterviewConfig, InterviewState, answer_text, config_of
from agent.profile.intro import read_intro
from agent.profile.project_questions import project_entry, screened
from agent.profile.projects import MAX_PROJECTS

#: the ``question_id`` of the introduction's step (it is no bank question)
INTRO_ID = "#intro"


def _line(text: str) -> dict[str, str]:
    return {"role": "interviewer", "content": text}


class Opening:
    def __init__(self, bank: Bank) -> None:
        self.bank = bank

    def intro(self, state: InterviewState) -> Command[Literal["select", "intro", "wrap_up"]]:
        cfg = config_of(state)
        asked = say.phrase(cfg.lang, "intro")
        raw = interrupt(
            {"say": asked, "question_id": INTRO_ID, "kind": "intro", "turn": 0, "main_index": 0}
        )
        text, _speech = answer_text(raw)
        command = say.parse_command(text) if text else "skip"
        said = [_line(asked), {"role": "candidate", "content": text}]
        if command == "repeat":
            return Command(goto="intro", update={"transcript": said})
        if command == "end":
            ack = _line(say.phrase(cfg.lang, "end_ack"))
            return Command(goto="wrap_up", update={"transcript": [*said, ack]})
        if command is not None:  # skip, hint, nothing said: on to the questions
            return Command(goto="select", update={"transcript": said, "intro": None})
        steered, names = self.steer(cfg, text)
        joiner = "、" if cfg.lang == "zh" else ", "
        thanks = (
            say.phrase(cfg.lang, "intro_projects").format(projects=joiner.join(names))
            if names
            else say.phrase(cfg.lang, "intro_thanks")
        )
        update = {
            "config": steered.model_dump(mode="json"),
            "intro": text,
            "transcript": [*said, _line(thanks)],
        }
        return Command(goto="select", update=update)

    def steer(self, cfg: InterviewConfig, text: str) -> tuple[InterviewConfig, list[str]]:
        """``cfg`` with the introduction's projects and focus where the setup gave none,
        and the names of the projects taken."""
        read = read_intro(screened(text))
        update: dict[str, Any] = {}
        if not cfg.focus and not cfg.topics and read.focus:
            update["focus"] = read.focus
        names: list[str] = []
        room = min(MAX_PROJECTS, max(1, cfg.questions // 2))  # the 2nd, 4th … question
        if not cfg.projects and read.projects:
            taken = read.projects[:room]
            update["projects"] = [project_entry(p, self.bank, lang=cfg.lang) for p in taken]
            names = [f"「{p.label}」" if cfg.lang == "zh" else p.label for p in taken]
        return cfg.model_copy(update=update), names
