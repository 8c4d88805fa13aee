"""CVs in the layouts Chinese (and English-writing) candidates use, each with the
projects a reader must find in it: Markdown, text as pypdf gives it from a PDF,
and DOCX files built with python-docx (paragraphs, Word bullets, template tables).

``CASES`` maps a case name to (CV text, expected project names); the DOCX builders
write files whose text (through ``read_document``) must give ``DOCX_EXPECTED``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

# The issue's CV: ### titles with a short name in 「」 and a date range, bullets.
MARKDOWN_ISSUE = """# 王小明 · 大模型算法工程师
138-0000-0000 | xm@example.com

## 专业技能
- Python、PyTorch、Transformers；熟悉 RAG、LoRA 微调、vLLM 部署

## 工作经历
### 某科技公司 · 算法工程师（2023.07 – 至今）
- 负责企业知识库问答与客服模型

## 项目经历
### 企业知识库问答助手「QiaoDoc」（2024.03 – 2025.06）
面向公司 3 万篇内部文档的问答助手，日均 2000 次提问。
- 检索层用 BM25 和 bge-m3 做 RRF 融合，再用 bge-reranker 精排
- 构建 500 条人工标注评测集，Recall@5 从 71% 提升到 89%
- 答案生成加引用校验，幻觉率从 18% 降到 6%
### 客服对话模型「SmartReply」LoRA 微调（2023.07 – 2024.02）
- 基于 Qwen2-7B 用 LoRA 做指令微调，数据 4 万条人工改写对话
- 用 QLoRA 把训练显存降到 24G，单卡 A100 完成训练
- 人工评测满意度从 3.6 提升到 4.2（5 分制）

## 教育背景
- 某大学 计算机科学 硕士（2020 – 2023）
"""
MARKDOWN_ISSUE_PROJECTS = ["企业知识库问答助手「QiaoDoc」", "客服对话模型「SmartReply」LoRA 微调"]

# 超级简历-style PDF, as pypdf extracts it: the title, role and dates on one line,
# 项目描述 / 主要职责 fields, numbered duties, long lines wrapped.
SUPER_RESUME_PDF = """李华
求职意向：大模型算法工程师 | 北京
教育经历
北京某大学 计算机技术 硕士 2021.09 - 2024.06
项目经历
智能客服问答系统 算法工程师 2023.03 - 2023.12
项目描述：为电商客服搭建基于 RAG 的问答系统，覆盖 12 万条商品知识和售后规则，日均调
用 5 万次。
主要职责：
1. 设计混合检索：Milvus 向量检索与 Elasticsearch 关键词检索双路召回，召回率提升 15%
2. 用 LangChain 编排多轮对话与工具调用，接入订单查询接口
大模型推理服务优化 核心开发 2022.06 - 2023.02
项目描述：公司内部大模型推理平台的性能优化。
主要职责：
1. 用 vLLM 替换 HuggingFace 原生推理，PagedAttention 让吞吐提升 3 倍
2. 对 Qwen-14B 做 AWQ INT4 量化，显存从 28G 降到 10G，P99 延迟降低 40%
专业技能
Python、PyTorch、vLLM、LangChain、Milvus
"""
SUPER_RESUME_PDF_PROJECTS = ["智能客服问答系统", "大模型推理服务优化"]

# A PDF with no marks and no dates on the titles: a short line the bullets follow.
PLAIN_PDF = """张伟 NLP 工程师
项目经验
医疗问诊对话模型
• 基于 ChatGLM3-6B 做 P-Tuning v2 和 LoRA 对比实验，最终选 LoRA，BLEU 提升 4.2
• 构造 3 万条医患对话指令数据，用 GPT-4 生成后人工校验，覆盖 40 个常见科室的问诊场
景与用药咨询
论文检索助手
• 用 FAISS 建向量索引，BM25 补充关键词召回，Top-10 命中率从 62% 提升到 81%
• 用 FastAPI 提供服务并部署在 Docker 中
获奖情况
全国大学生数学建模竞赛二等奖
"""
PLAIN_PDF_PROJECTS = ["医疗问诊对话模型", "论文检索助手"]

# Sections in 【】, projects numbered 项目一：…, dates in brackets.
BRACKETED = """【个人信息】
姓名：赵敏  电话：139-0000-0000
【项目经历】
项目一：金融研报摘要生成（2023.05-2023.11）
项目描述：对券商研报做长文本摘要，单篇 2 万字以上。
技术栈：Qwen-7B、LoRA、DeepSpeed ZeRO-2、ROUGE 评测
个人职责：负责数据清洗和微调实验，ROUGE-L 从 0.31 提升到 0.42。
项目二：合同条款抽取（2022.09-2023.03）
项目描述：用 BERT+CRF 做合同关键条款的命名实体识别，F1 达到 0.91。
【自我评价】
热爱技术，学习能力强。
"""
BRACKETED_PROJECTS = ["金融研报摘要生成", "合同条款抽取"]

# An English CV in Markdown: bold titles with a separator and dates beside them.
ENGLISH = """# Alex Chen — ML Engineer

## Experience
**Acme AI** | Machine Learning Engineer | Jul 2022 – Present
- Built the retrieval stack for customer support

## Projects
**QiaoDoc — enterprise knowledge-base assistant** | Mar 2024 – Jun 2025
- Built hybrid retrieval with BM25 and bge-m3 fused by RRF, reranked with bge-reranker
- Raised Recall@5 from 71% to 89% on a 500-question labelled set
**SmartReply — support chatbot fine-tuning** | Jul 2023 – Feb 2024
- Fine-tuned Qwen2-7B with LoRA on 40k rewritten dialogues; cut GPU memory to 24 GB with QLoRA

## Education
MSc Computer Science, 2020 – 2022
"""
ENGLISH_PROJECTS = ["QiaoDoc", "SmartReply"]

# One project per bullet, the name before a colon (no titles at all).
LISTED = """李雷 · 大模型算法工程师
专业技能
Python、PyTorch、LoRA、RAG
项目经历
企业知识库问答（RAG）：用 LangChain 搭建检索增强生成，向量检索加重排，召回率提
升 12%。
医疗对话模型：用 LLaMA-Factory 对 Qwen 做 LoRA 指令微调（SFT），QLoRA 把显存降到 24G。
教育背景
某大学 计算机硕士
"""
LISTED_PROJECTS = ["企业知识库问答", "医疗对话模型"]

# Markdown with sub-headings inside each project (#### 项目描述 / #### 主要职责) and a
# bold field label: they belong to the project, they are not projects.
MARKDOWN_SUBHEADINGS = """## 项目经验
### 多轮对话意图识别平台 | 2022.07 - 2023.06
#### 项目描述
为智能音箱做多轮意图识别与槽位填充。
#### 主要职责
- 用 BERT 做意图分类，准确率从 86% 提升到 93%
**技术栈**
- PyTorch、Transformers、ONNX
### 语音助手知识问答 | 2021.09 - 2022.06
#### 项目描述
- 用 FAISS 做 FAQ 语义检索，Top-1 命中率 90%
## 获奖
- ACL 2022 Findings 一篇
"""
MARKDOWN_SUBHEADINGS_PROJECTS = ["多轮对话意图识别平台", "语音助手知识问答"]

# No project section: skills and work experience only.
NO_PROJECTS = """陈晨
工作经历
某互联网公司 NLP 工程师 2021.07 - 至今
- 负责搜索 query 理解，用 BERT 做意图识别，准确率 93%
- 参与推荐系统召回优化
专业技能
熟悉 RAG、LoRA、vLLM，做过很多项目。
"""

CASES: dict[str, tuple[str, list[str]]] = {
    "markdown_issue": (MARKDOWN_ISSUE, MARKDOWN_ISSUE_PROJECTS),
    "markdown_subheadings": (MARKDOWN_SUBHEADINGS, MARKDOWN_SUBHEADINGS_PROJECTS),
    "super_resume_pdf": (SUPER_RESUME_PDF, SUPER_RESUME_PDF_PROJECTS),
    "plain_pdf": (PLAIN_PDF, PLAIN_PDF_PROJECTS),
    "bracketed": (BRACKETED, BRACKETED_PROJECTS),
    "english": (ENGLISH, ENGLISH_PROJECTS),
    "listed": (LISTED, LISTED_PROJECTS),
    "no_projects": (NO_PROJECTS, []),
}


# --------------------------------------------------------------------------- DOCX


def word_paragraphs_docx(path: Path) -> Path:
    """A Word CV: Heading 1 sections, bold project titles with dates, Word bullets."""
    import docx

    document = docx.Document()
    document.add_heading("孙悦 · 大模型应用工程师", level=0)
    document.add_heading("项目经历", level=1)
    for title, bullets in (
        ("法律咨询智能体 LawAgent    2024.01 - 2024.08", [
            "用 LangGraph 编排 ReAct 智能体，接入法条检索与案例检索两个工具",
            "工具调用成功率从 78% 提升到 95%，平均响应 2.1 秒",
        ]),
        ("多模态商品理解    2023.03 - 2023.10", [
            "用 CLIP 做图文召回，BLIP-2 生成商品描述",
            "类目识别准确率 92%",
        ]),
    ):  # fmt: skip
        run = document.add_paragraph().add_run(title)
        run.bold = True
        for bullet in bullets:
            document.add_paragraph(bullet, style="List Bullet")
    document.add_heading("教育背景", level=1)
    document.add_paragraph("某大学 软件工程 本科 2016 - 2020")
    document.save(str(path))
    return path


def word_table_docx(path: Path) -> Path:
    """A Word template CV: every section a table, label cells beside their values."""
    import docx

    document = docx.Document()
    table = document.add_table(rows=0, cols=4)

    def row(*cells: str) -> Any:
        found = table.add_row().cells
        for cell, text in zip(found, cells, strict=False):
            cell.text = text
        return found

    heading = row("项目经历")
    heading[0].merge(heading[3])
    for name, time, what, duty in (
        ("代码补全模型微调", "2023.04-2023.09", "对 CodeLlama-7B 做全参微调与 LoRA 对比。",
         "1. 用 DeepSpeed ZeRO-3 在 8 卡上训练\n2. pass@1 从 31% 提升到 38%"),
        ("RLHF 对齐实验", "2022.10-2023.03", "复现 PPO 和 DPO 对齐流程。",
         "1. 训练奖励模型，偏好准确率 72%\n2. DPO 相比 PPO 训练时间缩短 60%"),
    ):  # fmt: skip
        row("项目名称", name, "项目时间", time)
        described = row("项目描述", what)
        described[1].merge(described[3])
        duties = row("责任描述", duty)
        duties[1].merge(duties[3])
    other = document.add_table(rows=1, cols=1)
    other.rows[0].cells[0].text = "教育背景"
    other.add_row().cells[0].text = "某大学 人工智能 硕士"
    document.save(str(path))
    return path


DOCX_EXPECTED = {
    "word_paragraphs": (word_paragraphs_docx, ["法律咨询智能体 LawAgent", "多模态商品理解"]),
    "word_table": (word_table_docx, ["代码补全模型微调", "RLHF 对齐实验"]),
}
