"""A typed answer the engine did not take goes back into the answer box (issue 30
item 4): with the database full, the answer (about 600 characters) is not lost — it
was dropped before, and resuming from History then discarded it. The real app
handlers, the real engine and a real SQLite file filled to the last page; the grader
is a stand-in (no model)."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from agent.grading.models import Grade
from agent.interview.engine import Engine
from agent.settings import Settings
from agent.ui.handlers import MianshiUI
from agent.ui.services import Services
from tests.faults.test_grading_queue import _fill
from tests.unit.test_ui_handlers import SETUP

ANSWER = "我认为多头注意力把表示拆到多个子空间，" * 30  # about 600 characters


def _grade(entry: Any, answer: str, **_: Any) -> Grade:
    return Grade(question_id=entry.id, score=5.0, method="sampled")


@pytest.fixture
def app(tmp_path: Path) -> Iterator[tuple[MianshiUI, Engine]]:
    settings = Settings(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache")
    engines: list[Engine] = []

    def make(settings: Settings, bank: Any, store: Any) -> Engine:
        engine = Engine(settings, None, bank=bank, store=store)
        engine.queue._grade = _grade  # the stand-in grader (no model here)
        engines.append(engine)
        return engine

    services = Services(settings, engine_factory=make)
    ui = MianshiUI(services)
    ui.create_app()
    yield ui, engines[0] if engines else services.engine()
    services.close()


def _full(engine: Engine) -> None:
    """Every connection to the file may not grow it, and its free pages are taken."""
    db: Any = engine.store.db
    for conn in (db.conn, db._cp_conn):
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages}")
    _fill(engine.store)


def test_an_answer_the_full_database_refused_goes_back_into_the_box(
    app: tuple[MianshiUI, Engine],
) -> None:
    ui, _ = app
    session = list(ui.start(*SETUP))[-1][ui.c.state]
    engine = ui.services.engine()
    _full(engine)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the app's gr.Warning toast
        updates = list(ui.answer_text(ANSWER, session))
    assert updates[0][ui.c.answer] == ""  # taken off the box while it was sent
    assert updates[-1][ui.c.answer] == ANSWER  # and given back: nothing lost
    assert "出错了" in updates[-1][ui.c.status]
    assert all(m["content"] != ANSWER for m in session.snapshot())  # not shown as said
    assert engine.turns(session.session_id) == []  # the engine did not take it
