"""``mianshi eval KIND``: the project's measured evals (code under ``evals/``).

Each eval is a sub-subcommand registered by a small function in ``EVALS`` below; to
add one (``grader``, ``interviewer``) write ``_register_<name>(evals)`` that adds its
parser and sets ``func``, and list it in ``EVALS``. The eval code itself lives in
``evals/<name>.py`` at the repository root.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path

from agent.errors import UserError
from agent.settings import load_settings

_REPO = Path(__file__).resolve().parents[2]

_SubParsers = argparse._SubParsersAction


def _ensure_evals_importable() -> None:
    """The evals read their labelled data from the source checkout."""
    if not (_REPO / "evals" / "grader").is_dir():
        raise UserError("the evals/ data is missing: run evals from a source checkout")


def _register_asr(evals: _SubParsers) -> None:
    parser = evals.add_parser(
        "asr",
        help="speech-to-text: CER and real-time factor on ../shared/audio",
        description="Character error rate per file and overall, real-time factor; the "
        "last line is a one-line JSON summary. Saves evals/results/asr-<model>-<sha>.json.",
    )
    parser.add_argument(
        "--audio-dir",
        type=Path,
        default=_REPO.parent / "shared" / "audio",
        help="directory with manifest.jsonl and the WAVs (default: ../shared/audio)",
    )
    parser.add_argument(
        "--vocabulary-prompt",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="decode with / without the vocabulary prompt (default: the settings, off)",
    )
    parser.add_argument(
        "--no-composite",
        action="store_true",
        help="skip the composite multi-sentence answers (faster)",
    )
    parser.add_argument("--no-save", action="store_true", help="do not write evals/results/")
    parser.set_defaults(func=_run_asr)


def _run_asr(args: argparse.Namespace) -> int:
    _ensure_evals_importable()
    from evals import asr

    if not (args.audio_dir / "manifest.jsonl").is_file():
        raise UserError(f"no manifest.jsonl in {args.audio_dir}")
    overrides: dict[str, object] = {}
    if args.vocabulary_prompt is not None:
        overrides["asr_vocabulary_prompt"] = args.vocabulary_prompt
    result = asr.run(load_settings(**overrides), args.audio_dir, composite=not args.no_composite)
    if not args.no_save:
        path = asr.save(result)
        print(f"saved {path}")
    print(json.dumps(result["summary"], ensure_ascii=False))
    return 0


def _register_grader(evals: _SubParsers) -> None:
    parser = evals.add_parser(
        "grader",
        help="grader agreement with human labels (QWK, Spearman, category checks)",
        description="Grades evals/grader/candidates.jsonl (44 questions, answers written "
        "without the reference; --data evals/grader/agreement.jsonl for the older set) and "
        "prints QWK / Spearman / exact / ±1 / bias overall, for the calibration and "
        "held-out questions, per kind, the category checks and the human baselines; the "
        "last line is a one-line JSON summary. Saves evals/results/grader-<model>-<sha>.json.",
    )
    parser.add_argument("--limit", type=int, default=None, help="only the first N questions")
    parser.add_argument(
        "--split", choices=["calibration", "heldout"], default=None, help="only one half"
    )
    parser.add_argument(
        "--every", type=int, default=1, help="every k-th question (by id) of the selection"
    )
    parser.add_argument("--repeat", type=int, default=1, help="grade K times, show the spread")
    parser.add_argument("--kinds", nargs="+", default=None, help="only these answer kinds")
    parser.add_argument("--data", type=Path, default=None, help="labelled set (JSONL)")
    parser.add_argument(
        "--cache",
        type=Path,
        default=None,
        help="verdict cache (default: <cache dir>/eval-grader-point-verdicts.json)",
    )
    parser.add_argument("--no-cache", action="store_true", help="ask the model every time")
    parser.add_argument(
        "--cached-only",
        action="store_true",
        help="grade only the items whose verdicts are cached (no model calls)",
    )
    parser.add_argument(
        "--recorded-rubric",
        action="store_true",
        help="grade with the key points each item was labelled against, not the bank's",
    )
    parser.add_argument(
        "--lang", choices=["zh", "en"], default=None,
        help="grade every item against this language's key points and reference (default: "
        "each item's own `lang`, else Chinese); e.g. --data evals/grader/english.jsonl "
        "--lang zh: English answers in a Chinese interview",
    )  # fmt: skip
    parser.add_argument("--no-save", action="store_true", help="do not write evals/results/")
    parser.set_defaults(func=_run_grader)


def _run_grader(args: argparse.Namespace) -> int:
    _ensure_evals_importable()
    from agent.llm.server import connect
    from evals import eval_grader

    settings = load_settings()
    data = (args.data or eval_grader.DATA).resolve()
    if not data.is_file():
        raise UserError(f"no labelled set at {data}")
    items = eval_grader.load_items(
        data, limit=args.limit, kinds=args.kinds, split=args.split, every=args.every
    )
    if not items:
        raise UserError("no items selected")
    if args.lang:
        items = [{**it, "lang": args.lang} for it in items]
    cache = (
        None
        if args.no_cache
        else (args.cache or settings.cache_dir / "eval-grader-point-verdicts.json")
    )
    with connect(settings) as llm:
        result = eval_grader.run(
            llm,
            settings,
            items,
            repeat=args.repeat,
            cache=cache,
            passes=eval_grader.load_passes() if data == eval_grader.OLD_DATA else None,
            recorded_rubric=args.recorded_rubric,
            cached_only=args.cached_only,
        )
    eval_grader.report(result)
    if not args.no_save:
        name = "grader-reference-set" if data == eval_grader.OLD_DATA else "grader"
        if data == eval_grader.ENGLISH_DATA or args.lang:
            name = f"grader-{data.stem}-{args.lang or 'own'}"
        print(f"saved {eval_grader.save(result, name=name)}")
    print(json.dumps(result["summary"], ensure_ascii=False))
    return 0


def _register_references(evals: _SubParsers) -> None:
    parser = evals.add_parser(
        "references",
        help="the bank's own reference answers graded as answers (each should be ≥ 8)",
        description="Grades the reference answers of N random bank entries (fixed seed) "
        "plus every entry on system prompts, prompt injection or jailbreaks, with the "
        "configured model; prints how many score ≥ 8 and the ones below. The last line "
        "is a one-line JSON summary. Saves evals/results/references-<model>-<sha>.json.",
    )
    parser.add_argument("--n", type=int, default=60, help="random entries (default 60)")
    parser.add_argument("--seed", type=int, default=12, help="fixes the draw (default 12)")
    parser.add_argument("--no-save", action="store_true", help="do not write evals/results/")
    parser.set_defaults(func=_run_references)


def _run_references(args: argparse.Namespace) -> int:
    _ensure_evals_importable()
    from agent.llm.server import connect
    from evals import eval_grader, eval_references

    if args.n < 0:
        raise UserError("--n must be 0 or more")
    settings = load_settings()
    with connect(settings) as llm:
        result = eval_references.run(
            llm,
            settings,
            n=args.n,
            seed=args.seed,
            cache=settings.cache_dir / "eval-grader-point-verdicts.json",
        )
    eval_references.report(result)
    if not args.no_save:
        print(f"saved {eval_grader.save(result, name='references')}")
    print(json.dumps(result["summary"], ensure_ascii=False))
    return 0


def _register_interviewer(evals: _SubParsers) -> None:
    parser = evals.add_parser(
        "interviewer",
        help="scripted candidate personas run whole interviews; the interviewer checklist",
        description="Personas (strong, weak, off_topic, rambling, silent, injection, fine, "
        "hints, cv) run whole interviews in practice and real mode through the engine with "
        "the configured model, in a temporary data dir, answering at a speaking pace; the "
        "interviewer checklist is scored per run (pass rate per item) and practice "
        "feedback's wait before the next main question measured (p50/p90). The last line "
        "is a one-line JSON summary. Saves evals/results/interviewer-<model>-<sha>.json.",
    )
    parser.add_argument("--personas", nargs="+", default=None, help="default: all")
    parser.add_argument(
        "--modes", nargs="+", default=["practice", "real"], choices=["practice", "real"]
    )
    parser.add_argument("--questions", type=int, default=2, help="main questions (default 2)")
    parser.add_argument("--max-follow-ups", type=int, default=1)
    parser.add_argument("--seed", type=int, default=7, help="fixes the question choice")
    parser.add_argument(
        "--typing-cps",
        type=float,
        default=4.0,
        help="a persona takes len(answer)/CPS seconds to answer (default 4 characters/s, "
        "a speaking pace; 0: at once)",
    )
    parser.add_argument(
        "--typing-cap", type=float, default=20.0, help="at most this many seconds (default 20)"
    )
    parser.add_argument("--no-save", action="store_true", help="do not write evals/results/")
    parser.set_defaults(func=_run_interviewer)


def _run_interviewer(args: argparse.Namespace) -> int:
    _ensure_evals_importable()
    from agent.llm.server import connect
    from evals import eval_interviewer
    from evals.common import git_short_sha

    personas = args.personas or list(eval_interviewer.PERSONAS)
    unknown = [p for p in personas if p not in eval_interviewer.PERSONAS]
    if unknown:
        raise UserError(f"unknown persona(s) {unknown}; choose from {eval_interviewer.PERSONAS}")
    settings = load_settings()
    commit = git_short_sha()

    def checkpoint(partial: dict[str, object]) -> None:
        if not args.no_save:
            eval_interviewer.save(partial, commit)

    with connect(settings) as llm:
        result = eval_interviewer.run(
            llm,
            settings,
            personas=personas,
            modes=args.modes,
            questions=args.questions,
            max_follow_ups=args.max_follow_ups,
            seed=args.seed,
            typing=eval_interviewer.Typing(args.typing_cps, args.typing_cap),
            log=lambda line: print(line, flush=True),
            checkpoint=checkpoint,
        )
    eval_interviewer.report(result)
    if not args.no_save:
        print(f"saved {eval_interviewer.save(result, commit)}")
    print(json.dumps(result["summary"], ensure_ascii=False))
    return 0


def _register_load(evals: _SubParsers) -> None:
    parser = evals.add_parser(
        "load",
        help="the capacity curve: simulated candidates on 1 and 2 instances, one database",
        description="Simulated candidates (threads) on 1 and 2 instances (processes with "
        "their own engine) sharing one PostgreSQL (a throwaway cluster unless --database) "
        "and one model endpoint (the embedded one unless --llm-url). Prints a table; "
        "saves evals/results/load-<sha>.json.",
    )
    from evals import load  # its data is its own: no labelled set needed

    load.add_arguments(parser)
    parser.set_defaults(func=load.run)


def _register_voice(evals: _SubParsers) -> None:
    parser = evals.add_parser(
        "voice",
        help="the interviewer's voice: Whisper round-trip CER of spoken bank questions, RTF, "
        "voice mode's turn latency",
        description="Speaks bank questions (most with English terms) with the offline voice, "
        "reads them back with the bundled Whisper, and reports the character error rate on "
        "their Chinese text, Latin terms left unread, the synthesis real-time factor and the "
        "time to a line's first sentence; then (--turns) voice-mode turns in the real app in "
        "headless Chromium, end of speech → the interviewer speaking, p50/p90. Saves "
        "evals/results/voice-<sha>.json.",
    )
    from evals import eval_voice

    eval_voice.add_arguments(parser)
    parser.set_defaults(func=eval_voice.main_args)


def _register_voice_en(evals: _SubParsers) -> None:
    parser = evals.add_parser(
        "voice-en",
        help="the English voice and Whisper base on English: round-trip WER of spoken "
        "English bank questions, synthesis RTF",
        description="Speaks English bank questions with the English voice and a second "
        "English voice, reads them back with the bundled Whisper in English, and reports "
        "the word error rate, the synthesis real-time factor and the time to a question's "
        "first sentence. Saves evals/results/voice-en-<sha>.json.",
    )
    from evals import eval_voice_en

    eval_voice_en.add_arguments(parser)
    parser.set_defaults(func=eval_voice_en.main_args)


EVALS: tuple[Callable[[_SubParsers], None], ...] = (
    _register_asr,
    _register_grader,
    _register_interviewer,
    _register_references,
    _register_load,
    _register_voice,
    _register_voice_en,
)


def register(subparsers: _SubParsers) -> None:
    parser = subparsers.add_parser("eval", help="run a measured eval (asr, …)")
    evals = parser.add_subparsers(dest="eval", metavar="EVAL")
    evals.required = True
    for add in EVALS:
        add(evals)
