"""The real app (`python app.py`, real embedded model, real Whisper) in headless Chromium.

Debian's /usr/bin/chromium driven by Playwright's Python package (`make browser-deps`
installs it; Playwright never downloads a browser here). The app runs as a subprocess
on a free port with its data in a temporary directory.

Screenshots go to a temporary directory, or to ``MIANSHI_SCREENSHOT_DIR`` when set
(``MIANSHI_SCREENSHOT_DIR=docs/screenshots`` refreshes the README's pictures).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from agent.bank.english_checks import CJK
from tests.browser.pages import (
    AUDIO,
    CHROMIUM,
    CHROMIUM_ARGS,
    GRADED_S,
    REPO,
    app_env,
    chat_text,
    download,
    good_answer,
    moved_on,
    new_page,
    running_app,
    screenshot_dir,
    session_id,
    set_number,
    start_interview,
    status_text,
    type_answer,
    upload_audio,
    wait_chat,
    wait_report,
    wait_status,
)  # fmt: skip

pytestmark = pytest.mark.browser

#: The candidate whose earlier interviews the progress view charts.
HISTORY_CANDIDATE = "xiaoming"
#: A candidate with one finished interview (in English).
ONE_INTERVIEW_CANDIDATE = "xiaohong"


def _seed_history(db: Path) -> None:
    """Three finished interviews of HISTORY_CANDIDATE and one English interview of
    ONE_INTERVIEW_CANDIDATE, as the app would have stored them."""
    from agent.bank import load_bank
    from agent.interview.report_types import Report
    from agent.interview.state import InterviewConfig
    from agent.interview.store import Store

    bank = load_bank()
    ids = {t: [e.id for e in bank.entries if e.topic == t][:3] for t in ("RAG与检索", "Agent")}
    store = Store(db)
    scores = [(4.0, 5.0), (5.5, 4.5), (7.0, 5.0), (6.0, 3.5)]
    for n, (rag, agent) in enumerate(scores, start=1):
        sid = f"seed-{n}"
        config = InterviewConfig(candidate=HISTORY_CANDIDATE)
        if n == 4:
            config = InterviewConfig(candidate=ONE_INTERVIEW_CANDIDATE, lang="en")
        store.create_session(sid, config.candidate, config)
        qids = [ids["RAG与检索"][(n - 1) % 3], ids["Agent"][(n - 1) % 3]]
        turns = [{"index": i, "question_id": q, "kind": "main",
                  "grade": {"question_id": q, "score": None, "status": "pending"}}
                 for i, q in enumerate(qids)]  # fmt: skip
        summary = {"by_topic": {"RAG与检索": rag, "Agent": agent}, "overall_score": 5.5}
        report = {"session_id": sid, "config": config, "turns": turns, "summary": summary}
        store.finish_session(sid, Report.model_validate(report))
        time.sleep(0.01)  # distinct creation times, in order
    store.close()


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed (make browser-deps)")
    tmp = tmp_path_factory.mktemp("app")
    env = app_env(tmp)
    _seed_history(tmp / "data" / "sessions.sqlite")
    with running_app(env, tmp / "app.log") as app:
        yield app.url


@pytest.fixture(scope="module")
def browser(app_url: str) -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    return screenshot_dir(tmp_path)


# -------------------------------------------------------------------- tests


def test_typed_and_spoken_answers_to_a_downloaded_report(
    app_url: str, browser: Any, shots: Path
) -> None:
    page = new_page(browser, app_url)
    start_interview(page, questions=2, topic="位置编码", shot=shots / "setup.png")
    assert "第 1/2 题" in status_text(page)
    assert "Session" in page.inner_text("#session-info")

    # An answer over the length cap is refused and stays in the textbox.
    too_long = "很长的回答。" * 1400  # 8,400 characters > 8,000
    type_answer(page, too_long)
    wait_status(page, "上限")
    assert page.input_value("#answer textarea") == too_long
    assert too_long[:30] not in chat_text(page)

    # Question 1: typed. In practice mode the next main question waits for the grade
    # (the status says the interviewer is checking the answer): its feedback comes
    # first, then the question. (A liveness bound, not a speed check: 2 shared cores.)
    typed_text = good_answer(page)
    type_answer(page, typed_text)
    wait_chat(page, typed_text[:20])
    wait_status(page, "第 2/2 题", timeout=GRADED_S)
    chat = chat_text(page)
    assert "反馈 Feedback" in chat, (status_text(page), chat[-1500:])
    feedback = chat.index("反馈 Feedback")  # there already as the question shows
    assert chat.index(typed_text[:20]) < feedback < len(chat.rstrip()) - 10
    assert chat.rstrip().endswith(("？", "?", "。")), chat[-200:]  # the question is last
    page.screenshot(path=str(shots / "interview.png"), full_page=True)

    # Question 2: spoken. The transcript appears as the candidate's message first.
    upload_audio(page, AUDIO / "wenet-mid.wav")
    wait_chat(page, "🎤", timeout=120)
    moved_on(page, "面试已结束")  # an answer about something else is put back once
    wait_report(page)
    assert page.locator("#report-headline").inner_text().startswith("总分 Overall")
    details = page.inner_text("#report-details")
    assert "参考答案 Reference" in details and "语音 Speech" in details
    page.screenshot(path=str(shots / "report.png"), full_page=True)

    report = json.loads(download(page, "download-json").read_text(encoding="utf-8"))
    assert report["config"]["role"] == "algorithm"
    assert report["config"]["mode"] == "practice"
    assert report["config"]["topics"] == ["位置编码"]
    mains = [t for t in report["turns"] if t["kind"] == "main"]
    assert len(mains) == 2  # (and at most the spoken one put back once, then skipped)
    assert all(t["skipped"] for t in report["turns"] if t["kind"] != "main")
    for turn in mains:
        for key in ("question_id", "kind", "question", "answer", "grade"):
            assert key in turn, key
        assert turn["grade"]["status"] == "graded"
        assert 0 <= turn["grade"]["score"] <= 10
        assert turn["grade"]["points"]
    typed, spoken = mains
    assert typed["answer"] == typed_text and typed["speech"] is None
    assert spoken["answer"] and spoken["speech"]["duration_s"] > 0
    assert report["summary"]["overall_score"] is not None
    assert report["summary"]["complete"] is True
    markdown = download(page, "download-md").read_text(encoding="utf-8")
    assert markdown.startswith("# Mianshi 面试报告") and report["session_id"] in markdown
    page.context.close()


def test_two_browser_sessions_have_separate_interviews(
    app_url: str, browser: Any, tmp_path: Path
) -> None:
    a, b = new_page(browser, app_url), new_page(browser, app_url)
    for page in (a, b):
        set_number(page, "questions", 2)
        set_number(page, "follow-ups", 0)
        page.locator("#intro input").uncheck()
    a.click("#start")
    b.click("#start")  # both starting at once
    wait_status(a, "Your turn", timeout=120)
    wait_status(b, "Your turn", timeout=120)
    assert session_id(a) != session_id(b)

    answer_a, answer_b = "候选人甲的回答：注意力机制。", "候选人乙的回答：位置编码。"
    type_answer(a, answer_a)
    type_answer(b, answer_b)
    moved_on(a, "第 2/2 题")
    moved_on(b, "第 2/2 题")
    assert answer_a in chat_text(a) and answer_b not in chat_text(a)
    assert answer_b in chat_text(b) and answer_a not in chat_text(b)
    # Commands act on each page's own interview.
    b.click("#repeat")
    wait_chat(b, "我再说一遍")
    assert "我再说一遍" not in chat_text(a)

    # Bad audio: a clear message, and the interview goes on.
    broken = tmp_path / "broken.wav"
    broken.write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunk" + os.urandom(2000))
    upload_audio(a, broken)
    # the status line's ⚠️ can be replaced within 2 s by the feedback poll: wait on the
    # chat message, which stays
    wait_chat(a, "语音无法识别")
    assert "语音无法识别" not in chat_text(b)
    a.fill("#answer textarea", "换成打字回答。")
    a.press("#answer textarea", "Control+Enter")  # Ctrl+Enter sends
    wait_chat(a, "换成打字回答。")

    # b answers into the microphone: the recording is transcribed when it stops.
    b.click("#audio button.record-button")
    time.sleep(6)
    b.click("#audio button.stop-button")
    wait_chat(b, "🎤", timeout=120)
    assert "🎤" not in chat_text(a)
    moved_on(a, "面试已结束")  # both answered their last question (or skipped it once
    moved_on(b, "面试已结束")  # put back)
    wait_report(a)
    wait_report(b)
    a.context.close()
    b.context.close()


INTRO = (
    "面试官你好，我叫张三，之前在一家金融科技公司做大模型算法。我主要做了两个项目：第一个是"
    "企业知识库问答助手QiaoDoc，用BM25和bge-m3做混合检索再用RRF融合，召回率从71%提升到89%。"
    "第二个是客服对话模型SmartReply，用LoRA微调Qwen2-7B。"
)


def test_the_self_introduction_steers_the_questions(
    app_url: str, browser: Any, shots: Path
) -> None:
    """No CV: the interview opens with 先做个自我介绍吧 (on by default), and the project
    the candidate names is asked about as the second main question."""
    page = new_page(browser, app_url)
    assert page.locator("#intro input").is_checked()  # on while no CV is given
    start_interview(page, questions=2, intro=True)
    wait_status(page, "自我介绍", timeout=60)
    assert "先做个自我介绍吧" in chat_text(page)
    type_answer(page, INTRO)
    wait_chat(page, "你提到了「QiaoDoc」", timeout=60)  # one project fits in 2 questions
    wait_status(page, "第 1/2 题", timeout=60)
    page.screenshot(path=str(shots / "self-introduction.png"), full_page=True)
    page.click("#skip")
    moved_on(page, "第 2/2 题")
    last = chat_text(page).rstrip().rsplit("\n\n", 1)[-1]
    assert "「QiaoDoc」" in last  # the project deep-dive, in the candidate's own name
    page.click("#end")
    wait_report(page)
    page.context.close()


def test_history_resumes_an_interview_and_opens_its_report(
    app_url: str, browser: Any, shots: Path
) -> None:
    first = new_page(browser, app_url)
    start_interview(first, questions=2)
    answer = "我先回答第一题：这是一个为恢复测试写的回答。"
    type_answer(first, answer)
    moved_on(first, "第 2/2 题")
    session = session_id(first)
    first.context.close()  # the candidate closes the tab

    page = new_page(browser, app_url)  # a new browser session
    page.get_by_role("tab", name="历史 History").click()
    page.wait_for_function(
        "sid => document.querySelector('#history').innerText.includes(sid)",
        arg=session,
        timeout=30_000,
    )
    assert session in page.locator("#pick input").input_value()  # newest first
    page.screenshot(path=str(shots / "history.png"), full_page=True)
    page.click("#resume")
    wait_status(page, "第 2/2 题", timeout=60)
    assert answer in chat_text(page)
    page.click("#end")
    wait_report(page)
    assert session in page.inner_text("#report-headline")

    page.get_by_role("tab", name="历史 History").click()
    page.wait_for_function(
        "() => document.querySelector('#history').innerText.includes('已完成')", timeout=30_000
    )
    page.click("#open")
    page.wait_for_function(
        "sid => document.querySelector('#report-headline').innerText.includes(sid)",
        arg=session,
        timeout=30_000,
    )
    page.context.close()


#: What the progress chart (Vega's SVG) shows: each axis's title and labels, and
#: the marks drawn (lines, and points with a size on screen).
CHART_JS = """() => {
  const svg = document.querySelector('#progress-trend svg.marks');
  if (!svg) return null;
  const seen = (e) => { const r = e.getBoundingClientRect();
    return r.width > 2 && r.height > 2 && getComputedStyle(e).visibility !== 'hidden'
      && Number(e.getAttribute('opacity') ?? 1) > 0 && e.getAttribute('fill') !== 'transparent'; };
  const axes = [...svg.querySelectorAll('g.role-axis')].map((g) => ({
    title: [...g.querySelectorAll('.role-axis-title text')].map((t) => t.textContent).join(' '),
    labels: [...g.querySelectorAll('.role-axis-label text')].map((t) => t.textContent),
  }));
  return {
    axes,
    lines: [...svg.querySelectorAll('g.mark-line.role-mark path')].filter(seen).length,
    points: [...svg.querySelectorAll('g.mark-symbol.role-mark path')].filter(seen).length,
  };
}"""


def _chart(page: Any, points: int) -> dict[str, Any]:
    """The progress chart once it shows ``points`` marks (its SVG read in the page)."""
    try:
        page.wait_for_function(f"() => ({CHART_JS})()?.points === {points}", timeout=30_000)
    except Exception as exc:
        raise AssertionError(f"the chart: {page.evaluate(CHART_JS)}") from exc
    chart: dict[str, Any] = page.evaluate(CHART_JS)
    return chart


def _session_axis(chart: dict[str, Any]) -> list[str]:
    [axis] = [a for a in chart["axes"] if "Session" in a["title"]]
    labels: list[str] = axis["labels"]
    return labels


def _open_progress(page: Any, candidate: str) -> str:
    page.locator("#candidate textarea, #candidate input").first.fill(candidate)
    page.get_by_role("tab", name="进度 Progress").click()
    page.wait_for_function(
        "name => document.querySelector('#progress-text').innerText.includes(name)",
        arg=candidate,
        timeout=30_000,
    )
    return str(page.inner_text("#progress-text"))


def test_progress_view_charts_earlier_interviews(app_url: str, browser: Any, shots: Path) -> None:
    page = new_page(browser, app_url)
    text = _open_progress(page, HISTORY_CANDIDATE)
    assert "Agent" in text and "4 → 5.5 → 7" in text  # the text twin of the chart
    chart = _chart(page, points=6)  # two topics in three sessions
    assert chart["lines"] == 2, chart  # a line per topic
    assert _session_axis(chart) == ["1", "2", "3"], chart
    page.locator("#progress-trend").screenshot(path=str(shots / "progress-chart.png"))
    page.screenshot(path=str(shots / "progress.png"), full_page=True)
    page.click("#weakest")
    page.wait_for_function(
        "() => document.querySelector('#topics').innerText.includes('Agent')", timeout=30_000
    )
    assert "Agent" in page.inner_text("#status")
    page.context.close()


def test_progress_after_one_interview_marks_its_scores(
    app_url: str, browser: Any, shots: Path
) -> None:
    """One finished interview: a mark per topic (a line needs two sessions), on a
    session axis of whole numbers (it once read 1.000000); History says English."""
    page = new_page(browser, app_url)
    text = _open_progress(page, ONE_INTERVIEW_CANDIDATE)
    assert "Agent" in text and "3.5" in text  # the text twin: one score per topic
    chart = _chart(page, points=2)
    assert _session_axis(chart) == ["1"], chart
    labels = [label for axis in chart["axes"] for label in axis["labels"]]
    assert labels and all(label.isdigit() for label in labels), labels  # no 1.000000
    page.locator("#progress-trend").screenshot(path=str(shots / "progress-one.png"))
    page.get_by_role("tab", name="历史 History").click()
    page.wait_for_function(
        "() => document.querySelector('#history').innerText.includes('seed-4')", timeout=30_000
    )
    assert "English" in page.inner_text("#history")  # the session's language
    assert "English" in page.locator("#pick input").input_value()
    page.context.close()


def _english_recording(tmp: Path) -> Path:
    """An English answer about positions, said by Piper's en_US voice (not the
    interviewer's): the real voice worker, offline."""
    out = tmp / "answer-en.wav"
    text = (
        "Self attention on its own does not know the order of the tokens, so we add "
        "position information. The original transformer adds sine and cosine waves of "
        "different frequencies to the embeddings, and rotary position embedding rotates "
        "the query and key vectors instead."
    )
    env = {**os.environ, "MIANSHI_CACHE_DIR": str(tmp), "MIANSHI_ENGLISH_VOICE": "en-piper"}
    done = subprocess.run(
        [sys.executable, "-m", "agent.cli.main", "say", "--lang", "en", text, "--out", str(out)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return out


def test_an_english_practice_interview_gives_english_feedback_and_report(
    app_url: str, browser: Any, shots: Path, tmp_path: Path
) -> None:
    """Typed and spoken answers; no CJK in the interviewer's lines, the feedback or the
    report."""
    spoken = _english_recording(tmp_path)  # a second English voice says an answer
    page = new_page(browser, app_url)
    page.get_by_label("English").check()
    start_interview(page, questions=2, topic="位置编码")
    answer = (
        "Self-attention is permutation invariant, so position has to be injected. "
        "Sinusoidal encodings use sin and cos at different frequencies and need no "
        "training; learned position embeddings are limited to max_len."
    )
    type_answer(page, answer)
    wait_chat(page, "Feedback · turn 1", timeout=240)
    moved_on(page, "第 2/2 题")  # an answer judged off-topic is put back once
    upload_audio(page, spoken)  # the second question is answered aloud, in English
    wait_chat(page, "🎤", timeout=120)
    heard = chat_text(page).split("🎤", 1)[1].split("\n", 1)[0]
    assert "position" in heard.lower() and not CJK.search(heard), heard  # heard in English
    moved_on(page, "面试已结束")
    chat = chat_text(page).replace("面试 Interview", "", 1)  # the chat's own (app) label
    # English throughout: the interviewer's lines, the key points, the feedback
    assert not CJK.search(chat), CJK.findall(chat)[:20]
    assert any(w in chat for w in ("Covered:", "Missing:", "Incomplete:", "misconception"))
    wait_report(page)
    headline = page.locator("#report-headline").inner_text()
    assert headline.startswith("Overall")
    summary = page.inner_text("#report-summary")
    assert "Strengths" in summary and "Gaps" in summary
    details = page.inner_text("#report-details")
    assert "Answer:" in details and "Feedback:" in details and "Reference:" in details
    for shown in (headline, summary, details):  # the report tab: no Chinese anywhere
        assert not CJK.search(shown), CJK.findall(shown)[:20]
    page.screenshot(path=str(shots / "report-en.png"), full_page=True)
    markdown = download(page, "download-md").read_text(encoding="utf-8")
    assert markdown.startswith("# Mianshi interview report")
    assert not CJK.search(markdown), CJK.findall(markdown)[:20]
    page.context.close()
