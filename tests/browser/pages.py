"""What the browser tests share: the real app started as a subprocess on a free port
(``running_app``), and helpers that drive its page in Debian's headless Chromium."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agent.osutil import free_port
from evals.scripted_mic import AUTOPLAY, SCRIPTED_MIC

REPO = Path(__file__).resolve().parents[2]
AUDIO = REPO.parent / "shared" / "audio"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    # A microphone that "hears" a recorded answer, allowed without a prompt.
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
    f"--use-file-for-fake-audio-capture={AUDIO / 'wenet-mid.wav'}",
]
#: For a page with the scripted microphone (``new_page(..., scripted_mic=True)`` and
#: ``evals.scripted_mic.say``): a recording said from its first word when the test
#: chooses, silence otherwise.
SCRIPTED_MIC_ARGS = [*CHROMIUM_ARGS, AUTOPLAY]

#: An answer for any positional-encoding question (the test picks that topic) when the
#: bank has no reference answer to give.
TYPED_ANSWER = (
    "自注意力本身对顺序不敏感（置换不变），所以需要位置编码注入位置信息。原始 Transformer 用正弦和"
    "余弦函数，不同维度用不同频率，PE(pos,2i)=sin(pos/10000^(2i/d))，可以表示相对位置。也可以用可"
    "学习的绝对位置嵌入，或相对位置编码。RoPE 把 query 和 key 按位置旋转，点积只依赖相对位置，"
    "ALiBi 给注意力分数加与距离成正比的线性偏置，外推性更好。长度外推时可以用位置插值或 NTK 缩放。"
)


def app_env(tmp: Path, **extra: str) -> dict[str, str]:
    """The app's environment: its data in ``tmp``, no configured endpoint or UI options
    from the caller's shell, a free port; ``extra`` on top."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("OPENAI_", "MIANSHI_LLM_BASE_URL", "MIANSHI_UI_", "MIANSHI_DATABASE"))
    }
    env.update(
        MIANSHI_DATA_DIR=str(tmp / "data"),
        MIANSHI_CONFIG=str(tmp / "no-config.toml"),
        GRADIO_SERVER_NAME="127.0.0.1",
        GRADIO_SERVER_PORT=str(free_port()),
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


@dataclass
class App:
    url: str
    process: subprocess.Popen[bytes]


@contextmanager
def running_app(env: dict[str, str], log_path: Path) -> Iterator[App]:
    """``python app.py`` with ``env``, once it answers. Stopped on exit (if the test
    has not killed it), its log's tail printed."""
    log = log_path.open("wb")
    proc = subprocess.Popen(
        [sys.executable, "app.py"], cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{env['GRADIO_SERVER_PORT']}/"
    deadline = time.monotonic() + 120
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"app exited: {log_path.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"app did not start: {log_path.read_text()[-3000:]}")
            time.sleep(0.5)
        yield App(url, proc)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        print(log_path.read_text(errors="replace")[-2000:])


def screenshot_dir(tmp_path: Path) -> Path:
    """Where screenshots go: ``tmp_path``, or ``MIANSHI_SCREENSHOT_DIR`` when set
    (``MIANSHI_SCREENSHOT_DIR=docs/screenshots`` refreshes the README's pictures)."""
    target = os.environ.get("MIANSHI_SCREENSHOT_DIR")
    path = (REPO / target) if target else tmp_path
    path.mkdir(parents=True, exist_ok=True)
    return path


def new_page(browser: Any, url: str, *, scripted_mic: bool = False) -> Any:
    context = browser.new_context(
        viewport={"width": 1280, "height": 1100}, accept_downloads=True, permissions=["microphone"]
    )
    if scripted_mic:
        context.add_init_script(SCRIPTED_MIC)
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(url)
    page.wait_for_selector("#start")
    return page


def set_number(page: Any, elem_id: str, value: int) -> None:
    box = page.locator(f"#{elem_id} input[type=number]")
    box.fill(str(value))
    box.press("Tab")


def start_interview(
    page: Any,
    *,
    questions: int = 2,
    topic: str | None = None,
    shot: Path | None = None,
    intro: bool = False,
) -> None:
    """Set up and start; ``intro``: keep the self-introduction (on by default in the
    app while no CV is given) — most tests go straight to the questions."""
    set_number(page, "questions", questions)
    set_number(page, "follow-ups", 0)
    page.locator("#intro input").set_checked(intro)
    if topic:
        page.locator("#topics input").click()
        page.locator("#topics input").fill(topic)
        page.get_by_role("option", name=topic).click()
        page.locator("#setup h3").click()  # close the options list
    if shot:
        page.screenshot(path=str(shot), full_page=True)
    page.click("#start")
    wait_status(page, "Your turn", timeout=120)


def chat_text(page: Any) -> str:
    return str(page.inner_text("#chat"))


def status_text(page: Any) -> str:
    return str(page.inner_text("#status"))


def wait_status(page: Any, needle: str, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    text = ""
    while time.monotonic() < deadline:
        text = status_text(page)
        if needle in text:
            return text
        if "❌" in text:
            break
        time.sleep(0.25)
    shot = Path(tempfile.mkdtemp(prefix="mianshi-fail-")) / "page.png"
    page.screenshot(path=str(shot), full_page=True)
    raise AssertionError(f"status never showed {needle!r}; last: {text!r} (screenshot {shot})")


#: How the interviewer puts a main question back after an off-topic answer or 不知道.
PUT_BACK = ("我们回到问题", "要不要我给个提示", "Let's come back to it", "Want a hint")
#: The next main question waits for the grades before it (practice mode), which share
#: two cores with everything else: a liveness bound, not a speed check.
GRADED_S = 300


def moved_on(page: Any, needle: str, timeout: float = GRADED_S) -> str:
    """Wait for ``needle`` in the status after an answer. An answer the interviewer
    put back once (it was off-topic: these tests' answers are not about the question)
    is skipped, as a candidate with nothing to add would."""
    deadline, next_try = time.monotonic() + timeout, 0.0
    while time.monotonic() < deadline:
        status = status_text(page)
        if needle in status:
            return status
        last = chat_text(page).rstrip().rsplit("\n\n", 1)[-1]
        put_back = "Your turn" in status and any(m in last for m in PUT_BACK)
        if put_back and time.monotonic() >= next_try:  # again if the app was still busy
            type_answer(page, "跳过")
            next_try = time.monotonic() + 15
        time.sleep(0.25)
    return wait_status(page, needle, timeout=1)


def wait_chat(page: Any, needle: str, timeout: float = 60) -> None:
    try:
        page.wait_for_function(
            "needle => document.querySelector('#chat').innerText.includes(needle)",
            arg=needle,
            timeout=timeout * 1000,
        )
    except Exception as exc:  # say what the chat and the status showed instead
        raise AssertionError(
            f"{needle!r} not in the chat after {timeout} s; status {status_text(page)!r}; "
            f"chat ends: {chat_text(page)[-600:]!r}"
        ) from exc


def session_id(page: Any) -> str:
    """The session id shown under the chat ("会话 Session <id> · …")."""
    words = str(page.inner_text("#session-info")).split()
    return words[words.index("Session") + 1]


def good_answer(page: Any) -> str:
    """The bank's reference answer to the question on screen (a strong answer, so the
    screenshots show a real score), else a generic positional-encoding answer."""
    from agent.bank import load_bank

    chat = chat_text(page)
    asked = [e for e in load_bank().entries if e.question in chat]
    reference = max(asked, key=lambda e: len(e.question)).reference_answer if asked else None
    return (reference or TYPED_ANSWER).strip()


def type_answer(page: Any, text: str) -> None:
    page.fill("#answer textarea", text)
    page.click("#send")


def upload_audio(page: Any, path: Path) -> None:
    if page.locator("#audio input[type=file]").count() == 0:
        page.click('#audio button[aria-label="Upload file"]')
    page.set_input_files("#audio input[type=file]", str(path))


def wait_report(page: Any, timeout: float = 240) -> None:
    try:
        page.wait_for_selector("#download-json", state="visible", timeout=timeout * 1000)
    except Exception as exc:
        shot = Path(tempfile.mkdtemp(prefix="mianshi-fail-")) / "page.png"
        page.screenshot(path=str(shot), full_page=True)
        raise AssertionError(
            f"no report; status {status_text(page)!r} (screenshot {shot})"
        ) from exc


def download(page: Any, elem_id: str) -> Path:
    with page.expect_download() as info:
        page.click(f"#{elem_id}")
    return Path(info.value.path())
