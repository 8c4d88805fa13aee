"""How a line of a CV reads: a section heading, a project's title, a field
(项目描述：…), a bullet; and a title's clean name.

CVs come as Markdown, as text from a PDF (no marks; a title is a line with a date
range, or a short line the bullets follow) and as text from a DOCX (``extract.py``
turns Word headings into ``#``, all-bold paragraphs into ``**…**``, list paragraphs
into ``- …`` and a template's table cells into ``label：value`` lines).
"""

from __future__ import annotations

import re

#: A title's name is at most this long (a longer line is a sentence, not a title).
MAX_TITLE_CHARS = 40

_LEAD = (
    r"^\s*(?:#{1,6}\s*)?(?:[^\w\s*]{1,3}\s*)?(?:\*\*|__)?\s*"
    r"(?:[一二三四五六七八九十\d]+\s*[、.．]\s*)?"
)
_TAIL = r"\s*(?:\*\*|__)?\s*[】\]]?\s*[:：]?\s*(?:\*\*|__)?\s*$"
_EN_PROJECTS = (
    r"(?:(?:selected|personal|research|academic|key|side)\s+)?projects?(?:\s+experience)?"
)
_ZH_PROJECTS = (
    r"(?:项目经历|项目经验|主要项目|项目|科研项目|个人项目|开源项目|校园项目|实践项目|项目作品)"
)
_PROJECTS = re.compile(
    rf"{_LEAD}(?:{_ZH_PROJECTS}(?:\s*[/|｜]?\s*{_EN_PROJECTS})?|{_EN_PROJECTS}){_TAIL}",
    re.IGNORECASE,
)
_OTHER_SECTION = re.compile(
    _LEAD + r"(?:工作经历|工作经验|实习经历|实习经验|教育背景|教育经历|专业技能|技能|技能特长|"
    r"个人技能|荣誉奖项|获奖情况|获奖经历|获奖|荣誉|论文|发表论文|学术成果|证书|资格证书|自我评价|个人评价|"
    r"个人总结|个人信息|基本信息|联系方式|求职意向|校园经历|社团经历|语言能力|兴趣爱好|开源贡献|"
    r"education|experience|work experience|professional experience|employment|internships?|"
    r"skills|technical skills|awards|honou?rs|publications|certifications?|summary|about me|"
    r"contact|interests|languages|open source)"
    r"(?:\s*[/|｜]?\s*[A-Za-z][A-Za-z ]{1,30})?" + _TAIL,
    re.IGNORECASE,
)
_MD_HEADING = re.compile(r"^\s*(#{1,6})\s+(.*)$")
_BRACKETED = re.compile(r"^\s*[【\[][^】\]]{1,16}[】\]]\s*$")
BULLET = re.compile(r"^\s*(?:[-*](?=\s)|[•·●▪◦■◆➢➤►✓✔]|\d{1,2}[.、)）](?!\d)|[（(]\d{1,2}[)）])\s*")
_BOLD = re.compile(r"^(\*\*|__)(?P<bold>.+?)\1(?P<rest>.*)$")
NAME_FIELD = re.compile(
    r"^(?:项目名称|项目名|项目[一二三四五六七八九十\d]+|项目|project name|project|name)"
    r"\s*[:：]\s*(?P<name>.+)$",
    re.IGNORECASE,
)
_FIELD = re.compile(
    r"^(?:项目)?(?:描述|简介|介绍|背景|内容|职责|责任描述|主要职责|个人职责|我的职责|工作内容|主要工作|"
    r"负责内容|技术栈|技术选型|技术|使用技术|开发环境|环境|成果|业绩|亮点|角色|担任角色|职位|时间|周期|"
    r"所在公司|公司|链接|地址|role|description|responsibilities|tech(?:nologies| stack)?|stack|"
    r"results?|achievements?|impact|time|duration|links?|github)\s*[:：]",
    re.IGNORECASE,
)

_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sept?|oct|nov|dec)[a-z]*\.?"
_DATE = (
    rf"(?:{_MONTH}\s*|\d{{1,2}}\s*/\s*)?(?:19|20)\d{{2}}"
    r"(?:\s*(?:[./\-年]\s*\d{1,2}\s*月?|年))?"
)
_NOW = r"(?:至今|今|现在|目前|present|now|current|today)"
DATE_RANGE = re.compile(
    rf"[（(\[【]?\s*{_DATE}\s*(?:[-–—~～至到]|to)\s*(?:{_DATE}|{_NOW})\s*[）)\]】]?",
    re.IGNORECASE,
)
_LONE_DATE = re.compile(rf"[（(\[【]\s*{_DATE}\s*[）)\]】]")
_ROLE = (
    r"(?:工程师|负责人|开发者|核心开发|独立开发|主要开发|核心成员|成员|组长|队长|实习生|研究员|架构师|"
    r"owner|lead|leader|developer|engineer|intern|researcher|maintainer|contributor)"
)
_ROLE_PART = re.compile(rf"^.{{0,10}}?{_ROLE}$", re.IGNORECASE)
_ROLE_TAIL = re.compile(rf"\s+\S{{0,10}}?{_ROLE}$", re.IGNORECASE)
_SEPARATORS = re.compile(r"\s*[|｜丨]\s*|\s{2,}|\t|\s+[—–-]{1,2}\s+")
_SENTENCE = re.compile(r"[。，,；;！？!?]")
_QUOTED = re.compile(r"[「“\"《]([^」”\"》]{2,24})[」”\"》]")


def heading_level(line: str) -> int | None:
    """The Markdown heading level of the line (None: not a Markdown heading)."""
    found = _MD_HEADING.match(line)
    return len(found[1]) if found else None


def is_projects_heading(line: str) -> bool:
    return bool(_PROJECTS.match(line))


def ends_section(line: str, level: int | None, bracketed: bool) -> bool:
    """Does ``line`` start another section, after a projects heading of Markdown level
    ``level`` (or one in 【】 brackets)?"""
    if _OTHER_SECTION.match(line):
        return True
    own = heading_level(line)
    if level is not None and own is not None and own <= level:
        return True
    return bracketed and bool(_BRACKETED.match(line))


def is_bullet(line: str) -> bool:
    return bool(BULLET.match(line))


def is_field(line: str) -> bool:
    """A labelled line of a project's description (项目描述：…, Role: …), or the
    label alone (a ``#### 主要职责`` sub-heading)."""
    text = strip_marks(line)
    return bool(_FIELD.match(text) or _FIELD.match(text.rstrip("：: ") + "："))


def is_date_only(line: str) -> bool:
    found = DATE_RANGE.search(line)
    return bool(found) and not strip_marks(DATE_RANGE.sub("", line)).strip(" |｜·,，-–—")


def strip_marks(line: str) -> str:
    """The line without Markdown heading, bullet, bold and code marks."""
    text = _MD_HEADING.sub(r"\2", line.strip())
    text = BULLET.sub("", text)
    text = re.sub(r"\*\*|__|`", "", text)
    return text.strip()


def clean_name(line: str) -> str:
    """A title's name: no marks, label, date range, role or trailing separators
    (``### 企业知识库问答助手「QiaoDoc」（2024.03 – 2025.06）`` →
    ``企业知识库问答助手「QiaoDoc」``)."""
    text = strip_marks(line)
    named = NAME_FIELD.match(text)
    if named:
        text = named["name"]
    text = _LONE_DATE.sub(" | ", DATE_RANGE.sub(" | ", text))
    parts = [p.strip(" ,，;；:：·•-—–") for p in _SEPARATORS.split(text)]
    parts = [p for p in parts if p and p not in "()（）[]【】"]
    if len(parts) > 1 and _ROLE_PART.match(parts[0]):  # 算法工程师 | 项目名
        parts = parts[1:]
    name = _ROLE_TAIL.sub("", parts[0]) if parts else ""
    return re.sub(r"[（(]\s*[）)]$", "", name).strip(" ,，;；:：·-—–")


def title_name(line: str) -> str | None:
    """The project name when ``line`` is a title by its own look: a Markdown heading,
    a bold line (with at most dates or a role beside it), a 项目名称：… field, or a
    line with a date range. None otherwise."""
    if is_bullet(line) and not heading_level(line):
        return None
    named = NAME_FIELD.match(strip_marks(line))
    if named:
        return _fit(clean_name(line))
    if is_field(line):
        return None
    if heading_level(line):
        return _fit(clean_name(line))
    bold = _BOLD.match(line.strip())
    if bold and _light(bold["rest"]):
        return _fit(clean_name(bold["bold"]))
    if DATE_RANGE.search(line) and not _SENTENCE.search(DATE_RANGE.sub("", line)):
        return _fit(clean_name(line))
    return None


def looks_like_title(line: str) -> bool:
    """A short unmarked line that could name a project (used when bullets follow it)."""
    text = strip_marks(line)
    if is_bullet(line) or is_field(line) or _SENTENCE.search(text) or re.search(r"[:：]", text):
        return False
    cjk = len(re.findall(r"[\u4e00-\u9fff]", text))
    words = len(re.findall(r"[A-Za-z]{2,}", text))
    return len(text) <= MAX_TITLE_CHARS and (cjk >= 2 or words >= 2)


def width(text: str) -> int:
    """The text's printed width: a CJK or full-width character counts two."""
    return len(text) + len(re.findall(r"[\u3000-\u9fff\uff00-\uffef]", text))


def label(name: str) -> str:
    """How a question names the project: the quoted short name in it (QiaoDoc in
    企业知识库问答助手「QiaoDoc」), else the whole name."""
    found = _QUOTED.search(name)
    return found[1].strip() if found else name


def _light(rest: str) -> bool:
    """What follows a bold name on its line is only dates, a role or separators."""
    left = DATE_RANGE.sub("", rest)
    left = _SEPARATORS.sub(" ", left).strip(" |｜·,，-–—()（）")
    return not left or (len(left) <= 20 and not _SENTENCE.search(left) and ":" not in left
                        and "：" not in left)  # fmt: skip


def _fit(name: str) -> str | None:
    return name if 2 <= len(name) <= MAX_TITLE_CHARS else None
