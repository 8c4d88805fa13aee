"""Text out of a PDF or DOCX file, run in a worker process with limits.

``read.py`` runs this file as a script (``python -P extract.py SUFFIX PATH LIMITS``)
under a wall-clock timeout; the script caps its own memory and CPU time, then prints
one JSON line: ``{"text": ...}`` or ``{"error": ...}`` (a message naming the limit or
the problem). It imports nothing from ``agent`` so it starts in a fraction of a second.

What is checked before anything is parsed: a DOCX's zip directory (member count, the
unpacked size of its XML parts and of all its members; ``zipfile`` never unpacks a
member past its declared size), a PDF's page count. While extracting: the number of
characters, page by page or paragraph by paragraph.

The DOCX text keeps the structure a CV's reader needs, in document order: Word
headings become Markdown headings (``## …``), a paragraph that is all bold becomes
``**…**``, a list paragraph starts with ``- ``, and a table row becomes lines
(a label cell and its value as ``label：value``, other cells side by side).
"""

from __future__ import annotations

import json
import re
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any


class Refused(Exception):
    """The file is over a limit or unreadable; the message says which and why."""


# --------------------------------------------------------------------------- limits


def limit_resources(memory_bytes: int, cpu_seconds: int) -> None:
    """Cap this process's address space and CPU time (where the OS allows it)."""
    try:
        import resource
    except ImportError:  # not POSIX: the parent's wall-clock timeout still holds
        return
    for kind, value in ((resource.RLIMIT_AS, memory_bytes), (resource.RLIMIT_CPU, cpu_seconds)):
        _soft, hard = resource.getrlimit(kind)
        if hard == resource.RLIM_INFINITY or value < hard:
            resource.setrlimit(kind, (value, hard if hard != resource.RLIM_INFINITY else value))


def _mib(n: int) -> str:
    return f"{n / 2**20:.3g} MiB"


def check_zip(path: Path, limits: dict[str, int]) -> None:
    """Refuse a DOCX whose parts unpack to more than the limits (a zip bomb)."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise Refused(f"{path.name} could not be read as a DOCX file ({exc})") from None
    if len(members) > limits["max_members"]:
        raise Refused(
            f"{path.name} holds {len(members)} parts; the limit is {limits['max_members']}"
        )
    xml = sum(m.file_size for m in members if m.filename.endswith((".xml", ".rels")))
    if xml > limits["max_xml_bytes"]:
        raise Refused(
            f"{path.name} unpacks to {_mib(xml)} of document XML; the limit is "
            f"{_mib(limits['max_xml_bytes'])} (a CV needs far less)"
        )
    total = sum(m.file_size for m in members)
    if total > limits["max_unzipped_bytes"]:
        raise Refused(
            f"{path.name} unpacks to {_mib(total)}; the limit is "
            f"{_mib(limits['max_unzipped_bytes'])}"
        )


class _Budget:
    """Characters extracted so far, refused past the limit."""

    def __init__(self, name: str, limit: int) -> None:
        self.name, self.limit, self.used = name, limit, 0

    def take(self, text: str) -> str:
        self.used += len(text)
        if self.used > self.limit:
            raise Refused(
                f"{self.name} has more than {self.limit:,} characters of text; the limit is "
                f"{self.limit:,} (a CV or job description is far shorter)"
            )
        return text


# --------------------------------------------------------------------------- PDF


def pdf_text(path: Path, limits: dict[str, int]) -> str:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, PyPdfError

    budget = _Budget(path.name, limits["max_chars"])
    try:
        reader = PdfReader(str(path))
        # a PDF that only restricts permissions opens with the empty password
        if reader.is_encrypted and not reader.decrypt(""):
            raise Refused(f"{path.name} is password-protected; save an unprotected copy")
        pages = len(reader.pages)
        if pages > limits["max_pages"]:
            raise Refused(
                f"{path.name} has {pages} pages; the limit is {limits['max_pages']} pages "
                "(a CV or job description is far shorter)"
            )
        text = "\n".join(budget.take(page.extract_text() or "") for page in reader.pages)
    except DependencyError:
        raise Refused(
            f"{path.name} is encrypted (AES); save an unprotected copy or export it as DOCX"
        ) from None
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, RecursionError) as exc:
        raise Refused(f"{path.name} could not be read as a PDF ({exc})") from None
    if len("".join(text.split())) < limits["min_text_chars"] and pages > 0:
        raise Refused(
            f"{path.name} has no text layer (a scanned PDF?): export it from your editor "
            "as a text PDF, or give a DOCX, Markdown or plain-text file"
        )
    return text


# --------------------------------------------------------------------------- DOCX

#: Words a label cell of a Word CV template ends with (项目名称, 项目时间, 责任描述 …).
_LABEL = re.compile(
    r"^(?:.{0,4}(?:名称|时间|描述|职责|角色|内容|成果|背景|技术栈|技术|环境|周期|日期|简介|介绍|业绩|"
    r"亮点)|project(?: name)?|name|role|time|date|duration|description|"
    r"responsibilities|tech(?:nologies| stack)?|results?)\s*[:：]?$|^.{1,10}[:：]$",
    re.IGNORECASE,
)


def docx_text(path: Path, limits: dict[str, int]) -> str:
    check_zip(path, limits)
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    budget = _Budget(path.name, limits["max_chars"])
    try:
        document = docx.Document(str(path))
        _check_paragraphs(path, document, limits["max_paragraphs"])
        styles = _styles(document)
        return "\n".join(budget.take(line) for line in _blocks(document, styles))
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError) as exc:
        raise Refused(f"{path.name} could not be read as a DOCX file ({exc})") from None


def _check_paragraphs(path: Path, document: Any, limit: int) -> None:
    """Refuse a body of more paragraphs than any CV has (python-docx takes tens of
    microseconds for each one), counted at lxml's speed."""
    from docx.oxml.ns import qn

    count = sum(1 for _ in document.element.body.iter(qn("w:p")))
    if count > limit:
        raise Refused(
            f"{path.name} has {count:,} paragraphs; the limit is {limit:,} "
            "(a CV or job description has far fewer)"
        )


def _styles(document: Any) -> dict[str | None, tuple[str, bool]]:
    """Paragraph style id → (name, bold), looked up once (python-docx's own lookup
    searches the styles part for every paragraph); ``None`` is the default style."""
    from docx.enum.style import WD_STYLE_TYPE

    out: dict[str | None, tuple[str, bool]] = {}
    for style in document.styles:
        if style.type != WD_STYLE_TYPE.PARAGRAPH:
            continue
        entry = (str(style.name or ""), bool(style.font.bold))
        out[style.style_id] = entry
        if style.element.default:
            out[None] = entry
    return out


def _blocks(container: Any, styles: dict[str | None, tuple[str, bool]]) -> Iterator[str]:
    """Lines of the document's (or a cell's) paragraphs and tables, in order."""
    from docx.table import Table

    for block in container.iter_inner_content():
        if isinstance(block, Table):
            for row in block.rows:
                yield from _row(row, styles)
        else:
            line = _paragraph(block, styles)
            if line:
                yield line


def _paragraph(paragraph: Any, styles: dict[str | None, tuple[str, bool]]) -> str:
    text = paragraph.text.strip()
    if not text:
        return ""
    p_pr = paragraph._p.pPr
    style_id = p_pr.pStyle.val if p_pr is not None and p_pr.pStyle is not None else None
    style, style_bold = styles.get(style_id) or styles.get(None) or ("", False)
    heading = re.match(r"(?:heading|标题)\s*(\d)", style, re.IGNORECASE)
    if heading:
        return f"{'#' * int(heading[1])} {text}"
    if (p_pr is not None and p_pr.numPr is not None) or style.lower().startswith("list"):
        return f"- {text}"
    runs = [r for r in paragraph.runs if r.text.strip()]
    if runs and all(r.bold or (r.bold is None and style_bold) for r in runs):
        return f"**{text}**"
    return text


def _row(row: Any, styles: dict[str | None, tuple[str, bool]]) -> list[str]:
    """A table row as lines: ``label：value`` pairs, other one-line cells side by side
    (two spaces apart), a cell of several lines as its lines."""
    cells: list[list[str]] = []
    seen: set[int] = set()
    for cell in row.cells:
        if id(cell._tc) in seen:  # a merged cell repeats
            continue
        seen.add(id(cell._tc))
        cells.append(list(_blocks(cell, styles)))
    out: list[str] = []
    side: list[str] = []
    i = 0
    while i < len(cells):
        lines = cells[i]
        if len(lines) == 1 and i + 1 < len(cells) and _LABEL.match(lines[0]):
            out += ["  ".join(side)] if side else []
            side = []
            value = cells[i + 1] or [""]
            out += [f"{lines[0].rstrip(':：')}：{value[0]}", *value[1:]]
            i += 2
            continue
        if len(lines) == 1:
            side.append(lines[0])
        elif lines:
            out += ["  ".join(side)] if side else []
            side = []
            out += lines
        i += 1
    return out + (["  ".join(side)] if side else [])


# --------------------------------------------------------------------------- main


def main(argv: list[str]) -> int:
    suffix, name, raw = argv
    limits: dict[str, int] = json.loads(raw)
    limit_resources(limits["max_memory_bytes"], limits["max_cpu_seconds"])
    path = Path(name)
    try:
        text = pdf_text(path, limits) if suffix == ".pdf" else docx_text(path, limits)
        out: dict[str, str] = {"text": text}
    except Refused as exc:
        out = {"error": str(exc)}
    except MemoryError:
        out = {
            "error": f"{path.name} needs more than {_mib(limits['max_memory_bytes'])} of "
            "memory to read, the limit (a CV needs far less)"
        }
    except Exception as exc:  # a parser's own failure on a malformed file
        out = {"error": f"{path.name} could not be read ({type(exc).__name__}: {exc})"}
    sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
