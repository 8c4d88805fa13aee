"""The report and history handlers (``HistoryHandlers``, one of ``MianshiUI``'s handler
objects): the report of an interview as it ends, a candidate's past sessions, a
finished one's report and an unfinished one resumed where it stopped. A session opens
only for its own candidate (the logged-in user, else the name typed)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import gradio as gr

from agent.interview import report_markdown
from agent.interview.report_types import Report
from agent.interview.store import SessionRecord
from agent.ui import views
from agent.ui.access import said
from agent.ui.progress import Candidate
from agent.ui.services import status_while
from agent.ui.session import UISession

if TYPE_CHECKING:
    from agent.ui.layout import Components
    from agent.ui.services import Services

Updates = dict[Any, Any]

#: A started or resumed interview on screen (``MianshiUI._show_session``): the session,
#: its answers and its graded answers.
ShowSession = Callable[[UISession, int, int], Updates]


class HistoryHandlers:
    """The report's and the history tab's handlers (the screen, the services, whose
    sessions, and how a resumed interview is put on screen)."""

    def __init__(
        self, c: Components, services: Services, candidate: Candidate, show_session: ShowSession
    ) -> None:
        self.c, self.services = c, services
        self._candidate, self._show_session = candidate, show_session

    def show_report(self, report: Report) -> Updates:
        json_path, md_path = self.services.downloads(report)
        return {
            self.c.tabs: gr.Tabs(selected="report"),
            self.c.headline: report_markdown.headline(report),
            self.c.plot: views.topic_frame(report),
            self.c.summary: "\n\n".join(
                (report_markdown.summary(report), report_markdown.progress(report))
            ),
            self.c.details: report_markdown.questions(report, self.services.reading),
            self.c.dl_json: gr.update(value=str(json_path), visible=True),
            self.c.dl_md: gr.update(value=str(md_path), visible=True),
        }

    def after_answer(self, session: UISession | None) -> Updates:
        """After each answer: the report, once the interview is over."""
        if session is None or not session.done or session.report is None:
            return gr.skip()
        return self.show_report(session.report)

    def _find_session(
        self, session_id: str | None, candidate: str, request: gr.Request | None
    ) -> SessionRecord | None:
        """A stored session of this candidate: a logged-in user's own, or without
        accounts one under the name typed (never any session id at all)."""
        row = self.services.store.session(session_id) if session_id else None
        if row is None or row.candidate != self._candidate(request, candidate):
            gr.Warning("请选择一场面试 Pick a session")
            return None
        return row

    def history(self, candidate: str, request: gr.Request | None) -> Updates:
        rows = self.services.store.sessions(self._candidate(request, candidate), limit=200)
        choices = views.history_choices(rows)
        return {
            self.c.table: views.history_rows(rows),
            self.c.pick: gr.update(choices=choices, value=choices[0][1] if choices else None),
        }

    def open_report(
        self, session_id: str | None, candidate: str, request: gr.Request | None
    ) -> Updates:
        row = self._find_session(session_id, candidate, request)
        if row is None:
            return gr.skip()
        if row.report is None:
            gr.Warning("这场面试还没结束，可以继续 Unfinished: resume it")
            return gr.skip()
        return self.show_report(row.report)

    def resume(
        self, session_id: str | None, candidate: str, request: gr.Request | None
    ) -> Iterator[Updates]:
        """A stored interview back on the interview tab, where it stopped."""
        row = self._find_session(session_id, candidate, request)
        if row is None:
            yield gr.skip()
            return
        yield {self.c.status: "⏳ 正在恢复面试 Resuming…"}
        services = self.services
        future = services.submit(lambda: services.engine().resume(str(session_id)))
        yield from status_while(self.c.status, future, lambda _: "正在恢复面试 Resuming")
        try:
            step = future.result()
        except Exception as exc:
            gr.Warning(said(exc))
            yield {self.c.status: f"❌ {said(exc)}"}
            return
        engine = services.engine()
        grades = engine.grades(step.session_id)
        # earlier feedback is in the report, not replayed
        session = views.session_for(step, row.config, feedback_shown=grades)
        answered = len(engine.turns(step.session_id))
        yield {
            **self._show_session(session, answered, views.graded_count(grades)),
            self.c.tabs: gr.Tabs(selected="interview"),
        }
