"""The candidate's projects, found in a CV's text deterministically.

A CV lists its projects under a heading (项目经历, 项目经验, Projects …; several such
sections are read in turn) until the next section. In a section, a project starts at
its *title* (``cv_lines``): a Markdown heading, a bold line, a ``项目名称：…`` field, a
line with a date range, or a short unmarked line that bullets or fields follow; its
description lines and bullets run until the next title. A section with no title at
all is a list of projects: each bullet or ``NAME：…`` line is one. PDF text wraps long
lines; a line that continues a wrapped one is joined to it. A CV without such a
heading gives no projects (the interview then keeps to the bank).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from agent.profile import cv_lines as cl
from agent.profile.topics import matched_terms

#: At most this many projects are asked about.
MAX_PROJECTS = 3
#: At most this many projects are offered to choose from.
MAX_FOUND = 8
MAX_NAME_CHARS = 30
#: A line at least this wide (and near the section's widest) may have wrapped.
WRAP_MIN_WIDTH = 50

_NAMED = re.compile(rf"^(?P<name>[^：:，。,;；]{{2,{MAX_NAME_CHARS}}})[：:]\s*(?P<rest>.+)$")
_ENDS = re.compile(r"[。！？!?；;.]$")


@dataclass(frozen=True)
class Project:
    name: str
    text: str  # the CV's description of it, its title line first
    #: where it was found: "cv", or "intro" (what the candidate said introducing
    #: themselves, agent/profile/intro.py)
    source: str = "cv"

    @property
    def label(self) -> str:
        """How a question names it: the short name quoted in the title, else the name."""
        return cl.label(self.name)

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
    """The projects the CV lists (at most ``MAX_FOUND``, in the CV's order)."""
    found: list[Project] = []
    for lines in _sections(cv_text):
        for project in _titled(lines) or _listed(lines):
            if all(p.name != project.name for p in found):
                found.append(project)
    return found[:MAX_FOUND]


def _sections(cv_text: str) -> list[list[str]]:
    """The lines under each projects heading, up to the next section."""
    sections: list[list[str]] = []
    current: list[str] | None = None
    level: int | None = None
    bracketed = False
    for raw in cv_text.splitlines():
        line = raw.rstrip()
        if not line.strip():
            continue
        if cl.is_projects_heading(line):
            current = []
            sections.append(current)
            level, bracketed = cl.heading_level(line), line.lstrip()[:1] in "【["
        elif current is not None and cl.ends_section(line, level, bracketed):
            current = None
        elif current is not None:
            current.append(line)
    return sections


def _wrapped(line: str, widest: int) -> bool:
    """Did the text on ``line`` wrap onto the next line (a PDF's long bullet)?"""
    text = line.strip()
    return cl.width(text) >= max(WRAP_MIN_WIDTH, 0.85 * widest) and not _ENDS.search(text)


def _positional_title(lines: list[str], i: int, widest: int) -> str | None:
    """A short unmarked line that bullets, fields or a date line follow, and that does
    not continue a wrapped line: a title in a PDF without marks."""
    line = lines[i]
    if not cl.looks_like_title(line) or i + 1 >= len(lines):
        return None
    nxt = lines[i + 1]
    if not (cl.is_bullet(nxt) or cl.is_field(nxt) or cl.is_date_only(nxt)):
        return None
    if i > 0 and (_wrapped(lines[i - 1], widest) or line[:1].isspace()):
        return None
    name = cl.clean_name(line)
    return name if len(name) >= 2 else None


def _titled(lines: list[str]) -> list[Project]:
    """The section's projects by their titles (none: the section has no title)."""
    widest = max((cl.width(line.strip()) for line in lines), default=0)
    items: list[tuple[str, list[str]]] = []
    level: int | None = None  # the Markdown level of the titles; deeper ones are body
    for i, line in enumerate(lines):
        own = cl.heading_level(line)
        deeper = own is not None and level is not None and own > level
        name = None if deeper else cl.title_name(line) or _positional_title(lines, i, widest)
        if name and own is not None and level is None:
            level = own
        if name:
            items.append((name, [cl.strip_marks(line)]))
        elif items:
            body = items[-1][1]
            joins = len(body) > 1 and not cl.is_bullet(line) and not cl.is_field(line)
            if joins and (line[:1].isspace() or _wrapped(body[-1], widest)):
                body[-1] = "".join(_join([body[-1], cl.strip_marks(line)]))
            else:
                body.append(cl.strip_marks(line))
    return [Project(name=name, text="\n".join(body)) for name, body in items]


def _listed(lines: list[str]) -> list[Project]:
    """A section without titles: each bullet or ``NAME：…`` line is a project, the
    lines after it until the next one its wrapped text."""
    items: list[list[str]] = []
    for raw in lines:
        line = raw.strip()
        bare = cl.BULLET.sub("", line)
        named = _NAMED.match(bare) and not cl.is_field(bare)
        if bare != line or named or not items:
            items.append([bare])
        else:
            items[-1].append(bare)  # a wrapped line of the item before
    projects = [_item("".join(_join(parts))) for parts in items]
    return [p for p in projects if p is not None]


def _join(parts: list[str]) -> list[str]:
    """Wrapped lines joined: Latin words keep a space between them, CJK text none."""
    out: list[str] = []
    for part in parts:
        if out and out[-1][-1:].isascii() and part[:1].isascii():
            out.append(" ")
        out.append(part)
    return out


def _item(text: str) -> Project | None:
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
