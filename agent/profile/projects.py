"""The candidate's projects, found in a CV's text deterministically.

A CV lists its projects under a heading (项目经历, 项目经验, Projects …). Each item
starts on a bullet or with ``NAME：`` and runs until the next item or the next section
heading; PDF text wraps long items, so a line that starts neither continues the item
before it. A CV without such a heading gives no projects (the interview then keeps to
the bank).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from agent.profile.topics import matched_terms

#: At most this many projects are asked about.
MAX_PROJECTS = 3
MAX_NAME_CHARS = 30

_HEADING = r"(?:#+\s*)?(?:[一二三四五六七八九十\d]+[、.．]\s*)?"
_PROJECTS = re.compile(
    _HEADING + r"(项目经历|项目经验|项目|主要项目|projects?|project experience)\s*[:：]?\s*$",
    re.IGNORECASE,
)
_SECTION = re.compile(
    _HEADING
    + r"(工作经历|工作经验|实习经历|教育背景|教育经历|专业技能|技能|技术栈|荣誉奖项|获奖|论文|"
    r"自我评价|个人评价|个人信息|联系方式|education|experience|work experience|skills|"
    r"awards|publications|summary|about me)\s*[:：]?\s*$",
    re.IGNORECASE,
)
_BULLET = re.compile(r"^\s*(?:[-*•·●▪◦]|\d+[.、)）]|[（(]\d+[)）])\s*")
_NAMED = re.compile(rf"^(?P<name>[^：:，。,;；]{{2,{MAX_NAME_CHARS}}})[：:]\s*(?P<rest>.+)$")


@dataclass(frozen=True)
class Project:
    name: str
    text: str  # the CV's description of it, name included

    @property
    def terms(self) -> dict[str, list[str]]:
        """Topic → the bank-topic words the description names."""
        return matched_terms(self.text)

    @property
    def topic(self) -> str | None:
        """The topic the description names most terms of (None: no bank topic)."""
        terms = self.terms
        return max(terms, key=lambda t: len(terms[t])) if terms else None


def find_projects(cv_text: str) -> list[Project]:
    """The projects the CV lists (at most ``MAX_PROJECTS``, in the CV's order)."""
    items: list[list[str]] = []
    inside = False
    for raw in cv_text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if _PROJECTS.match(line):
            inside = True
            continue
        if _SECTION.match(line):
            inside = False
            continue
        if not inside:
            continue
        bare = _BULLET.sub("", line)
        if bare != line or _NAMED.match(bare) or not items:
            items.append([bare])
        else:
            items[-1].append(bare)  # a wrapped line of the item before
    projects = [_project("".join(_join(parts))) for parts in items]
    return [p for p in projects if p is not None][:MAX_PROJECTS]


def _join(parts: list[str]) -> list[str]:
    """Wrapped lines joined: Latin words keep a space between them, CJK text none."""
    out: list[str] = []
    for part in parts:
        if out and out[-1][-1:].isascii() and part[:1].isascii():
            out.append(" ")
        out.append(part)
    return out


def _project(text: str) -> Project | None:
    text = text.strip()
    if len(text) < 6:
        return None
    named = _NAMED.match(text)
    if named:
        name = named["name"].strip()
    else:  # the first clause names it
        name = re.split(r"[，,。；;（(]", text, maxsplit=1)[0].strip()
        if len(name) > MAX_NAME_CHARS:  # cut at a word's end, not inside one
            cut = name[: MAX_NAME_CHARS + 1]
            name = cut[: cut.rfind(" ")] if " " in cut else cut[:MAX_NAME_CHARS]
    name = re.sub(r"[（(][^）)]*[）)]$", "", name).strip(" *_`") or name
    return Project(name=name, text=text)
