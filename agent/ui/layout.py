"""The app's screen: its components (``Components``), styles, script and launch options.

Only what is on screen; ``agent.ui.events`` connects the components to the handlers
(``agent.ui.handlers.MianshiUI``). The ``elem_id``s are what the browser tests and the
Ctrl+Enter script find the components by.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import gradio as gr

from agent.bank import TOPICS
from agent.ui.views import HISTORY_HEADERS

TITLE = "Mianshi 面试 · 大模型 / NLP 模拟面试"
POLL_SECONDS = 2.0
MAX_QUESTIONS = 15  # main questions an interview in the app may have

CSS = """
#status { min-height: 1.6em; font-size: 0.95em; }
#chat .message { font-size: 0.98em; }
.score-big h2 { font-size: 1.8em; }
#logout { max-width: 10em; margin-left: auto; }
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

ROLE_CHOICES: list[tuple[str, str]] = [
    ("算法岗 Algorithm", "algorithm"),
    ("开发岗 Engineering", "engineering"),
    ("多模态 Multimodal", "multimodal"),
    ("通用 General", "general"),
]
LEVEL_CHOICES: list[tuple[str, str]] = [
    ("初级 Junior", "junior"),
    ("中级 Mid", "mid"),
    ("高级 Senior", "senior"),
]
MODE_CHOICES: list[tuple[str, str]] = [
    ("练习 Practice（每题后反馈）", "practice"),
    ("实战 Real（结束后统一反馈）", "real"),
    ("复习 Review（只问到期的复习要点）", "review"),
]
LANG_CHOICES: list[tuple[str, str]] = [("中文", "zh"), ("English", "en")]

#: The command buttons (name = elem_id = key of ``views.COMMAND_WORDS``), in order.
COMMAND_BUTTONS: list[tuple[str, str, Literal["secondary", "stop"]]] = [
    ("hint", "💡 提示 Hint", "secondary"),
    ("repeat", "🔁 重复 Repeat", "secondary"),
    ("skip", "⏭ 跳过 Skip", "secondary"),
    ("end", "⏹ 结束 End", "stop"),
]

#: ``Blocks.launch`` options besides the login.
LAUNCH_OPTIONS: dict[str, Any] = {
    "footer_links": ["gradio", "settings"],
    "show_error": False,  # exception text stays in the server log (handlers say what failed)
    "max_file_size": "50mb",  # a spoken answer is far smaller
    "css": CSS,
    "js": JS,
    "theme": gr.themes.Default(primary_hue="indigo"),
}


@dataclass
class Components:
    """Every component a handler reads or changes, and every trigger."""

    state: gr.State  # the browser session's ``UISession`` (None before a start)
    tabs: gr.Tabs
    timer: gr.Timer
    # the interview tab: setup
    setup_col: gr.Column
    role: gr.Radio
    level: gr.Radio
    topics: gr.Dropdown
    questions: gr.Slider
    follow_ups: gr.Slider
    mode: gr.Radio
    lang: gr.Radio
    candidate: gr.Textbox
    cv: gr.File
    jd: gr.File
    focus: gr.Dropdown
    focus_note: gr.Markdown
    projects: gr.CheckboxGroup
    company: gr.Dropdown
    start_btn: gr.Button
    voice_start: gr.Checkbox
    intro: gr.Checkbox
    # the interview tab: the interview
    chat_col: gr.Column
    chat: gr.Chatbot
    status: gr.Markdown
    info: gr.Markdown
    controls_col: gr.Column
    answer: gr.Textbox
    send_btn: gr.Button
    audio: gr.Audio
    voice_on: gr.Checkbox
    hands_free: gr.Checkbox
    speaker: gr.Audio
    mic: gr.Audio
    said_btn: gr.Button
    turn: gr.Number
    commands: dict[str, gr.Button]  # COMMAND_BUTTONS by name
    new_btn: gr.Button
    # the report tab
    headline: gr.Markdown
    plot: gr.BarPlot
    dl_json: gr.DownloadButton
    dl_md: gr.DownloadButton
    summary: gr.Markdown
    details: gr.Markdown
    # the progress tab
    progress_tab: gr.Tab
    trend: gr.Plot
    weakest_btn: gr.Button
    progress_md: gr.Markdown
    # the history tab
    history_tab: gr.Tab
    pick: gr.Dropdown
    refresh_btn: gr.Button
    open_btn: gr.Button
    resume_btn: gr.Button
    table: gr.Dataframe

    @property
    def setup_inputs(self) -> list[Any]:
        """The setup panel's values, in ``MianshiUI.start``'s order."""
        return [self.role, self.level, self.topics, self.questions, self.mode, self.lang,
                self.follow_ups, self.candidate, self.focus, self.projects, self.cv,
                self.jd, self.company, self.intro]  # fmt: skip

    @property
    def session_outputs(self) -> list[Any]:
        """What starting, resuming or leaving an interview changes."""
        return [self.state, self.chat, self.status, self.info, self.setup_col, self.chat_col,
                self.controls_col]  # fmt: skip

    @property
    def report_outputs(self) -> list[Any]:
        """What showing a report changes."""
        return [self.tabs, self.headline, self.plot, self.summary, self.details, self.dl_json,
                self.dl_md]  # fmt: skip

    def interview_visible(self, on: bool) -> dict[Any, Any]:
        """The interview (chat and answer controls) on screen, or the setup panel."""
        return {
            self.setup_col: gr.update(visible=not on),
            self.chat_col: gr.update(visible=on),
            self.controls_col: gr.update(visible=on),
        }


def blocks() -> gr.Blocks:
    # Uploaded recordings are deleted from Gradio's cache after a day (checked hourly).
    return gr.Blocks(title="Mianshi 面试", analytics_enabled=False, delete_cache=(3600, 86400))


def build_components(
    *, auth_on: bool, companies: list[tuple[str, str]] | None = None
) -> Components:
    """The whole screen (inside ``with blocks():``). With a login, the candidate is the
    logged-in user, so the name box is hidden."""
    state = gr.State(None)
    gr.Markdown(f"# {TITLE}")
    if auth_on:  # Gradio's /logout: ends this name's login in every browser
        gr.Button("退出登录 Log out", link="/logout", size="sm", elem_id="logout")
    with gr.Tabs(selected="interview") as tabs:
        with gr.Tab("面试 Interview", id="interview"):
            setup = _setup_panel(auth_on, companies or [])
            interview = _interview_panel()
        with gr.Tab("报告 Report", id="report"):
            report = _report_tab()
        with gr.Tab("进度 Progress", id="progress") as progress_tab:
            progress = _progress_tab()
        with gr.Tab("历史 History", id="history") as history_tab:
            history = _history_tab()
    timer = gr.Timer(POLL_SECONDS)
    return Components(
        state=state, tabs=tabs, timer=timer, history_tab=history_tab, progress_tab=progress_tab,
        **setup, **interview, **report, **progress, **history,
    )  # fmt: skip


def _setup_panel(auth_on: bool, companies: list[tuple[str, str]]) -> dict[str, Any]:
    with gr.Column(visible=True, elem_id="setup") as setup_col:
        gr.Markdown("### 设置 Setup")
        with gr.Row():
            role = gr.Radio(ROLE_CHOICES, value="algorithm", label="岗位 Role")
            level = gr.Radio(LEVEL_CHOICES, value="mid", label="级别 Level")
        topics = gr.Dropdown(
            list(TOPICS), value=[], multiselect=True,
            label="主题 Topics（可选，不选 = 全部 optional, empty = all）", elem_id="topics",
        )  # fmt: skip
        with gr.Row():
            questions = gr.Slider(
                1,
                MAX_QUESTIONS,
                value=5,
                step=1,
                label="主问题数 Questions",
                elem_id="questions",
            )
            follow_ups = gr.Slider(
                0, 3, value=1, step=1, label="每题最多追问 Follow-ups per question",
                elem_id="follow-ups",
            )  # fmt: skip
        with gr.Row():
            mode = gr.Radio(MODE_CHOICES, value="practice", label="模式 Mode", elem_id="mode")
            lang = gr.Radio(LANG_CHOICES, value="zh", label="面试官语言 Interviewer")
        candidate = gr.Textbox(
            value="default",
            label="候选人 Candidate（历史记录和选题按此区分 history and question "
            "choice follow this name）",
            visible=not auth_on,
            elem_id="candidate",
        )
        profile = _profile_inputs(companies)
        intro = gr.Checkbox(
            value=True, elem_id="intro",
            label="👋 先做自我介绍 Open with a self-introduction：提到的项目和方向会用来选题；"
            "上传简历后默认关闭 (the projects and topics you name steer the questions; off "
            "once a CV is uploaded)",
        )  # fmt: skip
        voice_start = gr.Checkbox(
            value=False, elem_id="voice-start",
            label="🎙 语音模式开始 Start in voice mode：开始后麦克风自动打开，全程不用点 "
            "(the microphone opens at Start; no clicks after that)",
        )  # fmt: skip
        start_btn = gr.Button("开始面试 Start", variant="primary", elem_id="start")
    return {"setup_col": setup_col, "role": role, "level": level, "topics": topics,
            "questions": questions, "follow_ups": follow_ups, "mode": mode, "lang": lang,
            "candidate": candidate, "start_btn": start_btn, "voice_start": voice_start,
            "intro": intro, **profile}  # fmt: skip


def _profile_inputs(companies: list[tuple[str, str]]) -> dict[str, Any]:
    """CV and job description in; the focus they give, shown and editable; a company."""
    kinds = [".pdf", ".docx", ".md", ".txt"]
    with gr.Accordion("简历与职位 CV and job（可选 optional）", open=False):
        with gr.Row():
            cv = gr.File(label="简历 CV (PDF/DOCX/MD/TXT)", file_types=kinds, elem_id="cv")
            jd = gr.File(label="职位描述 Job description", file_types=kinds, elem_id="jd")
        focus = gr.Dropdown(
            list(TOPICS), value=[], multiselect=True, elem_id="focus",
            label="面试重点 Focus（从简历/职位读出，可修改；越靠前越重 from your CV/job, "
            "editable, first weighs most）",
        )  # fmt: skip
        focus_note = gr.Markdown("", elem_id="focus-note")
        projects = gr.CheckboxGroup(
            [], value=[], elem_id="projects",
            label="项目深挖 Ask about these projects（从简历读出；开始时由模型出题并推导评分要点 "
            "the model writes each question and its key points when you start）",
        )  # fmt: skip
        company = gr.Dropdown(
            [("不限 Any", ""), *companies], value="", elem_id="company",
            label="目标公司 Company（题库里该公司问过的题优先 its tagged questions first）",
        )  # fmt: skip
    return {"cv": cv, "jd": jd, "focus": focus, "focus_note": focus_note, "projects": projects,
            "company": company}  # fmt: skip


def _interview_panel() -> dict[str, Any]:
    with gr.Column(visible=False) as chat_col:
        chat = gr.Chatbot(
            label="面试 Interview", height="62vh", min_height=420, elem_id="chat",
            buttons=["copy"], feedback_options=None, group_consecutive_messages=False,
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
            send_btn = gr.Button("发送 Send", variant="primary", scale=1, elem_id="send")
        audio = gr.Audio(
            sources=["microphone", "upload"], type="filepath", elem_id="audio",
            label="语音回答 Spoken answer（录音结束或上传后自动转写 transcribed "
            "when the recording stops or the file is uploaded）",
        )  # fmt: skip
        with gr.Row():
            voice_on = gr.Checkbox(
                value=True, label="🔊 面试官语音 Interviewer's voice", elem_id="voice-on"
            )
            hands_free = gr.Checkbox(
                value=False, elem_id="voice-mode",
                label="🎙 语音模式 Voice mode：直接说，停顿约 2.5 秒或说「我说完了」即交卷 "
                "(just talk; a 2.5 s pause, 「我说完了」 or \"I'm done\" ends your turn)",
            )  # fmt: skip
        speaker = gr.Audio(
            autoplay=True, interactive=False, elem_id="speaker", label="面试官 Interviewer",
            buttons=[],
        )  # fmt: skip
        mic = gr.Audio(
            sources=["microphone"], type="numpy", streaming=True, visible=False,
            elem_id="mic", label="语音模式 Voice mode（点录音后一直开着 keep it recording）",
            # the live waveform redraws all the time: it kept a CPU core busy
            waveform_options=gr.WaveformOptions(show_recording_waveform=False),
        )  # fmt: skip
        said_btn = gr.Button("✅ 我说完了 Done", visible=False, elem_id="said")
        turn = gr.Number(value=0, visible=False, elem_id="turn")
        with gr.Row():
            commands = {
                name: gr.Button(label, variant=variant, elem_id=name)
                for name, label, variant in COMMAND_BUTTONS
            }
            new_btn = gr.Button("🆕 新面试 New interview", elem_id="new")
    return {"chat_col": chat_col, "chat": chat, "status": status, "info": info,
            "controls_col": controls_col, "answer": answer, "send_btn": send_btn,
            "audio": audio, "commands": commands, "new_btn": new_btn, "voice_on": voice_on,
            "hands_free": hands_free, "speaker": speaker, "mic": mic, "said_btn": said_btn,
            "turn": turn}  # fmt: skip


def _report_tab() -> dict[str, Any]:
    headline = gr.Markdown(
        "完成一场面试后，报告显示在这里。The report appears here after an interview.",
        elem_id="report-headline", elem_classes="score-big",
    )  # fmt: skip
    plot = gr.BarPlot(
        x="topic", y="score", y_lim=[0, 10], title="各主题得分 Score by topic",
        x_title="主题 Topic", y_title="得分 Score", height=280, elem_id="report-plot",
    )  # fmt: skip
    with gr.Row():
        dl_json = gr.DownloadButton("⬇ 下载 JSON", visible=False, elem_id="download-json")
        dl_md = gr.DownloadButton("⬇ 下载 Markdown", visible=False, elem_id="download-md")
    summary = gr.Markdown("", elem_id="report-summary")
    details = gr.Markdown("", elem_id="report-details")
    return {"headline": headline, "plot": plot, "dl_json": dl_json, "dl_md": dl_md,
            "summary": summary, "details": details}  # fmt: skip


def _progress_tab() -> dict[str, Any]:
    """Score per topic over sessions (a chart and its text twin), coverage, due cards."""
    # a Vega-Lite spec (agent/ui/trend_chart.py): marks at every session, whole numbers
    trend = gr.Plot(label="各主题得分走势 Score per topic over sessions", show_label=False,
                    elem_id="progress-trend")  # fmt: skip
    weakest_btn = gr.Button(
        "🎯 练习最弱主题 Practise my weakest topic", interactive=False, elem_id="weakest"
    )
    progress_md = gr.Markdown("", elem_id="progress-text")
    return {"trend": trend, "weakest_btn": weakest_btn, "progress_md": progress_md}


def _history_tab() -> dict[str, Any]:
    with gr.Row():
        pick = gr.Dropdown([], label="会话 Session", scale=4, elem_id="pick")
        refresh_btn = gr.Button("🔄 刷新 Refresh", scale=1)
        open_btn = gr.Button("📄 打开报告 Open report", scale=1, elem_id="open")
        resume_btn = gr.Button("▶ 继续面试 Resume", scale=1, elem_id="resume")
    table = gr.Dataframe(headers=HISTORY_HEADERS, interactive=False, wrap=True, elem_id="history")
    return {"pick": pick, "refresh_btn": refresh_btn, "open_btn": open_btn,
            "resume_btn": resume_btn, "table": table}  # fmt: skip
