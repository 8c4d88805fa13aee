"""Two windows (or the app and the CLI) answering the same session: the first answer
is taken, the second gets a clear message, and no turn or grade is overwritten. The
real engine, graph and SQLite store; no model (grades stay pending)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from agent.errors import UserError
from agent.interview.engine import Engine
from agent.interview.state import InterviewConfig
from agent.interview.store import Store
from agent.settings import Settings


def _engine(tmp_path: Path) -> Engine:
    settings = Settings(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache")
    return Engine(settings, None)


def test_an_answer_at_a_step_another_process_is_answering_is_refused(tmp_path: Path) -> None:
    engine = _engine(tmp_path)
    try:
        step = engine.start(InterviewConfig(questions=2, max_follow_ups=0, seed=1))
        snapshot = engine.graph.get_state(engine._config(step.session_id))
        waiting_at = str(snapshot.config["configurable"]["checkpoint_id"])
        other = Store(engine.settings.db_path)  # e.g. the CLI on the same file
        assert other.claim(step.session_id, waiting_at)
        with pytest.raises(UserError, match="already answered in another window"):
            engine.reply(step.session_id, "我的回答")
        assert engine.turns(step.session_id) == []
        other.close()
    finally:
        engine.close()


def test_two_windows_answering_at_once_make_one_turn(tmp_path: Path) -> None:
    engine = _engine(tmp_path)
    try:
        step = engine.start(InterviewConfig(questions=2, max_follow_ups=0, seed=1))
        barrier = threading.Barrier(2)
        outcomes: list[str] = []

        def answer(text: str) -> None:
            barrier.wait()
            try:
                engine.reply(step.session_id, text)
                outcomes.append("taken")
            except UserError:
                outcomes.append("refused")

        threads = [threading.Thread(target=answer, args=(t,)) for t in ("窗口一", "窗口二")]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        turns = engine.turns(step.session_id)
        answers = [t["answer"] for t in turns]
        # either one answer was taken and the other refused, or the second came after
        # the first had moved on and answered the next question: never the same turn twice
        assert len({t["index"] for t in turns}) == len(turns)
        assert sorted(outcomes) in (["refused", "taken"], ["taken", "taken"])
        assert len(answers) == outcomes.count("taken")
    finally:
        engine.close()


def test_a_stale_claim_from_a_dead_process_does_not_block(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite")
    assert store.claim("s", "c1")
    assert not store.claim("s", "c1")
    with store._lock, store._conn:
        store._conn.execute("UPDATE claims SET at = at - 3600")
    assert store.claim("s", "c1")
    store.close()


def test_a_finished_session_keeps_its_final_state_but_not_its_history(tmp_path: Path) -> None:
    import sqlite3

    engine = _engine(tmp_path)
    try:
        step = engine.start(InterviewConfig(questions=2, max_follow_ups=0, seed=1))
        sid = step.session_id
        db = sqlite3.connect(engine.settings.db_path)

        def checkpoints() -> int:
            row = db.execute("SELECT COUNT(*) FROM checkpoints WHERE thread_id=?", (sid,))
            return int(row.fetchone()[0])

        step = engine.reply(sid, "第一题的回答")
        assert checkpoints() > 3  # every step is saved while the interview runs
        step = engine.reply(sid, "第二题的回答")
        assert step.done and step.report is not None
        assert checkpoints() == 1
        again = engine.resume(sid)  # the finished session still opens, report and all
        assert again.done and again.report == step.report
        assert [t["answer"] for t in engine.turns(sid)] == ["第一题的回答", "第二题的回答"]
        assert len(engine.transcript(sid)) >= 5
        db.close()
    finally:
        engine.close()
