"""The progress tab's handlers (``ProgressHandlers``, one of ``MianshiUI``'s handler
objects): a candidate's progress across interviews, and "practise my weakest topic" in
one click."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import gradio as gr

from agent.review import progress as prog
from agent.review.cards import Cards
from agent.ui import trend_chart

if TYPE_CHECKING:
    from agent.ui.layout import Components
    from agent.ui.services import Services

Updates = dict[Any, Any]


#: Whose progress: the logged-in user, else the name typed (``MianshiUI._candidate``).
Candidate = Callable[["gr.Request | None", "str | None"], str]


class ProgressHandlers:
    """The progress tab's handlers (the screen, the services, whose progress)."""

    def __init__(self, c: Components, services: Services, candidate: Candidate) -> None:
        self.c, self.services, self._candidate = c, services, candidate

    def _progress_of(self, candidate: str) -> prog.Progress:
        services = self.services
        cards = Cards(services.store.db)
        try:
            due = cards.due(candidate)
        finally:
            cards.close()
        sessions = [s.as_json() for s in services.store.sessions(candidate, limit=500)]
        return prog.build(candidate, sessions, services.bank, due)

    def progress(self, candidate: str, request: gr.Request | None) -> Updates:
        p = self._progress_of(self._candidate(request, candidate))
        weakest = p.weakest
        updates: Updates = {
            self.c.progress_md: prog.markdown(p),
            self.c.weakest_btn: gr.update(
                value=f"🎯 练习最弱主题 Practise my weakest topic: {weakest}"
                if weakest
                else "🎯 练习最弱主题 Practise my weakest topic",
                interactive=weakest is not None,
            ),
        }
        updates[self.c.trend] = trend_chart.plot(p.trend)  # None: no chart yet
        return updates

    def practise_weakest(self, candidate: str, request: gr.Request | None) -> Updates:
        weakest = self._progress_of(self._candidate(request, candidate)).weakest
        if weakest is None:
            gr.Warning("还没有完成的面试 No finished interview yet")
            return gr.skip()
        return {
            self.c.topics: [weakest],
            self.c.tabs: gr.Tabs(selected="interview"),
            self.c.status: f"🎯 已选最弱主题 {weakest}，点「开始面试」Start when ready",
        }
