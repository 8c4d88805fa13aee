"""The setup panel's CV and job handlers, mixed into ``MianshiUI`` (they use its
components ``c``, ``services`` and ``settings``): the focus and the projects a CV or
job description gives, and the chosen projects' deep-dive questions at start."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import gradio as gr

from agent.interview.state import InterviewConfig
from agent.profile import focus as profile_focus
from agent.profile.project_questions import project_entry
from agent.profile.projects import MAX_PROJECTS, find_projects
from agent.profile.read import read_document
from agent.ui.access import said

if TYPE_CHECKING:
    from agent.settings import Settings
    from agent.ui.layout import Components
    from agent.ui.services import Services

Updates = dict[Any, Any]


def _choices(names: list[str]) -> dict[str, Any]:
    """The projects to offer: all the CV's, the first two ticked."""
    return gr.update(choices=names, value=names[:2])


class ProfileHandlers:
    c: Components
    services: Services
    settings: Settings

    def read_profile(self, cv: str | None, jd: str | None) -> Updates:
        """A CV or job description uploaded: the focus it gives, and the words behind it."""
        if not cv and not jd:
            return {self.c.focus: [], self.c.focus_note: "", self.c.projects: _choices([])}
        try:
            found = profile_focus.from_documents(Path(cv) if cv else None, Path(jd) if jd else None)
            names = [p.name for p in find_projects(read_document(cv)) if p.topic] if cv else []
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
        }

    def _with_projects(
        self, config: InterviewConfig, names: list[str], cv: str, jd: str | None,
        stage: dict[str, str],
    ) -> InterviewConfig:  # fmt: skip
        """The chosen CV projects' deep-dive questions added (runs on a worker)."""
        engine = self.services.engine()
        wanted = [p for p in find_projects(read_document(cv)) if p.name in names and p.topic]
        job = read_document(jd) if jd else ""
        found = []
        for n, project in enumerate(wanted[:MAX_PROJECTS], start=1):
            stage["line"] = (
                f"根据简历出项目题 deriving project question {n}/{len(wanted[:MAX_PROJECTS])}"
            )
            entry = project_entry(project, engine.bank, engine.llm, job_text=job,
                                  lang=config.lang, cache_dir=self.settings.data_dir)  # fmt: skip
            found.append(entry)
        stage["line"] = "选题中 choosing questions"
        return config.model_copy(update={"projects": found})
