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
                engine.reply(step.session_id, text, at=step.at)
                outcomes.append("taken")
            except UserError:
                outcomes.append("refused")

        threads = [threading.Thread(target=answer, args=(t,)) for t in ("窗口一", "窗口二")]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert sorted(outcomes) == ["refused", "taken"]
        assert len(engine.turns(step.session_id)) == 1
    finally:
        engine.close()


def test_a_window_that_fell_behind_cannot_answer_the_next_question(tmp_path: Path) -> None:
    """Both windows showed Q1; A answered, the session moved on to Q2; B's answer to Q1
    must not be taken as the answer to Q2, which B never saw."""
    engine = _engine(tmp_path)
    try:
        shown = engine.start(InterviewConfig(questions=2, max_follow_ups=0, seed=1))
        nxt = engine.reply(shown.session_id, "窗口 A 的回答", at=shown.at)
        assert nxt.at != shown.at
        with pytest.raises(UserError, match="already answered in another window"):
            engine.reply(shown.session_id, "窗口 B 对第一题的回答", at=shown.at)
        assert [t.answer for t in engine.turns(shown.session_id)] == ["窗口 A 的回答"]
        again = engine.resume(shown.session_id)  # B reopens: it sees Q2 and may answer it
        assert again.at == nxt.at and again.say == nxt.say
        engine.reply(shown.session_id, "窗口 B 对第二题的回答", at=again.at)
    finally:
        engine.close()


def test_a_stale_claim_from_a_dead_process_does_not_block(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite")
    assert store.claim("s", "c1")
    assert not store.claim("s", "c1")
    store.db.run("UPDATE claims SET at = at - 3600")
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
        assert [t.answer for t in engine.turns(sid)] == ["第一题的回答", "第二题的回答"]
        assert len(engine.transcript(sid)) >= 5
        db.close()
    finally:
        engine.close()
