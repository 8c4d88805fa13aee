"""The app: ``MianshiUI``, one per process, whose methods are the event handlers.

Each handler returns (or, while work runs on a worker thread, yields) a dict keyed by
the components it changes, e.g. ``{c.chat: messages, c.status: "…"}``; a component
left out keeps its value. An event's outputs (see ``agent.ui.events``) list every
component its handler may change. Changing nothing at all is ``gr.skip()`` (Gradio
reads an empty dict as a missing value).

A browser session's interview is its ``UISession`` in ``gr.State`` (``c.state``), so
two candidates at once never see each other's interview; the engine, speech model and
worker threads are process-wide (``Services``).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from typing import Any, TypeGuard

import gradio as gr

from agent.accounts import Accounts
from agent.errors import UserError
from agent.grading.checks import too_long
from agent.interview.engine import Step
from agent.profile.project_questions import with_projects
from agent.profile.read import read_document
from agent.ui import views
from agent.ui.access import Login, bind_host, check_bind, said
from agent.ui.events import wire
from agent.ui.history import HistoryHandlers
from agent.ui.layout import LAUNCH_OPTIONS, Components, blocks, build_components
from agent.ui.profile import ProfileHandlers
from agent.ui.progress import ProgressHandlers
from agent.ui.services import Services, status_while
from agent.ui.session import Message, UISession
from agent.ui.voice_mode import VoiceHandlers

Updates = dict[Any, Any]  # component -> its new value, or gr.update(...)

#: Practice mode: how often the next main question looks for the grades of the answers
#: before it (it waits at most ``Settings.feedback_wait_s``, so their feedback comes first).
FEEDBACK_POLL_S = 0.5
#: How long a notice in the status line (an answer refused) stays before the timer's
#: progress line replaces it.
STATUS_HOLD_S = 8.0


def _active(session: UISession | None) -> TypeGuard[UISession]:
    """An interview is on (else the candidate is told to start one)."""
    if session is None or session.done:
        gr.Warning("请先开始一场面试 Start an interview first")
        return False
    return True


def _claimed(session: UISession) -> bool:
    """The session is this handler's for one answer (else: still busy with the last)."""
    if session.try_begin():
        return True
    gr.Warning("上一条回答还在处理 The previous answer is still being processed")
    return False


class MianshiUI:
    """The interview's handlers, and the handler objects of the other concerns
    (``profile``, ``progress_view``, ``voice``, ``history_view``), each given what it
    uses."""

    c: Components  # the screen, built by create_app
    profile: ProfileHandlers
    progress_view: ProgressHandlers
    voice: VoiceHandlers
    history_view: HistoryHandlers

    def __init__(self, services: Services) -> None:
        self.services = services
        self.settings = services.settings
        self.login = Login(self.settings, Accounts(services.store.db))
        self.auth_on = self.login.on

    # ---------------------------------------------------------------- the app
    def create_app(self) -> gr.Blocks:
        with blocks() as demo:
            self.c = build_components(
                auth_on=self.auth_on, companies=views.company_choices(self.services.bank)
            )
            self.profile = ProfileHandlers(self.c, self.services)
            self.progress_view = ProgressHandlers(self.c, self.services, self._candidate)
            self.voice = VoiceHandlers(self.c, self.services, self._converse)
            self.history_view = HistoryHandlers(
                self.c, self.services, self._candidate, self._show_session
            )
            wire(self, demo)
        return demo

    def launch(self) -> None:
        """Build the app, start the engine in the background and serve."""
        check_bind(bind_host(), self.auth_on, self.settings.ui_allow_open)
        demo = self.create_app()
        self.services.warm_up()
        demo.queue(default_concurrency_limit=self.settings.ui_concurrency, max_size=64)
        print(f"Mianshi: data in {self.settings.data_dir}", file=sys.stderr, flush=True)
        demo.launch(**self.login.launch_options(), **LAUNCH_OPTIONS)  # auth, its guard

    # ---------------------------------------------------------------- helpers
    def _status(self, text: str) -> Updates:
        return {self.c.status: text}

    def _wait(self, future: Future[Any], line: Callable[[float], str]) -> Iterator[Updates]:
        return status_while(self.c.status, future, line)

    def _candidate(self, request: gr.Request | None, typed: str | None) -> str:
        if self.auth_on and request is not None and request.username:
            return str(request.username)
        return (typed or "").strip() or "default"

    def _show_session(self, session: UISession, answered: int, graded: int) -> Updates:
        """A started or resumed interview on screen."""
        return {
            self.c.state: session,
            self.c.chat: session.snapshot(),
            self.c.status: views.progress_status(session, answered, graded),
            self.c.info: views.session_info(session),
            **self.c.interview_visible(True),
        }

    # ---------------------------------------------------------- the interview
    def start(
        self,
        role: str,
        level: str,
        topics: list[str],
        questions: float,
        mode: str,
        lang: str,
        follow_ups: float,
        candidate: str,
        focus: list[str],
        projects: list[str] | None = None,
        cv: str | None = None,
        jd: str | None = None,
        company: str | None = None,
        intro: bool = False,
        request: gr.Request | None = None,
    ) -> Iterator[Updates]:
        """Setup -> the self-introduction or the first question (after the chosen CV
        projects' questions)."""
        try:
            config = views.build_config(
                role, level, topics, questions, mode, lang, follow_ups,
                self._candidate(request, candidate), focus, company or None, bool(intro),
            )  # fmt: skip
        except UserError as exc:
            gr.Warning(str(exc))
            yield self._status(f"❌ {exc}")
            return
        yield self._status("⏳ 正在准备面试 Preparing the interview…")
        services = self.services
        stage = {"line": "选题中 choosing questions"}

        def begin() -> Step:
            engine = services.engine()
            chosen = (
                with_projects(config, projects, read_document(cv), bank=engine.bank)
                if projects and cv
                else config
            )
            return engine.start(chosen)

        future = services.submit(begin)
        yield from self._wait(
            future,
            lambda _: (
                stage["line"]
                if services.engine_if_ready() is not None
                else "启动本地模型 starting the local model"
            ),
        )
        try:
            step = future.result()
        except Exception as exc:
            gr.Warning(f"无法开始面试 Could not start: {said(exc)}")
            yield self._status(f"❌ 无法开始面试 Could not start: {said(exc)}")
            return
        session = views.session_for(step, config)
        yield self._show_session(session, 0, 0)

    def answer_text(self, text: str, session: UISession | None) -> Iterator[Updates]:
        """A typed answer or command word; clears the answer box once it is taken."""
        text = (text or "").strip()
        message = too_long(text, self.settings.max_answer_chars)
        if not _active(session):
            yield gr.skip()
        elif not text:
            yield self._status("✍️ 请输入回答，或点「提示 / 跳过」 Type an answer first")
        elif message:  # refused before the answer box is cleared
            gr.Warning(message)
            session.status_held_until = time.monotonic() + STATUS_HOLD_S
            yield self._status(f"⚠️ {message}")
        elif _claimed(session):
            try:
                shown = views.typed_message(text)
                session.add([shown])
                updates = self._converse(session, text, shown)
                yield {**next(updates), self.c.answer: ""}
                for update in updates:
                    refused = not any(m is shown for m in session.messages)  # engine said no
                    yield {**update, self.c.answer: text} if refused else update
            finally:
                session.end()
        else:
            yield gr.skip()

    def command(self, word: str) -> Callable[[UISession | None], Iterator[Updates]]:
        """The handler of a command button: sends ``word`` as the answer."""

        def run(session: UISession | None) -> Iterator[Updates]:
            yield from self.answer_text(word, session)

        return run

    def answer_audio(self, path: str | None, session: UISession | None) -> Iterator[Updates]:
        """A recorded or uploaded answer: transcribed, shown, then answered."""
        if not path:
            yield gr.skip()
        elif not _active(session):
            yield {self.c.audio: None}
        elif _claimed(session):
            try:
                yield from self._spoken(path, session)
            finally:
                session.end()
        else:
            yield gr.skip()

    def _spoken(self, path: str, session: UISession) -> Iterator[Updates]:
        yield self._status("⏳ 转写中 Transcribing…")
        future = self.services.transcribe(path, language=session.lang)
        yield from self._wait(future, lambda _: "转写中 Transcribing")
        try:
            transcript = future.result()
        except UserError as exc:  # AudioError: bad audio; the interview goes on
            gr.Warning(str(exc))
            session.add([views.note_message(f"语音无法识别 Audio not usable: {exc}")])
            yield {self.c.chat: session.snapshot(), self.c.status: f"⚠️ {exc}", self.c.audio: None}
            return
        metrics = transcript.metrics.model_dump()
        shown = views.spoken_message(transcript.text, metrics, session.lang)
        session.add([shown])
        if transcript.note:  # part of the recording was damaged and skipped
            gr.Warning(transcript.note)
            session.add([views.note_message(transcript.note)])
        yield {
            self.c.chat: session.snapshot(),
            self.c.status: "⏳ 已转写，评估中 Transcribed…",
            self.c.audio: None,
        }
        yield from self._converse(session, {"text": transcript.text, "speech": metrics}, shown)

    def _converse(
        self, session: UISession, payload: str | dict[str, Any], shown: Message
    ) -> Iterator[Updates]:
        """Hand one answer to the engine; chat and status while it works. The
        candidate's message ``shown`` is on screen already; ``session`` is claimed."""
        engine = self.services.engine()
        sid = session.session_id
        answered = len(engine.turns(sid))
        wrap_up: list[tuple[int, int]] = []  # the engine's report progress, if it wraps up
        future = self.services.submit(
            engine.reply, sid, payload, session.at, progress=lambda d, t: wrap_up.append((d, t))
        )
        yield {
            self.c.chat: session.snapshot(),
            self.c.status: "⏳ 面试官在听… The interviewer is thinking…",
        }

        def line(elapsed: float) -> str:
            if wrap_up:
                done, total = wrap_up[-1]
                ahead = engine.queue_position(sid)
                queued = f"，前面还有 {ahead} 个 ({ahead} ahead)" if ahead else ""
                grading = f"评分 {done}/{total} Grading for the report {done}/{total}"
                return f"正在整理报告：{grading}{queued}"
            thinking = "面试官在思考… The interviewer is thinking"
            if elapsed <= 3:
                return thinking
            graded = views.graded_count(engine.grades(sid))
            return f"{thinking}（后台评分 grading {graded}/{answered + 1}）"

        yield from self._wait(future, line)
        try:
            step = future.result()
        except Exception as exc:
            yield self._not_taken(session, payload, shown, exc)
            return
        yield from self._feedback_first(session, step)
        grades, turns = engine.grades(sid), engine.turns(sid)
        session.add(views.new_feedback(session, grades, turns))
        session.add(views.reply_messages(step))
        session.main_index = step.main_index or session.main_index
        session.at = step.at
        if step.done:
            session.done = True
            session.report = step.report
        status = views.progress_status(session, len(turns), views.graded_count(grades))
        yield {self.c.chat: session.snapshot(), self.c.status: status}

    def _not_taken(
        self, session: UISession, payload: str | dict[str, Any], shown: Message, exc: Exception
    ) -> Updates:
        """The engine did not take the answer: say why; a typed answer leaves the chat
        and goes back to the answer box (a spoken one stays on screen as it was heard)."""
        if isinstance(exc, UserError):  # refused (another window answered, too long …)
            gr.Warning(str(exc))
            status = f"❌ {exc}"
        else:  # the model or the store failed: say so plainly
            gr.Warning(f"面试官没能回应 The interviewer could not respond: {said(exc)}")
            status = (
                f"❌ 出错了 Something failed: {said(exc)} — 可在「历史」继续这场面试 "
                "(resume it from History)"
            )
        if isinstance(exc, UserError) or isinstance(payload, str):
            with session.lock:
                session.messages = [m for m in session.messages if m is not shown]
        return {self.c.chat: session.snapshot(), self.c.status: status}

    def _feedback_first(self, session: UISession, step: Step) -> Iterator[Updates]:
        """Practice mode: the next main question waits until every earlier answer is
        graded, so its feedback comes before it, in order (follow-ups do not wait; the
        end waits for every grade anyway). At most ``settings.feedback_wait_s``."""
        if session.mode == "real" or step.done or step.kind != "main":
            return
        engine, started = self.services.engine(), time.monotonic()
        while time.monotonic() - started < self.settings.feedback_wait_s:
            turns = engine.turns(session.session_id)
            waiting = views.ungraded(turns, engine.grades(session.session_id))
            if not waiting:
                return
            done = len(turns) - len(waiting)
            yield self._status(
                f"⏳ 面试官在看你刚才的回答 The interviewer is checking your answer "
                f"({done}/{len(turns)})…{views.stopwatch(time.monotonic() - started)}"
            )
            time.sleep(FEEDBACK_POLL_S)

    def poll(self, session: UISession | None) -> Updates:
        """Timer: practice feedback as grades become ready, and the status line."""
        engine = self.services.engine_if_ready()
        if session is None or session.done or engine is None:
            return gr.skip()
        grades = engine.grades(session.session_id)
        turns = engine.turns(session.session_id)
        updates: Updates = {}
        fresh = views.new_feedback(session, grades, turns)
        if fresh:
            session.add(fresh)
            updates[self.c.chat] = session.snapshot()
        if not session.busy and time.monotonic() >= session.status_held_until:
            updates[self.c.status] = views.progress_status(
                session, len(turns), views.graded_count(grades),
                ahead=engine.queue_position(session.session_id),
                listening=session.listener is not None and time.time() >= session.listen_after,
            )  # fmt: skip
        return updates or gr.skip()

    def new_interview(self) -> Updates:
        """Back to the setup panel."""
        c = self.c
        return {c.state: None, c.chat: [], c.status: "", c.info: "", **c.interview_visible(False)}
