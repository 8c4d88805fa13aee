"""The app's process-wide services (engine, workers, downloads), with fakes."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

from agent.interview.report_types import Report
from agent.ui.services import Services, report_progress, waiting


class FakeEngine:
    def __init__(self) -> None:
        self.closed = False

    def close(self) -> None:
        self.closed = True


def test_services_build_the_engine_once_lazily(isolated_settings: Any) -> None:
    built: list[int] = []

    def factory(settings: Any, bank: Any, store: Any) -> Any:
        built.append(1)
        return FakeEngine()

    services = Services(isolated_settings, engine_factory=factory)
    assert services.engine_if_ready() is None
    futures = [services.submit(services.engine) for _ in range(6)]
    engines = {id(f.result()) for f in futures}
    assert len(engines) == 1 and built == [1]
    assert services.engine_if_ready() is not None
    services.close()


def test_waiting_yields_until_the_work_is_done() -> None:
    from concurrent.futures import ThreadPoolExecutor

    gate = threading.Event()
    with ThreadPoolExecutor(1) as pool:
        future = pool.submit(gate.wait, 5)
        ticks = 0
        for _elapsed in waiting(future, interval=0.01):
            ticks += 1
            if ticks == 3:
                gate.set()
        assert ticks >= 3 and future.result() is True


def test_wrap_up_progress_reaches_only_the_caller_that_waits(isolated_settings: Any) -> None:
    services = Services(isolated_settings)  # the engine is never built here
    heard_a: list[tuple[int, int]] = []
    heard_b: list[tuple[int, int]] = []

    def wrap_up(n: int) -> int:  # what the engine does: report progress as grades finish
        for done in range(1, n + 1):
            report_progress(done, n)
        return n

    a = services.submit(wrap_up, 2, progress=lambda d, t: heard_a.append((d, t)))
    b = services.submit(wrap_up, 3, progress=lambda d, t: heard_b.append((d, t)))
    c = services.submit(wrap_up, 1)  # nobody listening: fine
    assert (a.result(), b.result(), c.result()) == (2, 3, 1)
    assert heard_a == [(1, 2), (2, 2)]
    assert heard_b == [(1, 3), (2, 3), (3, 3)]
    report_progress(1, 1)  # outside any call: ignored
    services.close()


def test_downloads_are_the_json_report_and_its_markdown(isolated_settings: Any) -> None:
    services = Services(isolated_settings)
    services.reports_dir = Path(isolated_settings.data_dir) / "reports"
    grade = {"question_id": "q", "score": 6.0}
    report = Report.model_validate({
        "session_id": "s-1",
        "config": {"role": "algorithm"},
        "turns": [{"index": 0, "question_id": "q", "kind": "main", "topic": "位置编码",
                   "grade": grade}],
        "summary": {"overall_score": 6.0, "by_topic": {"位置编码": 6.0}},
    })  # fmt: skip
    json_path, md_path = services.downloads(report)
    assert json.loads(json_path.read_text(encoding="utf-8")) == report.as_json()
    assert json_path.parent == services.reports_dir / "s-1" and md_path.suffix == ".md"
    markdown = md_path.read_text(encoding="utf-8")
    assert markdown.startswith("# Mianshi 面试报告") and "`s-1`" in markdown
    readings = services.reading("位置编码")
    assert readings and f"]({readings[0]['url']})" in markdown  # the bank's reading links
    services.close()


def test_downloads_stay_in_a_private_folder_whatever_the_session_id(
    isolated_settings: Any,
) -> None:
    import os
    import stat

    services = Services(isolated_settings)
    other = Services(isolated_settings)
    assert services.reports_dir != other.reports_dir  # not one fixed path in /tmp
    assert stat.S_IMODE(os.stat(services.reports_dir).st_mode) == 0o700
    report = Report(session_id="../../etc/evil")
    json_path, md_path = services.downloads(report)
    for path in (json_path, md_path):
        assert path.resolve().is_relative_to(services.reports_dir.resolve())
    services.close()
    other.close()
