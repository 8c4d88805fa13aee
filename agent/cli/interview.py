"""``mianshi interview``: a text interview in the terminal (one answer per line when
stdin is not a terminal), and ``mianshi sessions list|show|export``."""

from __future__ import annotations

import argparse
import json
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, get_args

from pydantic import ValidationError

from agent.bank import ROLES, TOPICS, load_bank
from agent.errors import UserError
from agent.grading.models import Grade
from agent.interview.report import write_report
from agent.interview.report_markdown import to_markdown
from agent.interview.report_types import Report
from agent.interview.state import InterviewConfig, Lang, Level, Mode, replies
from agent.interview.store import Store
from agent.profile import focus
from agent.profile.company import canonical
from agent.profile.project_questions import with_projects
from agent.profile.read import read_document
from agent.settings import load_settings

if TYPE_CHECKING:
    from agent.interview.engine import Engine, Step

_print_lock = threading.Lock()

#: The terminal's own words by the session's language (a resumed session's, not the
#: flags': ``--resume`` keeps the language the interview was started in).
_WORDS: dict[str, dict[str, str]] = {
    "zh": {
        "interviewer": "面试官",
        "you": "你",
        "feedback": "\n【反馈 第{n}题】得分 {score}/10。{feedback}\n",
        "finished": "\n面试结束。总分 {score}/10  分主题: {by_topic}",
        "pending": "⚠ {n} 个评分未完成（模型不可用），报告中标记为 pending。",
        "written": "报告已写入 {json} 和 {md}",
    },
    "en": {
        "interviewer": "Interviewer",
        "you": "You",
        "feedback": "\n[Feedback, turn {n}] score {score}/10. {feedback}\n",
        "finished": "\nInterview over. Overall {score}/10  by topic: {by_topic}",
        "pending": "⚠ {n} grade(s) not done (no model available), marked pending in the report.",
        "written": "Report written to {json} and {md}",
    },
}


def _words(lang: str) -> dict[str, str]:
    return _WORDS.get(lang, _WORDS["zh"])


def _say(text: str, stream: Any = None) -> None:
    with _print_lock:
        print(text, file=stream or sys.stdout, flush=True)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("interview", help="a mock interview in the terminal")
    p.add_argument("--role", choices=ROLES, default="general")
    p.add_argument("--level", choices=get_args(Level), default="mid")
    p.add_argument(
        "--topics",
        nargs="+",
        default=[],
        metavar="TOPIC",
        help=f"limit to these topics: {', '.join(TOPICS)}",
    )
    p.add_argument("--questions", type=int, default=5, help="number of main questions")
    p.add_argument("--mode", choices=get_args(Mode), default="practice")
    p.add_argument(
        "--lang",
        choices=get_args(Lang),
        default="zh",
        help="language of the interviewer's own words (a new interview's: --resume keeps the "
        "session's)",
    )
    p.add_argument(
        "--follow-ups",
        type=int,
        default=1,
        dest="follow_ups",
        help="at most this many follow-ups per main question",
    )
    p.add_argument("--candidate", default="default", help="whose history to use")
    p.add_argument("--cv", type=Path, help="your CV (PDF, DOCX, Markdown or text): aim at it")
    p.add_argument("--jd", type=Path, help="the target job description (same formats)")
    p.add_argument(
        "--voice", action="store_true",
        help="the interviewer speaks each line on this machine's sound device (answers typed)",
    )  # fmt: skip
    p.add_argument(
        "--company",
        help="a company-flavoured set: questions that company asked first (e.g. 字节, 阿里, "
        "腾讯, OpenAI; only the bank's tagged questions count)",
    )
    p.add_argument(
        "--projects", type=int, default=2, choices=range(0, 4), metavar="N",
        help="deep-dive questions about up to N projects in --cv (0–3, default 2)",
    )  # fmt: skip
    p.add_argument(
        "--focus",
        nargs="+",
        metavar="TOPIC[=W]",
        help="the topics to aim at, weight 0–1 (replaces what --cv/--jd found)",
    )
    p.add_argument(
        "--intro", action="store_true",
        help="open with a self-introduction: the projects and topics it names steer the "
        "questions as a CV's would (off by default here: scripted stdin answers stay "
        "one per question)",
    )  # fmt: skip
    p.add_argument("--seed", type=int, default=None, help="fix the question choice")
    p.add_argument("--report", type=Path, help="write the JSON report here (+ .md twin)")
    p.add_argument("--resume", metavar="SESSION_ID", help="continue an unfinished session")
    p.set_defaults(func=_interview)
    _register_sessions(subparsers)


def _register_sessions(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    s = subparsers.add_parser("sessions", help="past interviews: list, show, export")
    sub = s.add_subparsers(dest="sessions_command", metavar="ACTION")
    sub.required = True
    ls = sub.add_parser("list", help="past sessions, newest first")
    ls.add_argument("--candidate")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=_list)
    show = sub.add_parser("show", help="print a finished session's report (Markdown)")
    show.add_argument("session_id")
    show.set_defaults(func=_show)
    export = sub.add_parser("export", help="write a finished session's report (JSON + .md)")
    export.add_argument("session_id")
    export.add_argument("--report", type=Path, required=True)
    export.set_defaults(func=_export)


def _read_answer(interactive: bool, lang: str = "zh") -> str | None:
    if interactive:
        try:
            return input(f"{_words(lang)['you']} > ")
        except EOFError:
            return None
    line = sys.stdin.readline()
    return None if line == "" else line.rstrip("\n")


def _focus(args: argparse.Namespace) -> dict[str, float]:
    """What the interview aims at: --focus as given, else what the CV / job name."""
    if args.focus:
        return focus.parse(args.focus)
    if not (args.cv or args.jd):
        return {}
    found = focus.from_documents(args.cv, args.jd)
    _say("面试重点（来自简历/JD；用 --focus 修改）Focus from your CV / job:", sys.stderr)
    _say(found.describe(), sys.stderr)
    return found.weights


def _speaker(settings: Any, lang: str) -> Callable[[str], None]:
    """The interviewer's voice (in ``lang``) on this machine's sound device, or why
    there is none."""
    from agent.voice.playback import Player, no_sound_device
    from agent.voice.voice import Voice

    voice = Voice(settings, lang)
    reason = voice.available() or no_sound_device()
    if reason:
        raise UserError(
            f"--voice needs a sound device and the voice: {reason}. The app's voice mode "
            "speaks in the browser; `mianshi say TEXT --out FILE.wav` writes a file"
        )
    return Player(voice).say


def _config(args: argparse.Namespace) -> InterviewConfig:
    weights = _focus(args)
    try:
        return InterviewConfig(
            role=args.role,
            level=args.level,
            topics=args.topics,
            questions=args.questions,
            mode=args.mode,
            lang=args.lang,
            max_follow_ups=args.follow_ups,
            candidate=args.candidate,
            seed=args.seed,
            focus=weights,
            company=canonical(load_bank(), args.company) if args.company else None,
            intro=args.intro,
        )
    except ValidationError as exc:
        raise UserError(f"invalid interview settings: {exc.errors()[0]['msg']}") from exc


def _open(
    engine: Engine, args: argparse.Namespace, config: InterviewConfig
) -> tuple[Step, InterviewConfig]:
    """A new session (or the resumed one), its transcript so far printed; and the
    session's setup: a resumed one's as stored (its mode and language), whatever the
    flags say."""
    if args.resume:
        step = engine.resume(args.resume)
        stored = engine.session(args.resume)
        config = stored.config if stored is not None else config
    else:
        step = engine.start(config)
    words = _words(config.lang)
    for line in step.transcript:
        who = words["interviewer"] if line["role"] == "interviewer" else words["you"]
        _say(f"{who}: {line['content']}")
    return step, config


def _converse(
    engine: Engine,
    step: Step,
    interactive: bool,
    speak: Callable[[str], None] | None = None,
    lang: str = "zh",
) -> Step:
    """Question, answer, … until the interview is over (input ending ends it)."""
    words = _words(lang)
    while not step.done:
        if step.say is None:
            step = engine.resume(step.session_id)
            continue
        _say(f"\n{words['interviewer']}: {step.say}")
        if speak is not None:
            speak(step.say)
        answer = _read_answer(interactive, lang)
        if answer is None:  # input ended: finish properly, nothing lost
            answer = "结束"
        elif not interactive:
            _say(f"{words['you']}: {answer}")
        try:
            step = engine.reply(step.session_id, answer, at=step.at)
            for line in replies(step.transcript, step.say):  # acknowledgements, the closing …
                _say(f"\n{words['interviewer']}: {line}")
        except UserError as exc:
            _say(f"mianshi: {exc}", sys.stderr)
            step = engine.resume(step.session_id)  # where the session stands now
    return step


def _finish(report: Report | None, out: Path | None) -> int:
    if report is None:
        _say("面试已结束，没有报告 the interview ended without a report", sys.stderr)
        return 3
    summary, words = report.summary, _words(report.lang)
    by_topic = json.dumps(summary.by_topic, ensure_ascii=False)
    _say(words["finished"].format(score=summary.overall_score, by_topic=by_topic))
    if summary.pending:
        _say(words["pending"].format(n=summary.pending), sys.stderr)
    if out:
        json_path, md_path = write_report(report, out)
        _say(words["written"].format(json=json_path, md=md_path))
    return 0 if summary.complete else 3


def _interview(args: argparse.Namespace) -> int:
    from agent.interview.engine import Engine  # heavy imports only for this command
    from agent.llm.server import connect

    settings = load_settings()
    config = _config(args)
    speaker = _speaker(settings, config.lang) if args.voice else None

    def progress(done: int, total: int) -> None:
        _say(f"  评分中 grading {done}/{total} …", sys.stderr)

    with connect(settings) as llm:
        engine = Engine(settings, llm, progress=progress)
        if config.mode == "review" and not args.resume and not engine.due_cards(config.candidate):
            total = engine.card_count(config.candidate)
            _say(f"今天没有要复习的卡片 nothing due for review ({total} card(s) in all)")
            engine.close()
            return 0
        if args.cv and not args.resume and args.projects:
            _say("项目深挖题（模板出题，要点来自整理好的模板和题库）Project questions:", sys.stderr)
            config = with_projects(config, args.projects, read_document(args.cv),
                                   bank=engine.bank, say=lambda s: _say(s, sys.stderr))  # fmt: skip
        opened: InterviewConfig | None = None  # the session's setup, once it is open

        def on_ready(session_id: str, turn: int, grade: Grade) -> None:
            if opened is not None and opened.feedback_each and grade.status == "graded":
                text = _words(opened.lang)["feedback"]
                _say(text.format(n=turn + 1, score=grade.score, feedback=grade.feedback))

        engine.on_grade(on_ready)
        step: Step | None = None
        try:
            step, opened = _open(engine, args, config)
            _say(
                f"(session {step.session_id} — resume with: mianshi interview --resume "
                f"{step.session_id})",
                sys.stderr,
            )
            step = _converse(engine, step, sys.stdin.isatty(), speaker, opened.lang)
        except KeyboardInterrupt:
            if step is not None:
                _say(
                    f"\n已保存。继续这场面试：mianshi interview --resume {step.session_id}",
                    sys.stderr,
                )
            return 130
        finally:
            engine.close()
    return _finish(step.report, args.report)


def _store() -> Store:
    return Store(load_settings().database)


def _list(args: argparse.Namespace) -> int:
    rows = _store().sessions(args.candidate, limit=100)
    if args.json:
        print(json.dumps([r.model_dump(mode="json", exclude={"report"}) for r in rows],
                         ensure_ascii=False))  # fmt: skip
        return 0
    if not rows:
        print("no sessions yet — start one with `mianshi interview`")
    for r in rows:  # the language a session was held in: its resume and report keep it
        score = r.report.summary.overall_score if r.report else None
        cfg = r.config
        print(
            f"{r.id}  {r.status:8} {cfg.role:11} {cfg.level:6} "
            f"{cfg.mode:8} {cfg.lang:2} score={score if score is not None else '-'}"
        )
    return 0


def _finished(session_id: str) -> Report:
    row = _store().session(session_id)
    if row is None:
        raise UserError(f"no session {session_id!r}; see `mianshi sessions list`")
    if row.report is None:
        raise UserError(
            f"session {session_id} is not finished; continue it with "
            f"`mianshi interview --resume {session_id}`"
        )
    return row.report


def _show(args: argparse.Namespace) -> int:
    print(to_markdown(_finished(args.session_id)))
    return 0


def _export(args: argparse.Namespace) -> int:
    json_path, md_path = write_report(_finished(args.session_id), args.report)
    print(f"wrote {json_path} and {md_path}")
    return 0
