"""The store's behaviour on both databases, a SQLite file and a real PostgreSQL
(a throwaway cluster): interview and resume, a killed process resumed, grades claimed
once across processes and served fairly, accounts and review cards, and a SQLite
history moved into PostgreSQL and back. No model: the grader is a stand-in."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from agent.accounts import Accounts
from agent.db import open_database
from agent.grading.jobs import Jobs
from agent.grading.models import Grade, PointGrade
from agent.interview.engine import Engine
from agent.interview.report_types import Report
from agent.interview.state import InterviewConfig, Turn
from agent.interview.store import Store
from agent.review.cards import Cards
from agent.settings import Settings

REPO = Path(__file__).resolve().parents[2]
RUNNER = Path(__file__).with_name("runner.py")


def _grade(entry: Any, answer: str, **_: Any) -> Grade:
    verdict = "covered" if "好回答" in answer else "missing"
    points = [PointGrade(point=p.point, verdict=verdict, confidence=0.9) for p in entry.rubric]
    return Grade(question_id=entry.id, score=8.0 if verdict == "covered" else 2.0,
                 points=points, method="sampled")  # fmt: skip


def _engine(url: str, tmp_path: Path) -> Engine:
    settings = Settings(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache",
                        database_url=url)  # fmt: skip
    engine = Engine(settings, None)
    engine.queue._grade = _grade
    return engine


def _spawn(*args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen([sys.executable, str(RUNNER), *args], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip


def _checkpoints(store: Store, session_id: str) -> int:
    row = store.db.one("SELECT COUNT(*) FROM checkpoints WHERE thread_id=?", (session_id,))
    return int(row[0]) if row else 0


def test_an_interview_resumes_in_another_process_and_is_compacted(
    db_url: str, tmp_path: Path
) -> None:
    config = InterviewConfig(questions=2, max_follow_ups=0, seed=3, candidate="ann")
    first = _engine(db_url, tmp_path)
    step = first.start(config)
    step = first.reply(step.session_id, "好回答：第一题", at=step.at)
    waiting = (step.question_id, step.at)
    first.close()  # the process ends
    second = _engine(db_url, tmp_path)
    try:
        again = second.resume(step.session_id)
        assert (again.question_id, again.at) == waiting  # the same question, same step
        done = second.reply(step.session_id, "好回答：第二题", at=again.at)
        assert done.done and done.report is not None
        assert done.report.summary.complete and done.report.summary.graded == 2
        assert [s.status for s in second.store.sessions("ann")] == ["finished"]
        assert _checkpoints(second.store, step.session_id) == 1  # compacted
        assert second.resume(step.session_id).report == done.report  # still readable
    finally:
        second.close()


def test_a_killed_process_loses_no_turn_and_its_grade_is_finished_elsewhere(
    db_url: str, tmp_path: Path
) -> None:
    proc = _spawn("interview", db_url, str(tmp_path / "other"))
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        assert line.startswith("answered"), proc.stderr.read() if proc.stderr else ""
        _, session_id, waiting_at = line.split()
        jobs = open_database(db_url).all("SELECT claimed_by FROM grade_jobs")
        assert len(jobs) == 1 and jobs[0][0] is not None  # the grade is held by the process
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    engine = _engine(db_url, tmp_path)
    try:
        step = engine.resume(session_id)
        assert step.question_id == waiting_at and len(engine.turns(session_id)) == 1
        started = time.monotonic()
        done = engine.reply(session_id, "好回答：第二题", at=step.at)
        print(f"report after the kill: {time.monotonic() - started:.1f} s")  # ≈ STALE_S
        assert done.report is not None and done.report.summary.complete
        assert [t.grade.status for t in done.report.turns] == ["graded", "graded"]
        assert engine.queue.jobs.total() == 0
    finally:
        engine.close()


def test_grades_are_claimed_once_across_two_processes(db_url: str, tmp_path: Path) -> None:
    log = tmp_path / "graded.log"
    workers = [_spawn("worker", db_url, str(log), "0.15") for _ in range(2)]
    try:
        for w in workers:
            assert w.stdout and w.stdout.readline().strip() == "ready"
        store = Store(db_url)
        jobs = Jobs(store.db, "test")
        for n in range(3):
            store.create_session(f"s{n}", f"cand{n}", InterviewConfig())
        for turn in range(8):
            for n in range(3):
                payload = Turn(index=turn, question_id="q", kind="main", question="Q", answer="a")
                jobs.add(f"s{n}", turn, payload.model_dump_json())
        deadline = time.monotonic() + 120
        while jobs.total() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert jobs.total() == 0
        lines = [ln.split() for ln in log.read_text(encoding="utf-8").splitlines()]
        done = Counter((sid, int(turn)) for _pid, sid, turn in lines)
        assert len(done) == 24 and set(done.values()) == {1}  # every job graded once
        assert len({pid for pid, _s, _t in lines}) == 2  # both processes took jobs
        assert len(store.grades("s0")) == 8
        store.close()
    finally:
        for w in workers:
            w.send_signal(signal.SIGKILL)
            w.wait(30)


def test_grading_is_fair_across_candidates_and_says_where_one_stands(db_url: str) -> None:
    store = Store(db_url)
    jobs = Jobs(store.db, "me")
    jobs.beat()
    for sid, cand in (("a", "busy"), ("b", "bo"), ("c", "cy")):
        store.create_session(sid, cand, InterviewConfig())
    for turn in range(5):  # the busy candidate queued five first
        jobs.add("a", turn, "{}")
    jobs.add("b", 0, "{}")
    jobs.add("c", 0, "{}")
    assert jobs.ahead("c") == 2  # a's first and b's first come before it
    order = []
    while (job := jobs.claim()) is not None:
        order.append((job.session_id, job.index))
    assert order[:4] == [("a", 0), ("b", 0), ("c", 0), ("a", 1)], order
    assert len(order) == 7 and jobs.claim() is None  # all held by this live instance
    other = Jobs(store.db, "other")
    assert other.claim() is None  # held by a live instance: not free
    store.db.run("UPDATE instances SET seen = seen - 3600 WHERE id='me'")  # "me" died
    assert other.claim() is not None  # free again
    store.close()


def test_accounts_and_review_cards(db_url: str) -> None:
    accounts = Accounts(db_url)
    accounts.add("小明", "s3cret-pass")
    assert accounts.verify("小明", "s3cret-pass") and not accounts.verify("小明", "wrong-pass")
    with pytest.raises(Exception, match="exists already"):
        accounts.add("小明", "another-pass")
    accounts.remove("小明")
    assert accounts.names() == []
    accounts.close()
    cards = Cards(db_url)
    turn = {"question_id": "q1", "question": "Q?", "topic": "Agent"}
    assert cards.rate("小明", turn, "要点一", "missing")
    assert cards.rate("小明", turn, "要点一", "covered")  # the same card, rescheduled
    assert cards.count("小明") == 1
    cards.close()


def _history(url: str, tmp_path: Path) -> tuple[list[Report], str, str]:
    """Three finished sessions and an unfinished one (waiting at its 2nd question)."""
    engine = _engine(url, tmp_path)
    reports = []
    try:
        for seed in (1, 2, 3):
            config = InterviewConfig(questions=1, max_follow_ups=0, seed=seed, candidate="lee")
            step = engine.start(config)
            step = engine.reply(step.session_id, "不太清楚", at=step.at)
            assert step.report is not None
            reports.append(step.report)
        config = InterviewConfig(questions=2, max_follow_ups=0, seed=9, candidate="lee")
        step = engine.start(config)
        step = engine.reply(step.session_id, "好回答：第一题", at=step.at)
        engine.queue.collect(step.session_id, engine.turns(step.session_id))
        Accounts(engine.store.db).add("lee", "s3cret-pass")
    finally:
        engine.close()
    return reports, step.session_id, str(step.question_id)


def _mianshi(*args: str, env: dict[str, str]) -> str:
    done = subprocess.run([sys.executable, "-m", "agent.cli.main", *args], cwd=REPO,
                          env={**os.environ, **env}, capture_output=True, text=True,
                          timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout + done.stderr


def test_a_sqlite_history_moves_to_postgres_resumes_there_and_comes_back(
    tmp_path: Path, pg_url: str
) -> None:
    sqlite_file = tmp_path / "laptop" / "sessions.sqlite"
    reports, unfinished, waiting_at = _history(f"sqlite:///{sqlite_file}", tmp_path / "laptop")
    env = {"MIANSHI_CONFIG": str(tmp_path / "none.toml"), "MIANSHI_DATA_DIR": str(tmp_path)}
    said = _mianshi("db", "migrate", "--from", str(sqlite_file), "--to", pg_url, env=env)
    assert "copied" in said and "4 sessions" in said and "1 users" in said
    again = _mianshi("db", "migrate", "--from", str(sqlite_file), "--to", pg_url, env=env)
    assert "0 sessions" in again and "0 checkpoints" in again  # idempotent

    engine = _engine(pg_url, tmp_path / "group")
    try:
        finished = [s for s in engine.store.sessions("lee") if s.status == "finished"]
        assert sorted(s.report.model_dump_json() for s in finished if s.report) == sorted(
            r.model_dump_json() for r in reports
        )
        assert Accounts(engine.store.db).verify("lee", "s3cret-pass")
        step = engine.resume(unfinished)
        assert step.question_id == waiting_at  # where it stood on the laptop
        done = engine.reply(unfinished, "好回答：第二题", at=step.at)
        assert done.report is not None and done.report.summary.complete
        assert len(done.report.turns) == 2
    finally:
        engine.close()

    archive = tmp_path / "history.jsonl"
    _mianshi("db", "export", str(archive), "--from", pg_url, env=env)
    back = tmp_path / "back" / "sessions.sqlite"
    said = _mianshi("db", "import", str(archive), "--to", str(back), env=env)
    assert "4 sessions" in said
    store = Store(back)
    assert {s.status for s in store.sessions("lee")} == {"finished"}
    store.close()
