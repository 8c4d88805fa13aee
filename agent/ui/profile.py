"""The setup panel's CV and job handlers (``ProfileHandlers``, one of ``MianshiUI``'s
handler objects): the focus and the projects a CV or job description gives. At start
the chosen projects' deep-dive questions come from
``agent.profile.project_questions.with_projects``, as in the CLI."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import gradio as gr

from agent.profile import focus as profile_focus
from agent.profile.project_questions import candidates
from agent.profile.read import read_document
from agent.ui.access import said

if TYPE_CHECKING:
    from agent.ui.layout import Components
    from agent.ui.services import Services

Updates = dict[Any, Any]


def _choices(names: list[str]) -> dict[str, Any]:
    """The projects to offer: all the CV's, the first two ticked."""
    return gr.update(choices=names, value=names[:2])


class ProfileHandlers:
    """The setup panel's CV and job description handlers (the screen, the services)."""

    def __init__(self, c: Components, services: Services) -> None:
        self.c, self.services = c, services

    def read_profile(self, cv: str | None, jd: str | None) -> Updates:
        """A CV or job description uploaded: the focus it gives, and the words behind it;
        the self-introduction is on by default only while no CV is given."""
        if not cv and not jd:
            return {self.c.focus: [], self.c.focus_note: "", self.c.projects: _choices([]),
                    self.c.intro: True}  # fmt: skip
        try:
            found = profile_focus.from_documents(Path(cv) if cv else None, Path(jd) if jd else None)
            names = [p.name for p in candidates(read_document(cv))] if cv else []
        except Exception as exc:  # a file the readers choke on: say so, keep the setup
            gr.Warning(said(exc))
            return {self.c.focus_note: f"❌ {said(exc)}", self.c.projects: _choices([])}
        note = "\n".join(
            f"- **{t}** {w:.2f} ← {', '.join(found.evidence.get(t, [])[:6])}"
            for t, w in found.weights.items()
        )
        return {
            self.c.focus: list(found.weights),
            self.c.focus_note: note or "（没有找到能对上题库主题的内容 no bank topic found）",
            self.c.projects: _choices(names),
            self.c.intro: not cv,
        }
