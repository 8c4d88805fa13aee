"""A Chinese CV as a real PDF (printed by Debian's Chromium, so it has a real text
layer) aims a real `mianshi interview` at its topics and gives its projects (also in a
超级简历-style layout); a scan without text, a DOCX and other files are read or
refused with a clear message."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from agent.errors import UserError
from agent.profile.focus import from_documents
from agent.profile.read import read_document

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")

CV_HTML = (
    '<html><head><meta charset="utf-8"></head>'
    "<body style=\"font-family: 'WenQuanYi Zen Hei'\">"
    "<h1>李雷 · 大模型算法工程师</h1><h2>技能</h2>"
    "<p>Python、PyTorch、LoRA / QLoRA 微调、RAG 检索增强生成、Milvus 向量数据库、"
    "BM25 召回、reranker 重排</p><h2>项目经历</h2>"
    "<p>企业知识库问答（RAG）：用 LangChain 搭建检索增强生成，向量检索加重排，召回率提升 12%。</p>"
    "<p>医疗对话模型：用 LLaMA-Factory 对 Qwen 做 LoRA 指令微调（SFT），QLoRA 把显存降到 24G。</p>"
    "</body></html>"
)


def _pdf(tmp_path: Path, html: str = CV_HTML) -> Path:
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed (make browser-deps)")
    from playwright import sync_api

    out = tmp_path / f"cv-{len(html)}.pdf"
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page()
        page.set_content(html)
        page.pdf(path=str(out))
        browser.close()
    return out


def test_a_pdf_cv_aims_the_interview_at_its_topics(tmp_path: Path) -> None:
    cv = _pdf(tmp_path)
    assert "检索增强生成" in read_document(cv)
    found = from_documents(cv, None)
    assert list(found.weights)[:2] == ["RAG与检索", "微调与PEFT"]
    with socket.socket() as sock:  # no model is needed: every question is skipped
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}/v1"
    env = {**os.environ, "MIANSHI_LLM_BASE_URL": dead, "MIANSHI_DATA_DIR": str(tmp_path)}
    env["MIANSHI_CONFIG"] = str(tmp_path / "none.toml")
    report = tmp_path / "report.json"
    done = subprocess.run(
        [sys.executable, "-m", "agent.cli.main", "interview", "--cv", str(cv), "--questions",
         "5", "--follow-ups", "0", "--seed", "3", "--report", str(report)],
        input="跳过\n" * 5, cwd=REPO, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "RAG与检索 1.00" in done.stderr and "reranker" in done.stderr  # the focus is shown
    turns = json.loads(report.read_text(encoding="utf-8"))["turns"]
    topics = [t["topic"] for t in turns]
    assert len(topics) == 5
    assert sum(t in ("RAG与检索", "微调与PEFT") for t in topics) >= 4, topics
    # the model is down: the project questions come from the templates all the same
    projects = [t for t in turns if t["origin"] == "project"]
    assert [t["project"] for t in projects] == ["企业知识库问答", "医疗对话模型"]
    assert all(t["project"] in t["question"] for t in projects)
    assert "项目深挖题" in done.stderr and "[cv-" in done.stderr  # shown before it starts
    assert "不由模型编写" in report.with_suffix(".md").read_text(encoding="utf-8")


SUPER_RESUME_HTML = (
    '<html><head><meta charset="utf-8"><style>'
    "body{font-family:'WenQuanYi Zen Hei';font-size:13px}"
    ".row{display:flex;justify-content:space-between}</style></head><body>"
    "<h1>王小明</h1><div>138-0000-0000 · 求职意向：大模型算法工程师</div>"
    "<h2>专业技能</h2><p>Python、PyTorch；熟悉 RAG、LoRA 微调、vLLM 部署</p><h2>项目经历</h2>"
    '<div class="row"><b>企业知识库问答助手「QiaoDoc」</b><span>算法负责人</span>'
    "<span>2024.03 – 2025.06</span></div><p>面向公司 3 万篇内部文档的问答助手。</p>"
    "<ul><li>检索层用 BM25 和 bge-m3 做 RRF 融合，再用 bge-reranker 精排，解决专有名词和编号"
    "查询召回不到的问题，线上灰度两周后全量</li>"
    "<li>构建 500 条人工标注评测集，Recall@5 从 71% 提升到 89%</li></ul>"
    '<div class="row"><b>客服对话模型「SmartReply」LoRA 微调</b>'
    "<span>2023.07 – 2024.02</span></div>"
    "<ul><li>基于 Qwen2-7B 用 LoRA 做指令微调，数据 4 万条人工改写对话</li>"
    "<li>人工评测满意度从 3.6 提升到 4.2（5 分制）</li></ul>"
    '<h2>教育背景</h2><div class="row"><span>某大学 计算机科学 硕士</span>'
    "<span>2020.09 – 2023.06</span></div></body></html>"
)


def test_a_super_resume_style_pdf_gives_its_projects_and_their_questions(tmp_path: Path) -> None:
    """Titles beside their role and dates (a flex row), bullets drawn, not typed: the
    two projects, clean names, each with its own bullets; their questions from the
    templates in milliseconds."""
    import time

    from agent.interview.state import InterviewConfig
    from agent.profile.project_questions import candidates, with_projects

    text = read_document(_pdf(tmp_path, SUPER_RESUME_HTML))
    projects = candidates(text)
    assert [p.name for p in projects] == [
        "企业知识库问答助手「QiaoDoc」",
        "客服对话模型「SmartReply」LoRA 微调",
    ]
    assert "RRF" in projects[0].text and "RRF" not in projects[1].text
    started = time.perf_counter()
    entries = with_projects(InterviewConfig(), [p.name for p in projects], text).projects
    print(f"2 project questions in {(time.perf_counter() - started) * 1000:.1f} ms")
    assert (
        "「QiaoDoc」" in entries[0].question and "BM25 和 bge-m3 做 RRF 融合" in entries[0].question
    )
    assert any("Recall@5 从 71% 提升到 89%" in p.point for p in entries[0].rubric)


def test_a_scanned_pdf_is_refused_with_what_to_do(tmp_path: Path) -> None:
    scan = tmp_path / "scan.pdf"
    image = Image.new("RGB", (600, 800), "white")
    ImageDraw.Draw(image).rectangle((50, 50, 550, 120), fill="black")  # "text" as pixels
    image.save(scan)
    with pytest.raises(UserError, match="no text layer"):
        read_document(scan)


def test_docx_markdown_gb18030_and_bad_files(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("岗位要求：熟悉 RAG、向量检索与重排，有 LoRA 微调经验。")
    document.save(str(tmp_path / "jd.docx"))
    assert "向量检索" in read_document(tmp_path / "jd.docx")
    (tmp_path / "cv.md").write_text("# 简历\n- 熟悉 Agent 与工具调用\n", encoding="utf-8")
    assert "工具调用" in read_document(tmp_path / "cv.md")
    (tmp_path / "cv.txt").write_bytes("熟悉量化部署".encode("gb18030"))
    assert read_document(tmp_path / "cv.txt") == "熟悉量化部署"
    (tmp_path / "cv.rtf").write_text("{\\rtf1}", encoding="ascii")
    with pytest.raises(UserError, match="unsupported format"):
        read_document(tmp_path / "cv.rtf")
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4 not really")
    with pytest.raises(UserError, match=r"could not be read as a PDF|no text"):
        read_document(tmp_path / "broken.pdf")
    (tmp_path / "empty.txt").write_text("  \n", encoding="utf-8")
    with pytest.raises(UserError, match="no text"):
        read_document(tmp_path / "empty.txt")


def test_encrypted_pdfs_and_a_fake_docx(tmp_path: Path) -> None:
    from pypdf import PdfReader, PdfWriter

    cv = _pdf(tmp_path)
    for user_password, readable in (("", True), ("secret", False)):
        writer = PdfWriter(clone_from=PdfReader(str(cv)))
        writer.encrypt(user_password=user_password, owner_password="owner", algorithm="RC4-128")
        locked = tmp_path / f"locked-{readable}.pdf"
        with locked.open("wb") as fh:
            writer.write(fh)
        if readable:  # only permissions restricted: it opens with the empty password
            assert "检索增强生成" in read_document(locked)
        else:
            with pytest.raises(UserError, match="password-protected"):
                read_document(locked)
    (tmp_path / "cv.docx").write_text("not a zip at all", encoding="utf-8")
    with pytest.raises(UserError, match="could not be read as a DOCX"):
        read_document(tmp_path / "cv.docx")


def test_a_docx_job_description_shifts_selection_to_its_requirements(tmp_path: Path) -> None:
    import random

    import docx

    from agent.bank import load_bank
    from agent.interview.selection import choose_next

    jd = tmp_path / "jd.docx"
    document = docx.Document()
    for line in (
        "岗位：大模型推理部署工程师",
        "要求：熟悉 vLLM、TensorRT 等推理框架的部署；掌握 GPTQ / AWQ / INT8 量化；",
        "有模型蒸馏与服务化经验，了解 KV cache、PagedAttention、投机采样等推理优化。",
    ):
        document.add_paragraph(line)
    document.save(str(jd))
    found = from_documents(None, jd)
    assert next(iter(found.weights)) == "量化与部署"
    bank = load_bank()

    def topics(focus: dict[str, float]) -> list[str]:
        asked: list[str] = []
        seen: list[str] = []
        rng = random.Random(11)
        for _ in range(5):
            entry = choose_next(
                bank, role="engineering", difficulty=2, band=2, asked_ids=asked,
                asked_topics=seen, focus=focus, rng=rng,
            )  # fmt: skip
            assert entry is not None
            asked.append(entry.id)
            seen.append(entry.topic)
        return seen

    aimed = ("量化与部署", "注意力与推理优化")
    with_jd = sum(t in aimed for t in topics(found.weights))
    without = sum(t in aimed for t in topics({}))
    assert with_jd >= 4 and with_jd > without
