"""A self-introduction read like a CV, deterministically (no model).

The interview can open with 先做个自我介绍吧. What the candidate says (typed or
transcribed) has no headings or bullets, so projects are found by what they say
instead: a sentence that says the candidate built or worked on something (做了,
负责, 搭建, built, worked on …) and names a bank-topic word (RAG, LoRA …) is a
project's description; the sentences after it that name more of its techniques,
until another project begins (第二个, 另外, another …), belong to it. The project's
name is a quoted name (「QiaoDoc」, "SmartReply"), else a Latin product name beside a
noun such as 系统/助手/平台, else that noun phrase (企业知识库问答系统), else the
technique it names (RAG 项目). Topics are weighted as a CV's are (``topic_weights``),
with a single mention enough in a short introduction. What comes out steers the plan
exactly as a CV would: focus topics and project deep-dives from curated templates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from agent.profile.project_words import techniques
from agent.profile.projects import MAX_PROJECTS, Project
from agent.profile.topics import matched_terms, topic_weights

#: an introduction is read only this far (a pasted CV or a very long speech is cut)
MAX_INTRO_CHARS = 4_000
#: a clause ends at a sentence's or a clause's punctuation (a comma too: one sentence
#: said aloud often runs through several projects)
_CLAUSE = re.compile(r"(?<=[。！？!?；;\n，,])|(?<=\.)\s+")
_STARTS_PROJECT = re.compile(
    r"(第[一二三四五六七八九十\d]+个|另一个|另外一个|还有一个|还做过|也做过|另外|"
    r"\b(?:first|second|third|another|the other|also)\b)",
    re.IGNORECASE,
)
_BUILT = re.compile(
    r"(项目|做了|做过|负责|搭建|开发|实现|主导|参与|落地|上线|设计了|"
    r"\b(?:built|build|developed|worked on|led|designed|implemented|project)\b)",
    re.IGNORECASE,
)
_QUOTED = re.compile(r"[「『“\"《]([^」』”\"》]{2,24})[」』”\"》]")
_CALLED = re.compile(r"(?:\bcalled|\bnamed|叫做?|名为)\s*([A-Za-z][\w-]{2,20})")
_CAMEL = re.compile(r"(?<![A-Za-z0-9])([A-Z][a-z0-9]+(?:[A-Z][a-z0-9]+)+)(?![A-Za-z0-9])")
_NOUN = r"(?:系统|助手|平台|引擎|机器人|问答|框架|工具|服务|模型|应用)"
_PHRASE = re.compile(rf"([\u4e00-\u9fffA-Za-z0-9-]{{2,16}}{_NOUN})")
#: words the noun phrase starts with that are not part of a project's name
_LEAD = re.compile(
    r"^(?:第[一二三四五六七八九十\d]+个(?:项目)?是?|一个|一套|这个|那个|我们的?|我|公司的?|主要|"
    r"还有|另外|另一个|然后|还|也|一些|做了|做过|负责|搭建了?|开发了?|实现了?|参与了?|是|了|的)+"
)


@dataclass(frozen=True)
class Intro:
    projects: list[Project] = field(default_factory=list)
    focus: dict[str, float] = field(default_factory=dict)


def read_intro(text: str) -> Intro:
    """The projects and focus topics a self-introduction names (see module docstring)."""
    text = text.strip()[:MAX_INTRO_CHARS]
    return Intro(projects=_projects(text)[:MAX_PROJECTS], focus=topic_weights(text, min_terms=1))


def _projects(text: str) -> list[Project]:
    """Runs of clauses, each opened by one that says a thing was built (or starts
    another project) and names it or a bank-topic word; the clauses after it that name
    more of the bank's words go with it."""
    runs: list[list[str]] = []
    for clause in (c.strip() for c in _CLAUSE.split(text)):
        if not clause:
            continue
        names_topic = _names_topic(clause)
        cue = _BUILT.search(clause) or _STARTS_PROJECT.search(clause)
        if cue and (names_topic or _own_name(clause)):
            if runs and not _STARTS_PROJECT.search(clause) and not _own_name(clause):
                runs[-1].append(clause)  # more about the same project
            else:
                runs.append([clause])
        elif runs and names_topic:
            runs[-1].append(clause)
    found: list[Project] = []
    for run in runs:
        description = "".join(run) if _cjk(run[0]) else " ".join(run)
        name = _name(run[0], description) if _names_topic(description) else None
        if name and all(p.name != name for p in found):
            found.append(Project(name=name, text=f"{name}\n{description}", source="intro"))
    return found


def _names_topic(text: str) -> bool:
    return bool(matched_terms(text)) or bool(techniques(text))


def _own_name(text: str) -> str | None:
    """A name the candidate gives the thing: quoted, after 叫/called, or CamelCase."""
    for pattern in (_QUOTED, _CALLED, _CAMEL):
        found = pattern.search(text)
        if found:
            return found[1].strip()
    return None


def _name(opening: str, description: str) -> str | None:
    """The project's name (see module docstring); None when nothing names it."""
    short = _own_name(opening) or _own_name(description)
    phrase = _PHRASE.search(opening)
    noun = _LEAD.sub("", phrase[1]) if phrase else ""
    if short and len(noun) >= 3 and short not in noun:
        return f"{noun}「{short}」"
    if short:
        return short
    if len(noun) >= 3:
        return noun
    found = techniques(description)
    if found:
        key = found[0].key
        if not _cjk(description):
            return f"{key} project"
        return f"{key}项目" if _cjk(key) else f"{key} 项目"
    return None


def _cjk(text: str) -> bool:
    return re.search(r"[\u4e00-\u9fff]", text) is not None
