"""PostgreSQL restarted mid-interview (``pg_ctl restart -m fast`` cuts every pooled
connection): the next answers go through and nothing is lost — both pools (ours and
LangGraph's checkpointer's) check a connection before handing it out."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.db.cluster import Cluster
from agent.grading.models import Grade, PointGrade
from agent.interview.engine import Engine
from agent.interview.state import InterviewConfig
from agent.settings import Settings


def _grade(entry: object, answer: str, **_: object) -> Grade:
    rubric = getattr(entry, "rubric", [])
    points = [PointGrade(point=p.point, verdict="covered", confidence=0.9) for p in rubric]
    return Grade(question_id=str(getattr(entry, "id", "")), score=8.0, points=points,
                 method="sampled")  # fmt: skip


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    with Cluster() as own:  # its own: restarting it must not disturb other tests
        yield own


def test_an_interview_goes_on_after_postgres_restarts(cluster: Cluster, tmp_path: Path) -> None:
    url = cluster.create_database("restart")
    settings = Settings(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache",
                        database_url=url)  # fmt: skip
    engine = Engine(settings, None)
    engine.queue._grade = _grade
    try:
        config = InterviewConfig(questions=3, max_follow_ups=0, seed=5, candidate="pat")
        step = engine.start(config)
        step = engine.reply(step.session_id, "好回答：第一题", at=step.at)
        sid = step.session_id
        engine.queue.collect(sid, engine.turns(sid))  # idle pools, as between answers
        cluster.restart()
        step = engine.reply(sid, "好回答：第二题", at=step.at)  # failed: AdminShutdown
        cluster.restart()
        done = engine.reply(sid, "好回答：第三题", at=step.at)
        assert done.done and done.report is not None
        turns = done.report.turns
        answers = ["好回答：第一题", "好回答：第二题", "好回答：第三题"]
        assert [t.answer for t in turns] == answers
        assert [t.grade.status for t in turns] == ["graded"] * 3
        assert [s.status for s in engine.store.sessions("pat")] == ["finished"]
    finally:
        engine.close()
