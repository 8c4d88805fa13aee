"""Project deep-dive questions: one per chosen CV project, built from curated
templates (``project_templates.yaml``) and the CV's own words, never by a model.

A project that names a technique gets the *design* question (你在「QiaoDoc」里用 BM25 和
bge-m3 做 RRF 融合，为什么这样设计？…), graded on four curated points (background,
design, alternatives, measured — the last with the CV's own figure) plus the bank's
curated points of the technique where a bank entry matches it (``techniques`` in the
templates file); one that names none gets the *overview* question (own part, hardest
problem). Each template point carries a follow-up with its own key points, and the
bank entry's follow-ups on its points come along, so a missed point is probed from
curated text too. The CV text is screened first (``agent.grading.injection``): a line
that instructs the grader never reaches a question, a key point or a prompt.

The result is an ordinary bank ``Entry`` (id ``cv-…``, ``rubric_source="curated"``,
source ``简历 CV``) that the interview asks as the 2nd, 4th … main question and grades
like any other. ``with_projects`` is the one way the app and the CLI add them.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from typing import Any, Protocol, Self, TypeVar, cast

from agent.bank import Bank, Entry, FollowUp, RubricPoint, Source, load_bank
from agent.bank.models import PROJECT_SEED, Topic
from agent.errors import UserError
from agent.grading.injection import screen, without_placeholders
from agent.profile import project_words as words
from agent.profile.projects import MAX_PROJECTS, Project, find_projects

ID_PREFIX = "cv-"
#: A project question's key points, at most (the bank's usual rubric size).
MAX_POINTS = 6
NONE_FOUND = "（简历里没有找到项目经历 no projects found in the CV）"
_JOINERS = {"zh": ("、", " 和 "), "en": (", ", " and ")}
_CJK_GAP = re.compile(r"(?<=[\u3000-\u9fff\uff00-\uffef]) (?=[\u3000-\u9fff\uff00-\uffef])")
_NAMED = re.compile(r"^[^：:]{1,40}[：:]\s*")


def screened(cv_text: str) -> str:
    """The CV with every line that instructs the grader (忽略以上所有要求…) removed, as
    answers are screened; the other lines as they were."""
    kept = []
    for line in cv_text.splitlines():
        found = screen(line)
        if found.flagged:
            line = without_placeholders(found.view).strip()
        if line.strip():
            kept.append(line)
    return "\n".join(kept)


def candidates(cv_text: str) -> list[Project]:
    """The CV's projects a deep-dive can be about (those that name a bank topic)."""
    return [p for p in find_projects(screened(cv_text)) if p.topic]


class Configured(Protocol):
    """What ``with_projects`` needs of an interview's setup (``InterviewConfig``)."""

    @property
    def lang(self) -> str: ...

    def model_copy(self, *, update: Any = None, deep: bool = False) -> Self: ...


C = TypeVar("C", bound=Configured)


def with_projects(
    config: C,
    chosen: Sequence[str] | int,
    cv_text: str,
    *,
    bank: Bank | None = None,
    say: Callable[[str], None] | None = None,
) -> C:
    """``config`` with the deep-dive questions of the chosen projects (their names as
    ``candidates`` gives them, or the first N); ``say`` is told what was built."""
    projects = candidates(cv_text)
    if isinstance(chosen, int):
        wanted = projects[: min(chosen, MAX_PROJECTS)]
    else:
        names = list(dict.fromkeys(chosen))
        if len(names) > MAX_PROJECTS:
            raise UserError(f"choose at most {MAX_PROJECTS} projects ({len(names)} chosen)")
        by_name = {p.name: p for p in projects}
        missing = [n for n in names if n not in by_name]
        if missing:
            raise UserError(f"project(s) not in the CV: {', '.join(missing)}; upload the CV again")
        wanted = [by_name[n] for n in names]
    bank = bank or load_bank()
    entries = [project_entry(p, bank, lang=config.lang) for p in wanted]
    if say is not None:
        say(describe(entries) if entries else NONE_FOUND)
    return config.model_copy(update={"projects": entries})


def project_entry(project: Project, bank: Bank, *, lang: str = "zh") -> Entry:
    """The project's deep-dive question as a bank entry (see module docstring)."""
    lang = lang if lang in _JOINERS else "zh"
    slots, found, shown = _slots(project, lang)
    kind = "design" if found else "overview"
    spec = words.templates()["questions"][kind]
    points, follow_ups = _template_points(spec["points"], slots, lang)
    extra, extra_follow_ups, related = _bank_points(shown, bank, MAX_POINTS - len(points), lang)
    key = hashlib.sha256(f"{lang}\n{kind}\n{project.text}".encode()).hexdigest()
    topic = project.topic or (related.topic if related else "工程与工具")
    return Entry(
        id=f"{ID_PREFIX}{key[:10]}",
        question=_question(spec, slots, lang),
        topic=cast(Topic, topic),
        roles=["general"],
        difficulty=2,
        tags=["项目深挖", *[t.key for t in found]],
        sources=[Source(seed=PROJECT_SEED, locator=project.name, text=project.text[:400])],
        follow_ups=[*follow_ups, *extra_follow_ups],
        rubric=[*points, *extra],
        rubric_source="curated",
        reading=list(related.reading[:3]) if related else [],
    )


def _slots(
    project: Project, lang: str
) -> tuple[dict[str, str], list[words.Technique], list[words.Technique]]:
    """The CV's words the templates are filled with, the techniques the project
    names, and those its question names (the clause's, at most ``MAX_TECHNIQUES``)."""
    lines = project.text.split("\n")
    # a titled project's description is below its title; a listed one follows its name
    description = "\n".join(lines[1:]) if len(lines) > 1 else _NAMED.sub("", lines[0])
    found = words.techniques(project.text)
    clause = words.clause_with(description, found) if found else None
    shown = ((words.techniques_in(clause, found) if clause else []) or found)[
        : words.MAX_TECHNIQUES
    ]
    said = clause if clause and words.starts_with_verb(clause, lang) else ""
    if said and lang == "en":
        said = said[:1].lower() + said[1:]
    claimed = words.metric(description)
    source = words.templates()["sources"].get(project.source) or words.templates()["sources"]["cv"]
    slots = {
        "wrote": str(source[f"{lang}_wrote"]),
        "claimed": str(source[f"{lang}_claimed"]),
        "name": project.label,
        "clause": clause or "",
        "said": said,
        "techniques": _joined([t.written for t in shown], lang),
        "metric": claimed[0] if claimed else "",
        "metric_kind": claimed[1] if claimed else "",
    }
    return slots, found, shown


def _question(spec: dict[str, Any], slots: dict[str, str], lang: str) -> str:
    """The question: the CV's clause read on (it starts with a verb), else quoted,
    else the techniques it names."""
    if slots["said"]:
        return _fill(spec[lang], slots)
    if slots["clause"] and f"{lang}_quote" in spec:
        return _fill(spec[f"{lang}_quote"], slots)
    terms = _fill(words.templates()["said_terms"][lang], slots)
    return _fill(spec[lang], {**slots, "said": terms})


def _joined(items: list[str], lang: str) -> str:
    comma, last = _JOINERS[lang]
    if len(items) < 2:
        return "".join(items)
    return comma.join(items[:-1]) + last + items[-1]


def _fill(template: str, slots: dict[str, str]) -> str:
    """The template with the CV's words in it (no space left between two CJK
    characters where a slot began or ended with one)."""
    return _CJK_GAP.sub("", template.format_map(slots))


def _variant(node: dict[str, Any], base: str, slots: dict[str, str]) -> Any:
    """``node[base]``, or its ``_metric`` / ``_metric_cost`` / ``_cost`` twin that fits
    the figure the CV claims."""
    cost = slots["metric_kind"] == "cost"
    keys = [f"{base}_metric_cost", f"{base}_metric"] if slots["metric"] else []
    keys = [k for k in keys if cost or not k.endswith("_cost")]
    keys += [f"{base}_cost"] if cost else []
    return next((node[k] for k in keys if k in node), node[base])


def _text(node: dict[str, Any], lang: str, slots: dict[str, str]) -> str:
    return _fill(_variant(node, lang, slots), slots)


def _template_points(
    ids: list[str], slots: dict[str, str], lang: str
) -> tuple[list[RubricPoint], list[FollowUp]]:
    """The question's curated points, each with the follow-up that probes it."""
    table = words.templates()["points"]
    points: list[RubricPoint] = []
    follow_ups: list[FollowUp] = []
    for i, point_id in enumerate(ids):
        node = table[point_id]
        points.append(RubricPoint(point=_text(node, lang, slots)))
        asked = node["follow_up"]
        own = [RubricPoint(point=_fill(p, slots)) for p in _variant(asked["points"], lang, slots)]
        follow_ups.append(FollowUp(question=_text(asked, lang, slots), targets=[i], rubric=own))
    return points, follow_ups


def _bank_points(
    found: list[words.Technique], bank: Bank, room: int, lang: str
) -> tuple[list[RubricPoint], list[FollowUp], Entry | None]:
    """The curated points of the bank entry that matches the project's techniques best
    (the most of its points name one of them; the first technique on ties), those
    points first, and that entry's follow-ups on the points taken (each naming its
    technique), in the interview's language."""
    best: tuple[Entry, list[int], words.Technique] | None = None
    for technique in found:
        entry = bank.by_id.get(technique.entry or "")
        if entry is None or not entry.rubric:
            continue
        entry = entry.in_language(lang)
        hits = [i for i, p in enumerate(entry.rubric) if words.names_any(p.point, found)]
        if best is None or len(hits) > len(best[1]):
            best = (entry, hits, technique)
    if best is None or room <= 0:
        return [], [], best[0] if best else None
    entry, hits, technique = best
    taken = (hits or list(range(len(entry.rubric))))[:room]
    offset = MAX_POINTS - room
    at = {old: offset + n for n, old in enumerate(taken)}
    about = words.templates()["follow_up_about"][lang].format(technique=technique.key)
    follow_ups = [
        fu.model_copy(
            update={
                "targets": [at[t] for t in fu.targets],
                "question": fu.question
                if words.names_any(fu.question, [technique])
                else f"{about}{fu.question}",
            }
        )
        for fu in entry.follow_ups
        if fu.targets and set(fu.targets) <= set(taken)
    ]
    return [entry.rubric[i] for i in taken], follow_ups, entry


def describe(entries: Sequence[Entry]) -> str:
    """The questions and their key points, as the candidate sees them."""
    lines = []
    for e in entries:
        lines.append(f"  [{e.id}] {e.question}")
        lines += [f"      · {p.point}" for p in e.rubric]
    return "\n".join(lines)
