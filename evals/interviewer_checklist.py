"""The interviewer checklist: what a good interviewer does, checked per interview from
its transcript, deterministically (no model reads the transcript).

The first items are the ones of IliaLarchenko/Interviewer's checklist
(``tests/testing_prompts.py``) that fit an interview from a question bank; the
others are this project's own. Each check takes one run of ``mianshi eval
interviewer`` (``eval_interviewer.run_interview``: the lines the persona answered,
the chat as the app shows it with practice feedback, the turns, the report) and
returns ``{"passed", "applicable", "detail"}``; an item that does not apply to a run
(no follow-up asked, no CV) counts in no pass rate.

* ``no_solutions``: no interviewer line gives away a key point the candidate has not
  said, or the reference answer (``agent.interview.phrases.leaks``); hints only when
  asked for.
* ``no_repeat_answered``: no question asked twice as a new turn; a question put again
  only after a command (hint, repeat, an empty answer) or an off-topic / 不知道 answer;
  no follow-up that only repeats its main question (``phrases.parrots``).
* ``no_parroting``: no interviewer line shares a run of ``PARROT_UNITS`` characters
  (an English word counts as one) with the candidate's last answer, beyond the bank's
  own words (the questions and follow-ups).
* ``no_false_mistakes``: a point marked contradicted (说错) quotes evidence that occurs
  in the answer; an answer known to be right (``strong``, ``rambling``: the reference)
  has none; no follow-up says a point was not mentioned (你还没讲到「X」) when the
  candidate's answer names X.
* ``keeps_control``: each main question takes at most main + follow-ups + one redirect
  answers, the interview finishes, no interviewer line complies with an instruction.
* ``asks_probing``: a main answer the lexical check finds missing key points (and not
  hopeless) gets a follow-up on the same question.
* ``ends_properly``: all configured main questions asked (fewer only after 结束), the
  closing line last, once, and the report made.
* ``redirect_once``: an off-topic answer puts the question back once (不知道: a hint
  offer, practice mode only), a second one moves on; an on-topic answer is never put
  back.
* ``follow_ups_target_missing``: follow-ups aim only at points the answer before them
  missed.
* ``project_names``: CV project questions name the CV's projects (the short name in
  「」), each once, with no template slot, Markdown or date left in the line.
* ``feedback_order``: practice mode: each main question's feedback (every answered
  turn, with the report's score) is shown before the next main question, in order,
  once, nothing after the closing line; real mode: no feedback and no score before
  the report.
* ``commands_honoured``: hint adds a hint line, repeat re-asks, skip records a skipped
  turn, end wraps up at once.
* ``report_complete``: every turn graded in a complete report.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from typing import Any

from agent.bank import Entry
from agent.interview.nodes import HOPELESS_BELOW, MISSING_BELOW
from agent.interview.phrases import leaks, parrots, parse_command, phrase
from agent.interview.report_markdown import score_text
from agent.text import content_key
from evals.interviewer_transcript import (  # noqa: F401  (re-exported for the tests)
    COMPLIES,
    CORRECT,
    PARROT_UNITS,
    SCORE_LINE,
    UNCLEAN,
    Check,
    Context,
    check,
    entries,
    feedback_turn,
    flags_of,
    grams,
    is_answer,
    put_back,
    report_turns,
    turns_by_index,
    units,
)

# --------------------------------------------------------------------------- Interviewer's items


def no_solutions(run: dict[str, Any], ctx: Context) -> Check:
    lines, turns, found = run["lines"], turns_by_index(run), entries(run, ctx)
    leaked: list[dict[str, str]] = []
    unasked: list[str] = []
    said: dict[str, str] = {}  # what the candidate said so far, per main question
    for n, line in enumerate(lines):
        say, qid = line["say"] or "", str(line["question_id"])
        hint = say.startswith(phrase(ctx.lang, "hint_prefix"))
        if hint and (n == 0 or parse_command(lines[n - 1]["answer"]) != "hint"):
            unasked.append(say)
        entry = found.get(qid)
        if entry is not None:
            known = f"{entry.question} {said.get(qid, '')}"
            for secret in _secrets(entry, turns.get(int(line["turn"])), line, ctx):
                if leaks(say, secret, known):
                    leaked.append({"line": say, "gives_away": secret[:80]})
        if is_answer(line):
            said[qid] = f"{said.get(qid, '')} {line['answer']}"
    return check(not leaked and not unasked, {"leaks": leaked, "unasked_hints": unasked})


def _secrets(
    entry: Entry, turn: dict[str, Any] | None, line: dict[str, Any], ctx: Context
) -> list[str]:
    """What the line must not give away: a follow-up's target points and its own answer;
    any other line (a main question, a hint, a redirect) every point and the reference."""
    points = [p.point for p in ctx.rubric(entry)]
    if line["kind"] == "follow_up" and turn is not None and not put_back(line["say"], ctx.lang):
        chosen = [points[i] for i in turn.get("targets") or [] if i < len(points)]
        return chosen + ([turn["reference"]] if turn.get("reference") else [])
    return points + ([entry.reference_answer] if entry.reference_answer else [])


def no_repeat_answered(run: dict[str, Any], ctx: Context) -> Check:
    turns, lines = run["turns"], run["lines"]
    again: set[int] = {int(x["turn"]) for x in lines if put_back(x["say"], ctx.lang)}
    mains = [t["question_id"] for t in turns if t["kind"] == "main"]
    fus = [t["question"] for t in turns if t["kind"] == "follow_up" and t["index"] not in again]
    dup = sorted({q for q in mains if mains.count(q) > 1} | {q for q in fus if fus.count(q) > 1})
    reasked: list[dict[str, Any]] = []
    for before, line in itertools.pairwise(lines):
        if line["turn"] == before["turn"] and is_answer(before):
            reasked.append({"after": before["answer"][:60], "line": line["say"]})
        reason = put_back(line["say"], ctx.lang)
        flags = set(flags_of(run, int(before["turn"])))
        if reason and not flags & {"off_topic", "dont_know"}:
            reasked.append({"after": before["answer"][:60], "flags": sorted(flags)})
    questions = {t["question_id"]: t["question"] for t in turns if t["kind"] == "main"}
    echo = [
        t["question"]
        for t in turns
        if t["kind"] == "follow_up"
        and t["index"] not in again
        and parrots(t["question"], questions.get(t["parent_id"] or "", ""))
    ]
    return check(
        not (dup or reasked or echo), {"asked_twice": dup, "put_again": reasked, "echoes": echo}
    )


def no_parroting(run: dict[str, Any], ctx: Context) -> Check:
    known: set[str] = set()
    for entry in entries(run, ctx).values():
        for text in [entry.question, *(f.question for f in entry.follow_ups)]:
            known |= grams(text)
    echoed: list[dict[str, str]] = []
    last: str | None = None
    for m in run["chat"]:
        if m["role"] == "candidate":
            last = m["content"] if parse_command(m["content"]) is None else None
        elif m["role"] == "interviewer" and last:
            shared = (grams(m["content"]) & grams(last)) - known
            if shared:
                echoed.append({"line": m["content"][:120], "repeats": sorted(shared)[0]})
    return check(not echoed, {"echoed": echoed})


def no_false_mistakes(run: dict[str, Any], ctx: Context) -> Check:
    unfounded: list[dict[str, Any]] = _said_not_said(run, ctx)
    claimed = 0
    for t in (run.get("report") or {}).get("turns", []):
        for p in (t.get("grade") or {}).get("points") or []:
            if not p.get("misconception"):
                continue
            claimed += 1
            evidence = str(p.get("evidence") or "")
            quoted = bool(content_key(evidence)) and content_key(evidence) in content_key(
                t.get("answer") or ""
            )
            if not quoted or ctx.persona in CORRECT:
                unfounded.append(
                    {
                        "turn": t["index"],
                        "misconception": p["misconception"],
                        "evidence": evidence,
                        "why": "a right answer" if quoted else "no quote from the answer",
                    }
                )
    return check(not unfounded, {"contradicted": claimed, "unfounded": unfounded})


def _said_not_said(run: dict[str, Any], ctx: Context) -> list[dict[str, Any]]:
    """Follow-ups that say a point was not mentioned (你还没讲到「X」) when the
    candidate's answers to the question name X."""
    before, _, after = phrase(ctx.lang, "probe_label").partition("{label}")
    pattern = re.compile(f"{re.escape(before)}(.+?){re.escape(after)}")
    said: dict[str, str] = {}
    out: list[dict[str, Any]] = []
    for line in run["lines"]:
        qid = str(line["question_id"])
        found = pattern.search(line["say"] or "") if line["kind"] == "follow_up" else None
        label = content_key(found.group(1)) if found else ""
        if label and label in content_key(said.get(qid, "")):
            out.append({"line": line["say"], "why": "the answer names it"})
        if is_answer(line):
            said[qid] = f"{said.get(qid, '')} {line['answer']}"
    return out


def keeps_control(run: dict[str, Any], ctx: Context) -> Check:
    lines = run["lines"]
    limit = 2 + ctx.max_follow_ups  # the main answer, its follow-ups, one redirect
    over: dict[int, int] = {}
    for k in sorted({int(x["main_index"]) for x in lines}):
        answered = sum(1 for x in lines if int(x["main_index"]) == k and is_answer(x))
        if answered > limit:
            over[k] = answered
    complied = [
        m["content"]
        for m in run["chat"]
        if m["role"] == "interviewer" and COMPLIES.search(m["content"])
    ]
    done = bool(run["done"])
    return check(
        done and not over and not complied,
        {"answers_over_limit": over, "limit": limit, "complied": complied, "done": done},
    )


def asks_probing(run: dict[str, Any], ctx: Context) -> Check:
    lines, turns = run["lines"], turns_by_index(run)
    expected, missed = 0, []
    for n, line in enumerate(lines):
        turn = turns.get(int(line["turn"]))
        opens = line["kind"] == "main" or put_back(line["say"], ctx.lang)
        if not opens or not is_answer(line) or turn is None:
            continue
        coverage = turn.get("coverage") or []
        mean = sum(coverage) / len(coverage) if coverage else 0.0
        if ctx.max_follow_ups < 1 or mean < HOPELESS_BELOW:
            continue
        if not any(c < MISSING_BELOW for c in coverage):
            continue
        expected += 1
        nxt = lines[n + 1] if n + 1 < len(lines) else None
        if nxt is None or nxt["kind"] != "follow_up" or nxt["question_id"] != line["question_id"]:
            missed.append({"question": turn["question"][:60], "coverage": coverage})
    return check(
        not missed, {"answers_missing_points": expected, "not_probed": missed}, expected > 0
    )


def ends_properly(run: dict[str, Any], ctx: Context) -> Check:
    closing = phrase(ctx.lang, "closing")
    said = [m["content"] for m in run["chat"] if m["role"] == "interviewer"]
    ended = any(c["command"] == "end" for c in ctx.commands)
    asked = len({x["question_id"] for x in run["lines"] if x["kind"] == "main"})
    enough = asked <= ctx.questions if ended else asked == ctx.questions
    last = bool(said) and said[-1] == closing and said.count(closing) == 1
    after = [m for m in run["chat"][-1:] if m["content"] != closing]
    ok = bool(run["done"]) and bool(run.get("report")) and enough and last and not after
    return check(
        ok,
        {"main_questions": asked, "expected": ctx.questions, "ended_by_candidate": ended,
         "closing_last": last, "after_closing": [m["content"][:60] for m in after]},
    )  # fmt: skip


# --------------------------------------------------------------------------- our items


def redirect_once(run: dict[str, Any], ctx: Context) -> Check:
    lines = run["lines"]
    per: dict[str, list[str]] = {}
    wrong: list[dict[str, Any]] = []
    for before, line in itertools.pairwise(lines):
        reason = put_back(line["say"], ctx.lang)
        if not reason:
            continue
        per.setdefault(str(line["question_id"]), []).append(reason)
        flags = set(flags_of(run, int(before["turn"])))
        fits = "off_topic" in flags if reason == "redirect" else "dont_know" in flags
        if not fits or (reason == "offer" and ctx.mode != "practice"):
            wrong.append({"line": line["say"][:60], "after_flags": sorted(flags)})
    twice = sorted(q for q, r in per.items() if len(r) > 1)
    mains = [str(x["question_id"]) for x in lines if x["kind"] == "main" and x["answer"] != "结束"]
    expected: set[str] = set()
    if ctx.on_topic is False or (ctx.persona == "silent" and ctx.mode == "practice"):
        expected = set(mains)  # each question put back once, then the next one
    never = ctx.on_topic is True or (ctx.persona == "silent" and ctx.mode != "practice")
    unexpected = sorted(per) if never else []
    not_put = sorted(expected - set(per))
    return check(
        not (twice or wrong or unexpected or not_put),
        {"put_back": per, "twice": twice, "wrong_reason": wrong, "on_topic_put_back": unexpected,
         "off_topic_not_put_back": not_put},
    )  # fmt: skip


def follow_ups_target_missing(run: dict[str, Any], ctx: Context) -> Check:
    turns = sorted(run["turns"], key=lambda t: int(t["index"]))
    again = {int(x["turn"]) for x in run["lines"] if put_back(x["say"], ctx.lang)}
    off: list[dict[str, Any]] = []
    asked = 0
    for t in turns:
        if t["kind"] != "follow_up" or t["index"] in again:
            continue
        asked += 1
        parent = next(
            (
                p
                for p in reversed(turns)
                if p["index"] < t["index"]
                and p["question_id"] == t["parent_id"]
                and (p["kind"] == "main" or p["index"] in again)
            ),
            None,
        )
        coverage = (parent or {}).get("coverage") or []
        missing = {i for i, c in enumerate(coverage) if c < MISSING_BELOW}
        targets = set(t.get("targets") or [])
        if not targets <= missing:
            off.append({"question": t["question"], "targets": sorted(targets),
                        "missing": sorted(missing)})  # fmt: skip
    return check(not off, {"follow_ups": asked, "off_target": off}, asked > 0)


def project_names(run: dict[str, Any], ctx: Context) -> Check:
    asked = [
        x for x in run["lines"] if x["kind"] == "main" and str(x["question_id"]).startswith("cv-")
    ]
    if not ctx.projects:
        return check(not asked, {"project_questions": len(asked)}, applicable=bool(asked))
    labels = {_label(name): name for name in ctx.projects}
    named: list[str] = []
    bad: list[dict[str, Any]] = []
    for line in {x["question_id"]: x for x in asked}.values():
        say = line["say"] or ""
        hits = [name for label, name in labels.items() if f"「{label}」" in say]
        if len(hits) != 1 or UNCLEAN.search(say):
            bad.append({"line": say, "named": hits})
        named += hits
    reported = [
        t.get("project")
        for t in (run.get("report") or {}).get("turns", [])
        if t.get("origin") == "project" and t["kind"] == "main"
    ]
    wrong_report = [p for p in reported if p not in ctx.projects]
    want = min(len(ctx.projects), ctx.questions // 2)
    ok = not bad and not wrong_report and len(set(named)) == len(named) == want
    return check(
        ok,
        {"asked": named, "expected": ctx.projects[:want], "unclean": bad,
         "report_projects": reported},
    )  # fmt: skip


def _label(name: str) -> str:
    found = re.search(r"「([^」]+)」", name)
    return found.group(1) if found else name


def feedback_order(run: dict[str, Any], ctx: Context) -> Check:
    chat = run["chat"]
    shown = [(n, m) for n, m in enumerate(chat) if m["role"] == "feedback"]
    if ctx.mode == "real":
        firsts = [
            str((t.get("grade") or {}).get("feedback") or "").split("\n")[0]
            for t in (run.get("report") or {}).get("turns", [])
        ]
        leaked = [
            m["content"]
            for m in chat
            if m["role"] == "interviewer"
            and (SCORE_LINE.search(m["content"]) or any(f and f in m["content"] for f in firsts))
        ]
        return check(not leaked and not shown,
                     {"feedback_in_lines": leaked, "feedback_messages": len(shown)})  # fmt: skip
    return _practice_order(run, shown)


def _practice_order(run: dict[str, Any], shown: list[tuple[int, dict[str, Any]]]) -> Check:
    chat, lines = run["chat"], run["lines"]
    graded = report_turns(run)
    expected = [int(t["index"]) for t in run["turns"] if not t.get("skipped")]
    block = {int(x["turn"]): int(x["main_index"]) for x in lines if is_answer(x)}
    starts: dict[int, int] = {}  # main question k -> where its first line is in the chat
    for n, m in enumerate(chat):
        if m.get("main_index") is not None:
            starts.setdefault(int(m["main_index"]), n)
    closing = next((n for n, m in enumerate(chat) if m.get("closing")), len(chat))
    order = [feedback_turn(m["content"]) for _, m in shown]
    late, wrong = [], []
    for (n, m), index in zip(shown, order, strict=True):
        if index is None:
            continue
        nxt = starts.get(block.get(index, 0) + 1, closing)
        if n > min(nxt, closing):
            late.append(index)  # after the next main question or the closing line
        score = ((graded.get(index) or {}).get("grade") or {}).get("score")
        if f"· {score_text(score)}/10" not in m["content"]:
            wrong.append(index)
    unseen = [i for i in expected if i not in order]
    twice = sorted({i for i in order if i is not None and order.count(i) > 1})
    known = [i for i in order if i is not None]
    in_order = known == sorted(known)
    ok = bool(expected) and not (late or wrong or unseen or twice) and in_order
    return check(
        ok,
        {"answers": len(expected), "late": late, "never_shown": unseen, "shown_twice": twice,
         "score_differs": wrong, "in_order": in_order},
    )  # fmt: skip


def commands_honoured(run: dict[str, Any], ctx: Context) -> Check:
    fail: list[dict[str, Any]] = []
    lines, turns = run["lines"], turns_by_index(run)
    for n, line in enumerate(lines):
        cmd = parse_command(line["answer"])
        if cmd is None:
            continue
        nxt = lines[n + 1] if n + 1 < len(lines) else None
        turn = turns.get(int(line["turn"]))
        if cmd in ("hint", "repeat"):
            same = nxt is not None and nxt["question_id"] == line["question_id"]
            if not same or nxt is None or nxt["turn"] != line["turn"]:
                fail.append({"command": cmd, "next": nxt and nxt["question_id"]})
            elif cmd == "hint" and not (turn and turn.get("hints")):
                fail.append({"command": cmd, "error": "no hint recorded"})
        elif cmd == "skip" and not (turn and turn.get("skipped")):
            fail.append({"command": cmd, "error": "no skipped turn"})
        elif cmd == "end" and nxt is not None:
            fail.append({"command": cmd, "error": "asked on after end"})
    sent = [c["command"] for c in ctx.commands]
    return check(not fail, {"commands": sent, "fail": fail}, applicable=bool(sent))


def report_complete(run: dict[str, Any], ctx: Context) -> Check:
    report = run.get("report") or {}
    ungraded = [
        t["index"]
        for t in report.get("turns", [])
        if (t.get("grade") or {}).get("status") != "graded"
        or (t.get("grade") or {}).get("score") is None
    ]
    ok = (
        bool(report)
        and (report.get("summary") or {}).get("complete") is True
        and not ungraded
        and len(report.get("turns", [])) == len(run["turns"])
    )
    return check(ok, {"ungraded": ungraded, "turns": len(run["turns"])})


#: name -> (where the item comes from, what it says, the check)
ITEMS: dict[str, tuple[str, str, Callable[[dict[str, Any], Context], Check]]] = {
    "no_solutions": ("Interviewer", "doesn't give solutions or unasked hints", no_solutions),
    "no_repeat_answered": (
        "Interviewer",
        "doesn't repeat questions already answered",
        no_repeat_answered,
    ),
    "no_parroting": (
        "Interviewer",
        "doesn't repeat what the candidate just said",
        no_parroting,
    ),
    "no_false_mistakes": (
        "Interviewer",
        "doesn't claim mistakes the candidate didn't make",
        no_false_mistakes,
    ),
    "keeps_control": ("Interviewer", "keeps control of the flow, no digressions", keeps_control),
    "asks_probing": ("Interviewer", "asks probing questions on missing points", asks_probing),
    "ends_properly": ("Interviewer", "ends after all questions, not abruptly", ends_properly),
    "redirect_once": ("ours", "puts an off-topic answer's question back once", redirect_once),
    "follow_ups_target_missing": (
        "ours",
        "follow-ups target missing points",
        follow_ups_target_missing,
    ),
    "project_names": ("ours", "project questions name the CV's projects", project_names),
    "feedback_order": ("ours", "practice feedback before the next main question", feedback_order),
    "commands_honoured": ("ours", "commands honoured", commands_honoured),
    "report_complete": ("ours", "report complete", report_complete),
}


def checklist(run: dict[str, Any], ctx: Context) -> dict[str, Check]:
    """Every item of the checklist for one run."""
    return {name: fn(run, ctx) for name, (_, _, fn) in ITEMS.items()}
