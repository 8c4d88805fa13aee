"""Text out of a CV or a job description: PDF (pypdf), DOCX (python-docx), Markdown or
plain text, Chinese or English. A file that gives no text says why."""

from __future__ import annotations

from pathlib import Path

from agent.errors import UserError

MAX_BYTES = 10 * 1024 * 1024
#: Fewer characters than this from a PDF that has pages: a scan without a text layer.
MIN_TEXT_CHARS = 20
SUFFIXES = (".pdf", ".docx", ".md", ".markdown", ".txt")


def read_document(path: Path | str) -> str:
    """The document's text (``UserError`` with a clear message when there is none)."""
    path = Path(path)
    if not path.is_file():
        raise UserError(f"no such file: {path}")
    if path.stat().st_size > MAX_BYTES:
        raise UserError(f"{path.name} is over {MAX_BYTES // 2**20} MB; a CV is far smaller")
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise UserError(
            f"{path.name}: unsupported format {suffix or '(none)'}; "
            "give a PDF, DOCX, Markdown or plain-text file"
        )
    if suffix == ".pdf":
        text = _pdf(path)
    elif suffix == ".docx":
        text = _docx(path)
    else:
        text = _plain(path)
    text = "\n".join(line.rstrip() for line in text.splitlines()).strip()
    if not text:
        raise UserError(f"{path.name} has no text in it")
    return text


def _pdf(path: Path) -> str:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, PdfReadError

    try:
        reader = PdfReader(str(path))
        # a PDF that only restricts permissions opens with the empty password
        if reader.is_encrypted and not reader.decrypt(""):
            raise UserError(f"{path.name} is password-protected; save an unprotected copy")
        text = "\n".join(page.extract_text() or "" for page in reader.pages)
    except DependencyError:
        raise UserError(
            f"{path.name} is encrypted (AES); save an unprotected copy or export it as DOCX"
        ) from None
    except (PdfReadError, ValueError, KeyError, OSError) as exc:
        raise UserError(f"{path.name} could not be read as a PDF ({exc})") from None
    if len("".join(text.split())) < MIN_TEXT_CHARS and len(reader.pages) > 0:
        raise UserError(
            f"{path.name} has no text layer (a scanned PDF?): export it from your editor "
            "as a text PDF, or give a DOCX, Markdown or plain-text file"
        )
    return text


def _docx(path: Path) -> str:
    import zipfile

    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError) as exc:
        raise UserError(f"{path.name} could not be read as a DOCX file ({exc})") from None
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" ".join(cell.text for cell in row.cells))
    return "\n".join(parts)


def _plain(path: Path) -> str:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UserError(f"{path.name} is neither UTF-8 nor GB18030 text")
