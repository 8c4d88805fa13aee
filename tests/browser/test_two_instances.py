"""Two real app instances (`python app.py` on two ports) on one PostgreSQL and one
shared model server, the reference deployment in small: a candidate who started on one
instance resumes on the other, and an instance killed with a grade it accepted still
pending loses nothing: the other instance finishes that grade."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from agent.bank import load_bank
from agent.db import open_database
from agent.settings import load_settings
from agent.text import content_key  # letters, digits, CJK: the chat renders Markdown
from tests.browser.pages import (
    CHROMIUM,
    CHROMIUM_ARGS,
    app_env,
    chat_text,
    new_page,
    running_app,
    session_id,
    start_interview,
    type_answer,
    wait_report,
    wait_status,
)  # fmt: skip

pytestmark = pytest.mark.browser

ANSWER = (
    "自注意力让每个位置和所有位置算相关性：Q 乘 K 的转置，除以根号 d_k 防止 softmax 饱和，"
    "再 softmax 得到权重，对 V 加权求和。多头就是在不同子空间各算一遍再拼接。"
)


@pytest.fixture(scope="module")
def model_url() -> Iterator[str]:
    """One llama.cpp server with the bundled model, shared by both instances."""
    from agent.llm.server import EmbeddedServer

    with EmbeddedServer(load_settings(llm_base_url=None)) as server:
        yield server.base_url


def _grade_of_first_turn(url: str, session: str) -> tuple[list[tuple[str]], str | None]:
    db = open_database(url)
    try:
        jobs = db.all("SELECT claimed_by FROM grade_jobs WHERE session_id=?", (session,))
        row = db.one("SELECT status FROM grades WHERE session_id=? AND turn=0", (session,))
        return jobs, (str(row[0]) if row else None)
    finally:
        db.close()


def test_a_candidate_resumes_on_another_instance_after_one_is_killed(
    pg_url: str, model_url: str, tmp_path: Path
) -> None:
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed (make browser-deps)")
    from playwright import sync_api

    shared = {"MIANSHI_DATABASE_URL": pg_url, "MIANSHI_LLM_BASE_URL": model_url}
    # A is a front end only (no grading workers), so the grade it accepted is certainly
    # still pending when it dies; a grade killed mid-run (a stale claim) is covered by
    # tests/storage. With a worker, A sometimes finished the grade before the kill.
    # (and the next question does not wait for a grade nobody here gives)
    front = {**shared, "MIANSHI_GRADING_WORKERS": "0", "MIANSHI_FEEDBACK_WAIT_S": "0"}
    with (
        running_app(app_env(tmp_path / "a", **front), tmp_path / "a.log") as a,
        sync_api.sync_playwright() as pw,
    ):
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = new_page(chromium, a.url)
        start_interview(page, questions=2)
        answer = _on_topic(chat_text(page))
        type_answer(page, answer)
        wait_status(page, "第 2/2 题")
        session = session_id(page)
        a.process.kill()  # instance A dies with the first grade accepted, not done
        a.process.wait(30)
        jobs, grade = _grade_of_first_turn(pg_url, session)
        assert jobs == [(None,)] and grade is None, (jobs, grade)  # queued, unclaimed
        # B starts only now: running beside A, its worker took A's job at once
        with running_app(app_env(tmp_path / "b", **shared), tmp_path / "b.log") as b:
            _resume_on(b.url, chromium, pg_url, session, answer)
        chromium.close()


def _on_topic(chat: str) -> str:
    """The reference answer of the bank question on screen (on topic, so no pre-check
    decides its grade: it goes to the model's queue), else ``ANSWER``."""
    shown = content_key(chat)
    asked = [
        e for e in load_bank().entries if e.reference_answer and content_key(e.question) in shown
    ]
    if not asked:
        return ANSWER
    return (max(asked, key=lambda e: len(e.question)).reference_answer or ANSWER)[:300]


def _resume_on(url: str, chromium: Any, pg_url: str, session: str, answer: str) -> None:
    other = new_page(chromium, url)
    other.get_by_role("tab", name="历史 History").click()
    other.wait_for_function(
        "sid => document.querySelector('#history').innerText.includes(sid)",
        arg=session, timeout=30_000,
    )  # fmt: skip
    assert session in other.locator("#pick input").input_value()
    other.click("#resume")
    wait_status(other, "第 2/2 题", timeout=120)  # where it stood on A
    words = re.search(r"[\u4e00-\u9fff]{8,}", answer)  # list markers are not in innerText
    assert (words.group(0) if words else content_key(answer)[:12]) in content_key(chat_text(other))

    started = time.monotonic()
    while (state := _grade_of_first_turn(pg_url, session))[1] != "graded":
        assert time.monotonic() - started < 300, f"A's grade never finished: {state}"
        time.sleep(1)
    print(f"A's pending grade finished on B after {time.monotonic() - started:.0f} s")
    assert state[0] == []  # the job is done and gone
    other.click("#end")
    wait_report(other)
    headline = other.inner_text("#report-headline")
    assert session in headline and "pending" not in headline
