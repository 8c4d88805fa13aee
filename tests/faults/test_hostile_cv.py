"""A hostile CV or job description is refused quickly, with the limit it broke named,
before it can exhaust CPU or memory: a DOCX zip bomb (a 180 KB file holding 40 MiB
of XML), a DOCX of hundreds of thousands of empty paragraphs, a PDF of 5,000 pages,
a text of more characters than any CV, a PDF whose one page takes seconds to parse
(the worker is killed at the time limit) or more memory than allowed. Each file is
read once: asking again gives the cached answer without a second worker."""

from __future__ import annotations

import io
import subprocess
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docx
import pytest
from pypdf import PageObject, PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

from agent.errors import UserError
from agent.profile import read
from agent.profile.read import Limits, read_document

#: Refused "quickly": far below what the old reader took (58–74 s), with room for a
#: loaded 2-core machine.
QUICK_S = 10.0


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    read.forget()
    yield
    read.forget()


def _docx_with_body(path: Path, paragraph: str, megabytes: float) -> Path:
    """A real DOCX whose document.xml repeats ``paragraph`` to ``megabytes`` MiB."""
    buffer = io.BytesIO()
    docx.Document().save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    head, tail = source.read("word/document.xml").decode().split("<w:body>", 1)
    body = paragraph * int(megabytes * 2**20 // len(paragraph.encode()))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as out:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "word/document.xml":
                data = f"{head}<w:body>{body}{tail}".encode()
            out.writestr(info.filename, data)
    return path


def _pdf(path: Path, pages: int, operators: bytes) -> Path:
    """A PDF of ``pages`` pages sharing one content stream (Helvetica text)."""
    writer = PdfWriter()
    font = DictionaryObject({
        NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
        NameObject("/BaseFont"): NameObject("/Helvetica"),
    })  # fmt: skip
    resources = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})}
    )
    stream = DecodedStreamObject()
    stream.set_data(b"BT /F1 11 Tf 14 TL 72 760 Td " + operators + b" ET")
    content = writer._add_object(stream.flate_encode())
    shared = writer._add_object(resources)
    for _ in range(pages):
        page = PageObject.create_blank_page(width=612, height=792)
        page[NameObject("/Resources")] = shared
        page[NameObject("/Contents")] = content
        writer.add_page(page)
    with path.open("wb") as fh:
        writer.write(fh)
    return path


def _refused(path: Path, match: str, **limits: Any) -> float:
    started = time.perf_counter()
    with pytest.raises(UserError, match=match):
        read_document(path, Limits(**limits)) if limits else read_document(path)
    took = time.perf_counter() - started
    print(f"{path.name} ({path.stat().st_size / 1024:.0f} KB) refused in {took:.2f} s")
    return took


def test_a_docx_zip_bomb_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    paragraph = "<w:p><w:r><w:t>企业知识库问答 RAG BM25 LoRA 检索增强生成</w:t></w:r></w:p>"
    bomb = _docx_with_body(tmp_path / "cv.docx", paragraph, 40)
    assert bomb.stat().st_size < 400 * 1024  # small on disk
    took = _refused(bomb, r"cv\.docx unpacks to 40\.\d MiB of document XML; the limit is 4 MiB")
    assert took < QUICK_S


def test_a_docx_of_empty_paragraphs_is_refused_by_its_paragraph_count(tmp_path: Path) -> None:
    empty = _docx_with_body(tmp_path / "jd.docx", "<w:p/>", 3)  # under the XML limit
    took = _refused(empty, r"jd\.docx has [\d,]+ paragraphs; the limit is 20,000")
    assert took < QUICK_S


def test_a_pdf_of_5000_pages_is_refused_by_its_page_count(tmp_path: Path) -> None:
    many = _pdf(tmp_path / "cv.pdf", 5000, b"(Projects) Tj T* (QiaoDoc: RAG with BM25) Tj")
    assert many.stat().st_size < 1024 * 1024
    took = _refused(many, r"cv\.pdf has 5000 pages; the limit is 50 pages")
    assert took < QUICK_S


def test_more_text_than_any_cv_is_refused_by_its_character_count(tmp_path: Path) -> None:
    long = tmp_path / "cv.md"
    long.write_text("## 项目经历\n" + "- 用 LoRA 微调 Qwen，召回率提升 12%。\n" * 12_000, "utf-8")
    _refused(long, r"cv\.md has [\d,]+ characters of text; the limit is 100,000")
    pages = _pdf(tmp_path / "long.pdf", 40, b"(" + b"RAG and LoRA " * 400 + b") Tj")
    _refused(pages, r"long\.pdf has more than 100,000 characters of text; the limit is 100,000")


def test_a_pdf_too_slow_to_parse_is_stopped_at_the_time_limit(tmp_path: Path) -> None:
    slow = _pdf(tmp_path / "cv.pdf", 1, b"(RAG) Tj 0 -1 Td " * 1_800_000)
    took = _refused(slow, r"cv\.pdf took longer than 2 s to read, the limit", max_seconds=2)
    assert took < 2 + QUICK_S / 2  # killed, not waited for


def test_a_pdf_that_needs_too_much_memory_is_stopped_at_the_memory_limit(tmp_path: Path) -> None:
    big = _pdf(tmp_path / "cv.pdf", 1, b"(RAG) Tj 0 -1 Td " * 1_800_000)
    _refused(big, r"cv\.pdf needs more than 200 MiB of memory", max_memory_bytes=200 * 2**20)


def test_each_file_is_read_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runs: list[list[str]] = []
    real = subprocess.run

    def counted(command: list[str], **kwargs: Any) -> Any:
        runs.append(command)
        return real(command, **kwargs)

    monkeypatch.setattr(read.subprocess, "run", counted)
    bomb = _docx_with_body(tmp_path / "cv.docx", "<w:p><w:r><w:t>RAG</w:t></w:r></w:p>", 40)
    for _ in range(3):  # the upload, the project list, the start
        _refused(bomb, "the limit is 4 MiB")
    document = docx.Document()
    document.add_paragraph("项目经历：企业知识库问答，用 BM25 和 RRF 融合。")
    document.save(str(tmp_path / "fine.docx"))
    texts = {read_document(tmp_path / "fine.docx") for _ in range(3)}
    assert len(texts) == 1 and len(runs) == 2  # one worker per file
