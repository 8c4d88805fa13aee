"""Projects read from CVs in the layouts candidates use (tests/cv_samples.py): each
layout's projects come out as the projects it lists, with clean names — no heading or
bold marks, no date range, no role — and each project keeps its own bullets."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PageObject, PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

from agent.profile import cv_lines
from agent.profile.projects import find_projects
from agent.profile.read import read_document
from tests.cv_samples import CASES, DOCX_EXPECTED, ENGLISH, MARKDOWN_ISSUE


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_layout_gives_its_projects_with_clean_names(case: str) -> None:
    text, expected = CASES[case]
    found = find_projects(text)
    assert [p.name for p in found] == expected
    for project in found:
        assert not any(mark in project.name for mark in ("#", "**", "__", "`"))
        assert not cv_lines.DATE_RANGE.search(project.name)


def test_the_issue_cv_gives_two_projects_each_with_its_own_bullets() -> None:
    qiaodoc, smartreply = find_projects(MARKDOWN_ISSUE)
    assert (qiaodoc.label, smartreply.label) == ("QiaoDoc", "SmartReply")
    assert "BM25 和 bge-m3 做 RRF 融合" in qiaodoc.text and "Recall@5" in qiaodoc.text
    assert "LoRA" not in qiaodoc.text.split("\n", 1)[1]  # the second project's bullets are its own
    assert "QLoRA 把训练显存降到 24G" in smartreply.text and "RRF" not in smartreply.text
    assert (qiaodoc.topic, smartreply.topic) == ("RAG与检索", "微调与PEFT")


@pytest.mark.parametrize("case", sorted(DOCX_EXPECTED))
def test_docx_cvs_give_their_projects(case: str, tmp_path: Path) -> None:
    build, expected = DOCX_EXPECTED[case]
    text = read_document(build(tmp_path / f"{case}.docx"))
    assert [p.name for p in find_projects(text)] == expected


def _english_pdf(path: Path) -> Path:
    """The English CV as a PDF with a text layer (Helvetica, no marks): the titles are
    known only by their dates."""
    lines = [
        "Alex Chen - ML Engineer",
        "PROJECTS",
        "QiaoDoc - enterprise knowledge-base assistant      Mar 2024 - Jun 2025",
        "- Built hybrid retrieval with BM25 and bge-m3 fused by RRF",
        "- Raised Recall@5 from 71% to 89% on a 500-question labelled set",
        "SmartReply - support chatbot fine-tuning      Jul 2023 - Feb 2024",
        "- Fine-tuned Qwen2-7B with LoRA on 40k rewritten dialogues",
        "EDUCATION",
        "MSc Computer Science, 2020 - 2022",
    ]
    writer = PdfWriter()
    font = DictionaryObject({
        NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
        NameObject("/BaseFont"): NameObject("/Helvetica"),
    })  # fmt: skip
    page = PageObject.create_blank_page(width=612, height=792)
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})}
    )
    shown = " ".join(f"({line}) Tj T*" for line in lines)
    stream = DecodedStreamObject()
    stream.set_data(f"BT /F1 10 Tf 14 TL 50 750 Td {shown} ET".encode("latin-1"))
    page[NameObject("/Contents")] = writer._add_object(stream)
    writer.add_page(page)
    with path.open("wb") as fh:
        writer.write(fh)
    return path


def test_an_english_pdf_gives_its_projects(tmp_path: Path) -> None:
    text = read_document(_english_pdf(tmp_path / "cv.pdf"))
    found = find_projects(text)
    assert [p.name for p in found] == ["QiaoDoc", "SmartReply"]
    assert "RRF" in found[0].text and "LoRA" in found[1].text
    assert [p.name for p in find_projects(ENGLISH)] == ["QiaoDoc", "SmartReply"]


@pytest.mark.parametrize(
    ("line", "name"),
    [
        ("### 企业知识库问答助手「QiaoDoc」（2024.03 – 2025.06）", "企业知识库问答助手「QiaoDoc」"),
        ("**多模态商品理解**  2023.03 - 2023.10", "多模态商品理解"),
        ("智能客服问答系统 算法工程师 2023.03 - 2023.12", "智能客服问答系统"),
        ("2023.03 - 至今 | 法律咨询智能体 | 技术负责人", "法律咨询智能体"),
        ("项目名称：代码补全模型微调", "代码补全模型微调"),
        ("项目二：合同条款抽取（2022.09-2023.03）", "合同条款抽取"),
        ("SmartReply — support chatbot | Jul 2023 – Present", "SmartReply"),
        ("客服对话模型 [2023年7月 - 2024年2月]", "客服对话模型"),
        ("QiaoDoc | 03/2024 – 06/2025", "QiaoDoc"),
        ("医疗问诊助手  2023/3 ~ 至今", "医疗问诊助手"),
    ],
)
def test_a_title_line_gives_a_clean_name(line: str, name: str) -> None:
    assert cv_lines.title_name(line) == name


@pytest.mark.parametrize(
    "heading",
    [
        "💼 项目经历",
        "■ 项目经验",
        "三、项目经历",
        "【项目经历】",
        "**Projects**",
        "项目经历 PROJECTS",
    ],
)
def test_projects_headings_as_cvs_write_them(heading: str) -> None:
    assert cv_lines.is_projects_heading(heading)


def test_lines_that_are_not_titles() -> None:
    assert cv_lines.title_name("- 检索层用 BM25 和 bge-m3 做 RRF 融合") is None  # a bullet
    assert cv_lines.title_name("项目时间：2023.04-2023.09") is None  # a field
    assert cv_lines.title_name("2021.07 入职后负责搜索，2022.03 - 2023.01 主导召回重构。") is None
    assert cv_lines.title_name("**QiaoDoc**：用 BM25 和 RRF 做混合检索") is None  # a named item
