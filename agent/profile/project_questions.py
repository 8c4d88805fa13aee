"""Project deep-dive questions: one per project in the candidate's CV, with key points
the model derives from the project, the target job and the bank's related entries.

The result is an ordinary bank ``Entry`` (id ``cv-…``, ``rubric_source="derived"``,
source ``简历 CV``) that the interview asks as a main question and grades like any
other; the report labels it a project question with a derived rubric. With no model,
or when the model's reply is unusable, a fixed template asks about the project's main
technique (why it, what else, how measured). Derivations are cached by content in
``cache_dir/derived_projects/``.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable, Sequence
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from agent.bank import Bank, Entry, RubricPoint, Source
from agent.llm.client import LLMClient
from agent.llm.errors import LLMError
from agent.osutil import write_atomic
from agent.profile.projects import Project, find_projects
from agent.prompts import render
from agent.text import normalize

log = logging.getLogger(__name__)

PROJECT_SEED = "简历 CV"
ID_PREFIX = "cv-"
MAX_JOB_CHARS = 600
MAX_POINT_CHARS = 40
_PLACEHOLDER = re.compile(r"^(要点|points?|key ?points?)\s*\d*$")


class _Derived(BaseModel):
    question: str = Field(min_length=6, max_length=200)
    points: list[str] = Field(min_length=3, max_length=6)


def project_questions(
    cv_text: str,
    bank: Bank,
    llm: LLMClient | None,
    *,
    job_text: str = "",
    lang: str = "zh",
    cache_dir: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[Entry]:
    """One deep-dive question per CV project that names a bank topic."""
    projects = [p for p in find_projects(cv_text) if p.topic]
    out = []
    for n, project in enumerate(projects):
        if progress:
            progress(n, len(projects))
        out.append(project_entry(project, bank, llm, job_text=job_text, lang=lang,
                                 cache_dir=cache_dir))  # fmt: skip
    if progress and projects:
        progress(len(projects), len(projects))
    return out


def project_entry(
    project: Project,
    bank: Bank,
    llm: LLMClient | None,
    *,
    job_text: str = "",
    lang: str = "zh",
    cache_dir: Path | None = None,
) -> Entry:
    topic = project.topic or "工程与工具"
    related = _related(project, bank, topic)
    key = hashlib.sha256(f"{lang}\n{project.text}\n{job_text[:MAX_JOB_CHARS]}".encode()).hexdigest()
    cache = Path(cache_dir) / "derived_projects" / f"{key[:20]}.json" if cache_dir else None
    derived = _cached(cache) or _ask_model(project, related, llm, job_text)
    if derived is not None and cache is not None:
        write_atomic(cache, derived.model_dump_json())
    template = _template(project, lang)
    derived = _merged(derived, template) if derived is not None else template
    question = derived.question.strip()
    if project.name not in question:
        question = (f"在「{project.name}」项目里，" if lang == "zh" else
                    f"In your project '{project.name}': ") + question  # fmt: skip
    term = _main_term(project)
    return Entry(
        id=f"{ID_PREFIX}{key[:10]}",
        question=question,
        topic=topic,
        roles=["general"],
        difficulty=2,
        tags=["项目深挖", *([term] if term else [])],
        sources=[Source(seed=PROJECT_SEED, locator=project.name, text=project.text[:400])],
        rubric=[RubricPoint(point=p.strip()) for p in derived.points if p.strip()],
        rubric_source="derived",
    )


def _related(project: Project, bank: Bank, topic: str) -> list[Entry]:
    found = bank.search(project.text, limit=12)
    return ([e for e in found if e.topic == topic] or found)[:2]


def _cached(path: Path | None) -> _Derived | None:
    if path is None or not path.is_file():
        return None
    try:
        return _Derived.model_validate_json(path.read_text(encoding="utf-8"))
    except (OSError, ValidationError):
        return None


def _ask_model(
    project: Project, related: Sequence[Entry], llm: LLMClient | None, job_text: str
) -> _Derived | None:
    if llm is None:
        return None
    points = [f"- {p.point}" for e in related for p in e.rubric[:3]]
    prompt = render(
        "project_question",
        project=project.text[:800],
        name=project.name,
        job=job_text[:MAX_JOB_CHARS].strip() or "（无）",
        related="\n".join(points) or "（无）",
    )
    try:
        return llm.structured([{"role": "user", "content": prompt}], _Derived, max_tokens=320)
    except LLMError as exc:
        log.warning("project question for %r not derived by the model: %s", project.name, exc)
        return None


def _main_term(project: Project) -> str | None:
    """The first technique of the project's topic its description names after its name."""
    terms = project.terms.get(project.topic or "", [])
    text = normalize(project.text)
    start = len(normalize(project.name))
    present = [(text.find(normalize(t), start), t) for t in terms]
    present = [(i, t) for i, t in present if i >= 0]
    return min(present)[1] if present else None


def _merged(derived: _Derived, template: _Derived) -> _Derived:
    """The model's points, cleaned (one sentence each, no repeats, at most 3), then the
    template's last two (an alternative weighed, the effect measured): a deep-dive
    always asks for the trade-off and the evidence, which a small model often drops."""
    points: list[str] = []
    for raw in derived.points:
        point = raw.strip()
        if len(point) > MAX_POINT_CHARS:  # keep the first sentence of a rambling point
            point = re.split(r"(?<=[。；;.!?！？])", point, maxsplit=1)[0]
            if len(point) > MAX_POINT_CHARS:  # still long: up to its last comma that fits
                head = point[:MAX_POINT_CHARS]
                point = head[: max(head.rfind("，"), head.rfind(","))] or head
        key = normalize(point)
        if _PLACEHOLDER.match(key):  # the prompt's own example ("要点1") echoed back
            continue
        if len(key) >= 4 and all(key != normalize(p) for p in points):
            points.append(point)
    points = points[:3] or template.points[:2]  # nothing usable: the template's own
    return _Derived(question=derived.question, points=[*points, *template.points[-2:]])


def _template(project: Project, lang: str) -> _Derived:
    name, term = project.name, _main_term(project) or ("这项技术" if lang == "zh" else "it")
    if lang == "zh":
        return _Derived(
            question=f"你在「{name}」项目里用了 {term}：为什么选它而不是别的方案？"
            "效果是怎么衡量的？",
            points=[
                f"说明「{name}」要解决的问题和约束（数据、算力、时延等）",
                f"讲清 {term} 的原理，以及在项目里具体怎么用",
                "对比至少一种替代方案，说明取舍和没选它的原因",
                "用量化指标或实验（如召回率、准确率、显存）说明效果",
            ],
        )
    return _Derived(
        question=f"In '{name}' you used {term}: why it rather than an alternative, "
        "and how did you measure the effect?",
        points=[
            f"the problem '{name}' solved and its constraints (data, compute, latency)",
            f"how {term} works and how the project used it",
            "at least one alternative compared, with the trade-off",
            "the effect in numbers or experiments (recall, accuracy, memory)",
        ],
    )


def describe(entries: Sequence[Entry]) -> str:
    """The questions and their derived key points, as the candidate sees them."""
    lines = []
    for e in entries:
        lines.append(f"  [{e.id}] {e.question}")
        lines += [f"      · {p.point}" for p in e.rubric]
    return "\n".join(lines)
