"""Mianshi 面试 — the Gradio app: `python app.py` opens it on http://127.0.0.1:7860.

UI wiring only. The interview is ``agent.engine.Engine``; what the engine says becomes
chat messages, feedback and report views in ``agent.ui.views``; the process-wide
engine, speech model and worker threads are in ``agent.ui.services``. Each browser
session keeps its interview in ``gr.State`` (a ``UISession``), so two candidates at
once never see each other's interview.

Binds 127.0.0.1 unless ``GRADIO_SERVER_NAME`` says otherwise (``GRADIO_SERVER_PORT``
for the port); ``MIANSHI_UI_USERNAME`` + ``MIANSHI_UI_PASSWORD`` turn on a login;
``MIANSHI_UI_CONCURRENCY`` is how many requests run at once (the rest queue).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from typing import Any

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # offline: no telemetry calls

import gradio as gr

from agent.bank import TOPICS
from agent.errors import UserError
from agent.settings import Settings, load_settings
from agent.ui.services import Services, waiting
from agent.ui.views import (
    COMMAND_WORDS,
    HISTORY_HEADERS,
    LANG_CHOICES,
    LEVEL_CHOICES,
    MODE_CHOICES,
    ROLE_CHOICES,
    UISession,
    build_config,
    graded_count,
    history_choices,
    history_rows,
    new_feedback,
    note_message,
    opening_messages,
    progress_status,
    reply_messages,
    report_details_markdown,
    report_headline_markdown,
    report_summary_markdown,
    resume_messages,
    session_info,
    spoken_message,
    topic_frame,
    typed_message,
    write_downloads,
)

TITLE = "Mianshi 面试 · 大模型 / NLP 模拟面试"
POLL_SECONDS = 2.0

CSS = """
#status { min-height: 1.6em; font-size: 0.95em; }
#chat .message { font-size: 0.98em; }
.score-big h2 { font-size: 1.8em; }
"""

# Ctrl/Cmd+Enter in the answer box sends it (Enter makes a new line in a long answer).
JS = """
() => {
  document.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey) && e.target.closest("#answer")) {
      e.preventDefault();
      document.querySelector("#send")?.click();
    }
  });
}
"""

SKIP = gr.skip


def _status_only(text: str, outputs: int) -> tuple[Any, ...]:
    """Update only the status line (the third output) of a handler's outputs."""
    return (SKIP(), SKIP(), text) + (SKIP(),) * (outputs - 3)


def _interview_visible(on: bool) -> tuple[Any, Any, Any]:
    """Visibility of the setup panel, the chat and the answer controls."""
    return gr.update(visible=not on), gr.update(visible=on), gr.update(visible=on)


def _stopwatch(seconds: float) -> str:
    return f"（{seconds:.0f} s）" if seconds >= 1 else ""


def build_app(services: Services) -> gr.Blocks:
    settings = services.settings
    auth_on = bool(settings.ui_username and settings.ui_password)

    def candidate_for(request: gr.Request | None, typed: str | None) -> str:
        if auth_on and request is not None and request.username:
            return str(request.username)
        return (typed or "").strip() or "default"

    # ------------------------------------------------------------------ handlers
    def start(
        role: str,
        level: str,
        topics: list[str],
        questions: float,
        mode: str,
        lang: str,
        follow_ups: float,
        candidate: str,
        request: gr.Request,
    ) -> Iterator[tuple[Any, ...]]:
        """Setup -> the first question. Outputs: state, chat, status, info, 3 x visibility."""
        try:
            config = build_config(
                role, level, topics, questions, mode, lang, follow_ups,
                candidate_for(request, candidate),
            )  # fmt: skip
        except UserError as exc:
            gr.Warning(str(exc))
            yield _status_only(f"❌ {exc}", 7)
            return
        yield _status_only("⏳ 正在准备面试 Preparing the interview…", 7)
        future = services.submit(lambda: services.engine().start(config))
        for elapsed in waiting(future):
            ready = services.engine_if_ready() is not None
            what = "选题中 choosing questions" if ready else "启动本地模型 starting the local model"
            yield _status_only(f"⏳ {what}…{_stopwatch(elapsed)}", 7)
        try:
            step = future.result()
        except Exception as exc:
            gr.Warning(f"无法开始面试 Could not start: {exc}")
            yield _status_only(f"❌ 无法开始面试 Could not start: {exc}", 7)
            return
        session = UISession(
            session_id=step.session_id,
            mode=config.mode,
            lang=config.lang,
            questions=config.questions,
            main_index=step.main_index,
            messages=opening_messages(step),
        )
        yield (
            session,
            session.snapshot(),
            progress_status(session, 0, 0),
            session_info(session),
            *_interview_visible(True),
        )

    def converse(
        session: UISession, payload: str | dict[str, Any], shown: dict[str, Any]
    ) -> Iterator[tuple[Any, str]]:
        """Hand one answer to the engine; yields (chat, status) while it works. The
        candidate's message ``shown`` is on screen already; ``session`` is claimed."""
        engine = services.engine()
        answered = len(engine.turns(session.session_id))
        wrap_up: list[tuple[int, int]] = []  # the engine's report progress, if it wraps up
        future = services.submit(
            engine.reply, session.session_id, payload, progress=lambda d, t: wrap_up.append((d, t))
        )
        yield session.snapshot(), "⏳ 面试官在听… The interviewer is thinking…"
        for elapsed in waiting(future):
            if wrap_up:
                done, total = wrap_up[-1]
                line = f"正在整理报告：评分 {done}/{total} Grading for the report {done}/{total}"
            else:
                graded = graded_count(engine.store.grades(session.session_id))
                line = "面试官在思考… The interviewer is thinking" + (
                    f"（后台评分 grading {graded}/{answered + 1}）" if elapsed > 3 else ""
                )
            yield SKIP(), f"⏳ {line}…{_stopwatch(elapsed)}"
        try:
            step = future.result()
        except UserError as exc:
            gr.Warning(str(exc))
            with session.lock:  # the refused answer goes; the candidate can edit it
                session.messages = [m for m in session.messages if m is not shown]
            yield session.snapshot(), f"❌ {exc}"
            return
        except Exception as exc:  # the model or the store failed: say so plainly
            gr.Warning(f"面试官没能回应 The interviewer could not respond: {exc}")
            yield (
                session.snapshot(),
                f"❌ 出错了 Something failed: {exc} — 可在「历史」继续这场面试 "
                "(resume it from History)",
            )
            return
        grades = engine.store.grades(session.session_id)
        session.add(new_feedback(session, grades, engine.turns(session.session_id)))
        session.add(reply_messages(step))
        session.main_index = step.main_index or session.main_index
        if step.done:
            session.done = True
            session.report = step.report
        answered = len(engine.turns(session.session_id))
        yield session.snapshot(), progress_status(session, answered, graded_count(grades))

    def answer_text(text: str, session: UISession | None) -> Iterator[tuple[Any, Any, Any]]:
        """Outputs: chat, status, textbox."""
        text = (text or "").strip()
        if session is None or session.done:
            gr.Warning("请先开始一场面试 Start an interview first")
            yield SKIP(), SKIP(), SKIP()
            return
        if not text:
            yield SKIP(), "✍️ 请输入回答，或点「提示 / 跳过」 Type an answer first", SKIP()
            return
        if len(text) > settings.max_answer_chars:  # refused before the textbox is cleared
            message = (
                f"回答有 {len(text)} 个字符，上限 {settings.max_answer_chars}，请精简后再发送 "
                f"The answer is {len(text)} characters; the limit is {settings.max_answer_chars}"
            )
            gr.Warning(message)
            yield SKIP(), f"⚠️ {message}", SKIP()
            return
        if not session.try_begin():
            gr.Warning("上一条回答还在处理 The previous answer is still being processed")
            yield SKIP(), SKIP(), SKIP()
            return
        try:
            shown = typed_message(text)
            session.add([shown])
            first = True
            for chat, status in converse(session, text, shown):
                yield chat, status, ("" if first else SKIP())
                first = False
        finally:
            session.end()

    def command(word: str) -> Any:
        def run(session: UISession | None) -> Iterator[tuple[Any, Any, Any]]:
            yield from answer_text(word, session)

        return run

    def answer_audio(path: str | None, session: UISession | None) -> Iterator[tuple[Any, Any, Any]]:
        """A recorded or uploaded answer. Outputs: chat, status, audio."""
        if not path:
            yield SKIP(), SKIP(), SKIP()
            return
        if session is None or session.done:
            gr.Warning("请先开始一场面试 Start an interview first")
            yield SKIP(), SKIP(), None
            return
        if not session.try_begin():
            gr.Warning("上一条回答还在处理 The previous answer is still being processed")
            yield SKIP(), SKIP(), SKIP()
            return
        try:
            yield SKIP(), "⏳ 转写中 Transcribing…", SKIP()
            future = services.submit(lambda: services.transcriber().transcribe(path))
            for elapsed in waiting(future):
                yield SKIP(), f"⏳ 转写中 Transcribing…{_stopwatch(elapsed)}", SKIP()
            try:
                transcript = future.result()
            except UserError as exc:  # AudioError: bad audio; the interview goes on
                gr.Warning(str(exc))
                session.add([note_message(f"语音无法识别 Audio not usable: {exc}")])
                yield session.snapshot(), f"⚠️ {exc}", None
                return
            metrics = transcript.metrics.model_dump()
            shown = spoken_message(transcript.text, metrics)
            session.add([shown])
            yield session.snapshot(), "⏳ 已转写，评估中 Transcribed…", None
            payload = {"text": transcript.text, "speech": metrics}
            for chat, status in converse(session, payload, shown):
                yield chat, status, SKIP()
        finally:
            session.end()

    def poll(session: UISession | None) -> tuple[Any, Any]:
        """Timer: practice feedback as grades become ready, and the status line."""
        engine = services.engine_if_ready()
        if session is None or session.done or engine is None:
            return SKIP(), SKIP()
        grades = engine.store.grades(session.session_id)
        turns = engine.turns(session.session_id)
        fresh = new_feedback(session, grades, turns)
        if fresh:
            session.add(fresh)
        chat = session.snapshot() if fresh else SKIP()
        status = (
            SKIP() if session.busy else progress_status(session, len(turns), graded_count(grades))
        )
        return chat, status

    def show_report(report: dict[str, Any]) -> tuple[Any, ...]:
        """Outputs: tabs, headline, plot, summary, details, download JSON, Markdown."""
        json_path, md_path = write_downloads(report, services.reports_dir)
        return (
            gr.Tabs(selected="report"),
            report_headline_markdown(report),
            topic_frame(report),
            report_summary_markdown(report),
            report_details_markdown(report, services.reading),
            gr.update(value=str(json_path), visible=True),
            gr.update(value=str(md_path), visible=True),
        )

    def after_answer(session: UISession | None) -> tuple[Any, ...]:
        if session is None or not session.done or session.report is None:
            return (SKIP(),) * 7
        return show_report(session.report)

    def new_interview() -> tuple[Any, ...]:
        """Outputs: state, chat, status, info, 3 x visibility."""
        return None, [], "", "", *_interview_visible(False)

    def find_session(
        session_id: str | None, candidate: str, request: gr.Request | None
    ) -> dict[str, Any] | None:
        """A stored session of this candidate (a logged-in user sees only their own)."""
        row = services.store.session(session_id) if session_id else None
        if row is None or (auth_on and row["candidate"] != candidate_for(request, candidate)):
            return None
        return row

    def history(candidate: str, request: gr.Request) -> tuple[Any, Any]:
        rows = services.store.sessions(candidate_for(request, candidate), limit=200)
        choices = history_choices(rows)
        return (
            gr.update(value=history_rows(rows)),
            gr.update(choices=choices, value=choices[0][1] if choices else None),
        )

    def open_report(session_id: str | None, candidate: str, request: gr.Request) -> tuple[Any, ...]:
        row = find_session(session_id, candidate, request)
        if row is None:
            gr.Warning("请选择一场面试 Pick a session")
            return (SKIP(),) * 7
        if not row.get("report"):
            gr.Warning("这场面试还没结束，可以继续 Unfinished: resume it")
            return (SKIP(),) * 7
        return show_report(row["report"])

    def resume(
        session_id: str | None, candidate: str, request: gr.Request
    ) -> Iterator[tuple[Any, ...]]:
        """Outputs: state, chat, status, info, 3 x visibility, tabs."""
        row = find_session(session_id, candidate, request)
        if row is None:
            gr.Warning("请选择一场面试 Pick a session")
            yield (SKIP(),) * 8
            return
        cfg = row.get("config") or {}
        yield _status_only("⏳ 正在恢复面试 Resuming…", 8)
        future = services.submit(lambda: services.engine().resume(str(session_id)))
        for elapsed in waiting(future):
            yield _status_only(f"⏳ 正在恢复面试 Resuming…{_stopwatch(elapsed)}", 8)
        try:
            step = future.result()
        except Exception as exc:
            gr.Warning(str(exc))
            yield _status_only(f"❌ {exc}", 8)
            return
        engine = services.engine()
        grades = engine.store.grades(step.session_id)
        session = UISession(
            session_id=step.session_id,
            mode=str(cfg.get("mode", "practice")),
            lang=str(cfg.get("lang", "zh")),
            questions=int(cfg.get("questions", 0)),
            main_index=step.main_index,
            messages=resume_messages(step),
            feedback_shown=set(grades),  # earlier feedback is in the report, not replayed
            done=step.done,
            report=step.report,
        )
        answered = len(engine.turns(step.session_id))
        yield (
            session,
            session.snapshot(),
            progress_status(session, answered, graded_count(grades)),
            session_info(session),
            *_interview_visible(True),
            gr.Tabs(selected="interview"),
        )

    # -------------------------------------------------------------------- layout
    # Uploaded recordings are deleted from Gradio's cache after a day (checked hourly).
    with gr.Blocks(
        title="Mianshi 面试", analytics_enabled=False, delete_cache=(3600, 86400)
    ) as demo:
        state = gr.State(None)
        gr.Markdown(f"# {TITLE}")
        with gr.Tabs(selected="interview") as tabs:
            with gr.Tab("面试 Interview", id="interview"):
                with gr.Column(visible=True, elem_id="setup") as setup_col:
                    gr.Markdown("### 设置 Setup")
                    with gr.Row():
                        role = gr.Radio(ROLE_CHOICES, value="algorithm", label="岗位 Role")
                        level = gr.Radio(LEVEL_CHOICES, value="mid", label="级别 Level")
                    topics = gr.Dropdown(
                        list(TOPICS), value=[], multiselect=True,
                        label="主题 Topics（可选，不选 = 全部 optional, empty = all）",
                        elem_id="topics",
                    )  # fmt: skip
                    with gr.Row():
                        questions = gr.Slider(
                            1, 15, value=5, step=1, label="主问题数 Questions", elem_id="questions"
                        )
                        follow_ups = gr.Slider(
                            0,
                            3,
                            value=1,
                            step=1,
                            label="每题最多追问 Follow-ups per question",
                            elem_id="follow-ups",
                        )
                    with gr.Row():
                        mode = gr.Radio(
                            MODE_CHOICES, value="practice", label="模式 Mode", elem_id="mode"
                        )
                        lang = gr.Radio(LANG_CHOICES, value="zh", label="面试官语言 Interviewer")
                    candidate = gr.Textbox(
                        value="default",
                        label="候选人 Candidate（历史记录和选题按此区分 history and question "
                        "choice follow this name）",
                        visible=not auth_on,
                    )
                    start_btn = gr.Button("开始面试 Start", variant="primary", elem_id="start")
                with gr.Column(visible=False) as chat_col:
                    chat = gr.Chatbot(
                        label="面试 Interview", height="62vh", min_height=420, elem_id="chat",
                        buttons=["copy"],
                        feedback_options=None, group_consecutive_messages=False,
                    )  # fmt: skip
                status = gr.Markdown("", elem_id="status")  # also shown while setting up
                info = gr.Markdown("", elem_id="session-info")
                with gr.Column(visible=False, elem_id="controls") as controls_col:
                    with gr.Row():
                        answer = gr.Textbox(
                            lines=3, max_lines=12, scale=5, show_label=False, elem_id="answer",
                            placeholder="输入回答，点「发送」或按 Ctrl+Enter 提交"
                            " Type your answer; Send or Ctrl+Enter submits",
                        )  # fmt: skip
                        send_btn = gr.Button("发送 Send", variant="primary", scale=1,
                                             elem_id="send")  # fmt: skip
                    audio = gr.Audio(
                        sources=["microphone", "upload"], type="filepath", elem_id="audio",
                        label="语音回答 Spoken answer（录音结束或上传后自动转写 transcribed "
                        "when the recording stops or the file is uploaded）",
                    )  # fmt: skip
                    with gr.Row():
                        hint_btn = gr.Button("💡 提示 Hint", elem_id="hint")
                        repeat_btn = gr.Button("🔁 重复 Repeat", elem_id="repeat")
                        skip_btn = gr.Button("⏭ 跳过 Skip", elem_id="skip")
                        end_btn = gr.Button("⏹ 结束 End", variant="stop", elem_id="end")
                        new_btn = gr.Button("🆕 新面试 New interview", elem_id="new")
            with gr.Tab("报告 Report", id="report"):
                headline = gr.Markdown(
                    "完成一场面试后，报告显示在这里。The report appears here after an interview.",
                    elem_id="report-headline", elem_classes="score-big",
                )  # fmt: skip
                plot = gr.BarPlot(
                    x="topic", y="score", y_lim=[0, 10], title="各主题得分 Score by topic",
                    x_title="主题 Topic", y_title="得分 Score", height=280, elem_id="report-plot",
                )  # fmt: skip
                with gr.Row():
                    dl_json = gr.DownloadButton(
                        "⬇ 下载 JSON", visible=False, elem_id="download-json"
                    )
                    dl_md = gr.DownloadButton(
                        "⬇ 下载 Markdown", visible=False, elem_id="download-md"
                    )
                summary = gr.Markdown("", elem_id="report-summary")
                details = gr.Markdown("", elem_id="report-details")
            with gr.Tab("历史 History", id="history") as history_tab:
                with gr.Row():
                    pick = gr.Dropdown([], label="会话 Session", scale=4, elem_id="pick")
                    refresh_btn = gr.Button("🔄 刷新 Refresh", scale=1)
                    open_btn = gr.Button("📄 打开报告 Open report", scale=1, elem_id="open")
                    resume_btn = gr.Button("▶ 继续面试 Resume", scale=1, elem_id="resume")
                table = gr.Dataframe(
                    headers=HISTORY_HEADERS, interactive=False, wrap=True, elem_id="history"
                )
        timer = gr.Timer(POLL_SECONDS)

        # ---------------------------------------------------------------- events
        private: dict[str, Any] = {"api_visibility": "private"}
        chat_io: dict[str, Any] = {"show_progress": "minimal", **private}
        report_out = [tabs, headline, plot, summary, details, dl_json, dl_md]
        session_out = [state, chat, status, info, setup_col, chat_col, controls_col]

        start_btn.click(
            start, [role, level, topics, questions, mode, lang, follow_ups, candidate],
            session_out, **chat_io,
        )  # fmt: skip
        send_btn.click(answer_text, [answer, state], [chat, status, answer], **chat_io).then(
            after_answer, [state], report_out, **private
        )
        for button, cmd in (
            (hint_btn, "hint"),
            (repeat_btn, "repeat"),
            (skip_btn, "skip"),
            (end_btn, "end"),
        ):
            button.click(command(COMMAND_WORDS[cmd]), [state], [chat, status, answer],
                         **chat_io).then(after_answer, [state], report_out, **private)  # fmt: skip
        for trigger in (audio.upload, audio.stop_recording):
            trigger(answer_audio, [audio, state], [chat, status, audio], **chat_io).then(
                after_answer, [state], report_out, **private
            )
        new_btn.click(new_interview, None, session_out, **private)
        timer.tick(
            poll, [state], [chat, status], show_progress="hidden", concurrency_limit=None,
            **private,
        )  # fmt: skip
        for trigger in (refresh_btn.click, history_tab.select, demo.load):
            trigger(history, [candidate], [table, pick], show_progress="hidden", **private)
        open_btn.click(open_report, [pick, candidate], report_out, **private)
        resume_btn.click(resume, [pick, candidate], [*session_out, tabs], **chat_io).then(
            after_answer, [state], report_out, **private
        )
    return demo


def launch(settings: Settings | None = None) -> None:
    settings = settings or load_settings()
    services = Services(settings)
    demo = build_app(services)
    services.warm_up()
    demo.queue(default_concurrency_limit=settings.ui_concurrency, max_size=64)
    auth = None
    if settings.ui_username and settings.ui_password:
        auth = (settings.ui_username, settings.ui_password.get_secret_value())
    print(f"Mianshi: data in {settings.data_dir}", file=sys.stderr, flush=True)
    demo.launch(
        auth=auth,
        auth_message="Mianshi 面试 — 请登录 please log in" if auth else None,
        footer_links=["gradio", "settings"],
        show_error=True,
        max_file_size="50mb",  # a spoken answer is far smaller
        css=CSS,
        js=JS,
        theme=gr.themes.Default(primary_hue="indigo"),
    )


def main() -> int:
    try:
        launch()
    except UserError as exc:
        print(f"mianshi: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
