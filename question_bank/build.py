"""Rebuild ``question_bank/bank.yaml`` from the seed texts in ``../shared/seeds``.

    python -m question_bank.build [--seeds DIR] [--out PATH] [--curated DIR] [--quiet]

Parses every seed, normalises the text (NFKC …, see ``agent.bank.clean_text``),
labels each question (topic, roles, difficulty), merges duplicates across seeds,
applies the curated overlays in ``question_bank/curated/*.yaml`` and writes the bank.
It prints every merge it made and every near miss, so a human can check them.
The README next to this file explains ids, labels and the dedup rule.
"""

from __future__ import annotations

import argparse
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from agent.bank import ROLES, TOPICS, Bank, Entry, load_bank
from agent.text import bigrams, clean_text, dice, match_key, normalize_chars

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DEFAULT_SEEDS = REPO.parent / "shared" / "seeds"
DEFAULT_OUT = HERE / "bank.yaml"
DEFAULT_CURATED = HERE / "curated"

#: Two questions are the same question when the character-bigram Dice coefficient of
#: their match keys (NFKC, lower case, letters/digits/CJK only) reaches this value.
MERGE_THRESHOLD = 0.75
#: Texts shorter than this (in match-key characters) merge only when identical:
#: "DPO算法" and "PPO算法" share most bigrams but are different questions.
MIN_FUZZY_CHARS = 12
#: Pairs from this value up to the threshold are printed as near misses.
NEAR_MISS_FLOOR = 0.55

#: Pairs a human judged to be the same question although the wording differs too
#: much for the measure (listed as near misses before): ((seed, locator), (seed, locator)).
MANUAL_MERGES = [
    (("000", "Q261"), ("004", "Q194")),  # R1-Zero 方法扩展到主观领域
    (("000", "Q262"), ("004", "Q195")),  # RL 训练 1000 以内四则运算模型的资源估算
]

#: Which seed's wording and metadata lead a merged entry (first = strongest).
SEED_PRIORITY = ("003", "004", "001", "000", "002")


# =========================================================================== items


@dataclass
class Item:
    """One question as found in one seed."""

    seed: str  # file name
    locator: str
    line: int
    question: str
    section: str = ""  # chapter / heading the question sits under
    raw: str | None = None  # the seed's wording when the question was rephrased
    topic: str | None = None
    roles: list[str] | None = None
    difficulty: int | None = None
    tags: list[str] = field(default_factory=list)
    companies: list[str] = field(default_factory=list)
    rubric: list[str] = field(default_factory=list)
    reference_answer: str | None = None
    follow_ups: list[dict[str, str]] = field(default_factory=list)
    reading: list[dict[str, str]] = field(default_factory=list)
    notes: dict[str, Any] = field(default_factory=dict)
    generated_from_heading: bool = False
    design: bool = False  # a 方案设计 (system design) question
    id_hint: str = ""

    @property
    def prefix(self) -> str:
        return self.seed[:3]


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").split("\n")


# Exact repairs of text the seeds garbled (raw substring -> replacement). Applied
# before normalisation; each one must match, so a changed seed fails loudly.
MATH_FIXES = {
    "000": {
        r"$- 1 / 2 \Lambda _ { \dot { \mathsf { I } } } ^ { \dagger }$": "1/2^i",
        r"${ \mathsf { O } } ( { \mathsf { n } } ^ { 2 } )$": "O(n^2)",
        r"$1 \%$": "1%",
    },
    "004": {
        r"$\approx$": "≈",
        r"$\sqrt{d_k}$": "√d_k",
        r"$512 \times 512$": "512×512",
        r"$12\,288 \times 12\,288$": "12288×12288",
        r"top\_p": "top_p",
        "`</s>`": "</s>",
    },
}


def _apply_fixes(prefix: str, text: str, used: set[str]) -> str:
    for raw, fixed in MATH_FIXES.get(prefix, {}).items():
        if raw in text:
            text = text.replace(raw, fixed)
            used.add(raw)
    return text


def _check_fixes(prefix: str, used: set[str]) -> None:
    missing = set(MATH_FIXES.get(prefix, {})) - used
    if missing:
        raise SystemExit(f"seed {prefix}: expected garbled text not found: {sorted(missing)}")


_RE_SENTENCE = re.compile(r"(?<=[？?。！])(?=\S)")


def question_parts(question: str) -> list[str]:
    """The sentences of a question's first line ("…？…。…？"), in order."""
    first_line = question.split("\n", 1)[0]
    return [p.strip() for p in _RE_SENTENCE.split(first_line) if len(match_key(p)) >= 4]


def _part_follow_ups(question: str) -> list[dict[str, str]]:
    """A multi-part question's later sub-questions (each ending in ？) as follow-ups."""
    parts = question_parts(question)
    return [{"question": p} for p in parts[1:] if p.endswith(("？", "?"))]


# --------------------------------------------------------------------------- 000

# Headings of seed 000 whose (typo'd / page-number-garbled) names are fixed in the
# generated question; the raw heading stays in the locator.
HEADING_NAMES_000 = {
    "DeeSeek R1": "DeepSeek R1",
    "2. Qwen5": "Qwen2.5",  # "2." and "5" are the split-off halves of "2.5"
    "2. # Gemini 5": "Gemini 2.5",
    "# Qwen3": "Qwen3",
    "# Qwen-Embedding 和 Rerank": "Qwen-Embedding 和 Qwen-Rerank",
    "Pytorch": "PyTorch",
    "miluvs/faiss": "Milvus / Faiss",
    "elasticseach": "Elasticsearch",
    "openai-agent": "OpenAI Agents SDK（openai-agents）",
    "mysql": "MySQL",
    "redis": "Redis",
    "kafka": "Kafka",
    "trl": "TRL",
    "langchain": "LangChain",
}
HEADING_TOPICS_000 = {
    "DeepSeek V3 Base": "Transformer架构",
    "DeepSeek R1": "对齐与强化学习",
    "Qwen2.5": "Transformer架构",
    "Qwen-VL": "多模态",
    "Qwen3": "Transformer架构",
    "Qwen-Embedding 和 Qwen-Rerank": "RAG与检索",
    "gpt-oss": "Transformer架构",
    "Gemini 2.5": "多模态",
    "PEFT": "微调与PEFT",
    "TRL": "对齐与强化学习",
    "OpenAI Agents SDK（openai-agents）": "Agent",
    "LangChain": "Agent",
    "Milvus / Faiss": "RAG与检索",
    "Elasticsearch": "RAG与检索",
}

# Seed 000 runs questions 251 and 252 together and scrambles the words of 251's
# example list ("(例如, max_length, , 等),并解释其作用。temperature top_p
# repetition_penalty“重复惩罚”…概率252.的?"). Split and restored by hand:
SPLIT_000 = {
    251: [
        "请列出大语言模型文本生成中常见的 5 个关键参数（例如，max_length、temperature、"
        "top_p、repetition_penalty 等），并解释其作用。",
        "“重复惩罚”参数是为了解决什么问题而引入的？它是如何在生成过程中调整 token 概率的？",
    ]
}


def parse_000(path: Path) -> list[Item]:
    seed = path.name
    used: set[str] = set()
    items: list[Item] = []
    section = ""
    numbered: list[tuple[int, int, str]] = []  # (number, line, text)
    design: list[tuple[int, int, str]] = []
    for lineno, raw in enumerate(_lines(path), 1):
        text = _apply_fixes("000", raw, used)
        stripped = clean_text(text)
        if not stripped:
            continue
        heading = re.match(r"^#\s+(.*)", stripped)
        if heading and not re.match(r"^#\s*Q", stripped) and "Gemini" not in stripped:
            name = heading.group(1).strip()
            if name in ("Qwen3", "Qwen-Embedding 和 Rerank") and section == "模型相关面试题":
                pass  # model names written as headings
            else:
                section = name
                continue
        if section == "大模型 /NLP 面试题" or section == "方案设计":
            target = numbered if section != "方案设计" else design
            m = re.match(r"^(\d+)\.\s*(.*)", stripped)
            if m:
                target.append((int(m.group(1)), lineno, m.group(2)))
            elif target:
                n, ln, prev = target[-1]
                target[-1] = (n, ln, prev + stripped)
            continue
        if section in ("模型相关面试题", "库 / 工具 / 中间件"):
            raw_name = raw.strip()
            name = HEADING_NAMES_000.get(raw_name, clean_text(raw_name))
            kind = "model" if section == "模型相关面试题" else "lib"
            if kind == "model":
                q = f"介绍一下 {name} 的核心设计和主要创新，你在项目中如何使用 {name}？"
            else:
                q = f"介绍一下 {name} 的核心设计，你在项目中如何使用 {name}？"
            slug = re.sub(r"[^0-9a-z]+", "-", match_key_ascii(name)).strip("-")
            items.append(
                Item(
                    seed,
                    f"§{section}/{raw_name}",
                    lineno,
                    q,
                    section=section,
                    topic=HEADING_TOPICS_000.get(name, "工程与工具" if kind == "lib" else None),
                    generated_from_heading=True,
                    id_hint=f"{kind}-{slug}",
                    tags=[name.split("（")[0]],
                )
            )
    _check_fixes("000", used)
    # numbered questions 1-265, with the run-together pair split
    for n, ln, text in numbered:
        texts = SPLIT_000.get(n)
        if texts is not None:
            if f"{n + 1}." not in text:
                raise SystemExit(f"seed 000: question {n} is no longer run together")
            for k, q in enumerate(texts):
                items.append(Item(seed, f"Q{n + k}", ln, q, section="大模型 /NLP 面试题"))
            continue
        items.append(Item(seed, f"Q{n}", ln, clean_text(text), section="大模型 /NLP 面试题"))
    for n, ln, text in design:
        items.append(
            Item(
                seed,
                f"§方案设计 Q{n}",
                ln,
                clean_text(text),
                section="方案设计",
                design=True,
                id_hint=f"design-{n}",
                tags=["方案设计"],
            )
        )
    for it in items:
        if not it.generated_from_heading:
            it.follow_ups = _part_follow_ups(it.question)
    return items


def match_key_ascii(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", "-", text.lower())


# --------------------------------------------------------------------------- 001

_RE_ANSWER_001 = re.compile(r"^(回答|解答)(（[^）]*）)?[:：]")
_BOILERPLATE_001 = re.compile(r"通过准备这些面试题.*$")

# Expository blocks of seed 001 that answer a question the text only implies:
# (first paragraph starts with, include that paragraph?, question, stop before).
BLOCKS_001 = [
    (
        "关于 prompt tuning 和 prefix tuning 在微调上的区别",
        False,
        "prompt tuning 和 prefix tuning 在微调上有什么区别？",
        "大模型评测的常见面试题",
    ),
    (
        "注意力机制（Attention Mechanism）在深度学习",
        True,
        "Attention 是如何计算的？它的参数量主要取决于哪些因素？",
        "大模型位置编码的常见面试题",
    ),
    (
        "Tokenizer 实现方法与原理",
        False,
        "Tokenizer 的主要作用是什么？它通常是如何实现的？",
        "常见面试题及解答建议",
    ),
]


# The paragraphs that open each part of seed 001, and the topic of that part (used
# when no keyword rule matches a question).
SECTIONS_001 = [
    ("大模型相关的面试问题", "预训练与缩放定律"),
    ("Transformer 的常见面试题", "Transformer架构"),
    ("大模型模型结构是", "Transformer架构"),
    ("注意力机制（Attention Mechanism）是", "Transformer架构"),
    ("大模型位置编码的常见面试题", "位置编码"),
    ("大模型的 Tokenizer", "词向量与分词"),
    ("大模型微调是", "微调与PEFT"),
    ("关于 prompt tuning", "微调与PEFT"),
    ("大模型评测的常见面试题", "评测"),
]


def _starts(text: str, marker: str) -> bool:
    """Prefix test on normalised text (so punctuation width does not matter)."""
    return match_key(text).startswith(match_key(marker))


def parse_001(path: Path) -> list[Item]:
    seed = path.name
    paras = [(i, c) for i, t in enumerate(_lines(path), 1) if (c := clean_text(t))]
    items: list[Item] = []

    def text(k: int) -> str:
        return paras[k][1] if 0 <= k < len(paras) else ""

    def is_answer(k: int) -> bool:
        return bool(_RE_ANSWER_001.match(text(k)))

    def is_stop(t: str) -> bool:
        intro = ("面试题" in t and t.endswith("：")) or "以下是" in t
        return intro or "扫码" in t or t.startswith("http")

    k = 0
    section = ""
    while k < len(paras):
        ln, t = paras[k]
        for marker, topic in SECTIONS_001:
            if _starts(t, marker):
                section = topic
        block = next((b for b in BLOCKS_001 if _starts(t, b[0])), None)
        if block is not None:
            marker, include_first, question, stop = block
            body: list[str] = [t] if include_first else []
            k += 1
            while k < len(paras) and not _starts(text(k), stop):
                body.append(text(k))
                k += 1
            items.append(
                Item(
                    seed,
                    f"L{ln}",
                    ln,
                    question,
                    section=section,
                    raw=t,
                    reference_answer=_join_answer(body),
                    generated_from_heading=True,
                )
            )
            continue
        if not is_answer(k + 1) or is_answer(k):
            k += 1
            continue
        question = re.sub(r"^面试题\s*\d+[:：]\s*", "", t)
        answers: list[str] = []
        k += 1
        while k < len(paras):
            a = text(k)
            if is_answer(k):
                answers.append(a)
            elif not answers or is_stop(a):
                break
            elif not answers[-1].endswith(("。", "！", "？")):
                answers[-1] += a  # a PDF line break inside a sentence
            elif is_answer(k + 2) and not is_answer(k + 1):
                answers[-1] += "\n" + a  # a last paragraph before the next question
            else:
                break
            k += 1
        answer = "\n\n".join(
            re.sub(r"^(回答|解答)[:：]", "", _BOILERPLATE_001.sub("", a)).strip() for a in answers
        )
        items.append(
            Item(
                seed,
                f"L{ln}",
                ln,
                question,
                section=section,
                raw=t if question != t else None,
                reference_answer=answer,
            )
        )
    for it in items:
        it.follow_ups = _part_follow_ups(it.question)
    return items


def _join_answer(paras: list[str]) -> str:
    out: list[str] = []
    for p in paras:
        if out and not out[-1].endswith(("。", "！", "？", "：", ":")) and not p.startswith("- "):
            out[-1] += p  # PDF line break in the middle of a sentence
        else:
            out.append(p)
    return "\n".join(_BOILERPLATE_001.sub("", p).strip() for p in out).strip()


# --------------------------------------------------------------------------- 002

SKIP_SECTIONS_002 = {"项目简介", "目录", "贡献指南"}

# Interview wording for knowledge items whose title does not read as a question.
# Key: the item's title after clean_text. The title itself is kept in the source.
QUESTIONS_002 = {
    "梯度裁剪目的、原理、示例代码": "请讲讲梯度裁剪的目的、原理，并给出示例代码。",
    "样本不均衡问题的解决": "样本不均衡问题有哪些解决方法？",
    "机器学习正则化": "机器学习中的正则化是什么？有哪些常用方法？",
    "如何解决测试集和训练集分布差异问题": "如何解决测试集和训练集分布差异问题？",
    "机器学习的分类（有监督无监督）": "机器学习有哪些类别（有监督、无监督等）？各自的特点是什么？",
    "交叉熵损失的推导方式": "请推导交叉熵损失函数。",
    "查全率、查准率等指标的区别": "查全率、查准率等指标有什么区别？",
    "bagging boosting方法": "bagging 和 boosting 方法的原理和区别是什么？",
    "gan vae": "请讲讲 GAN 和 VAE 的原理和区别。",
    "偏差和方差": "什么是偏差和方差？它们与过拟合、欠拟合有什么关系？",
    "模型显存占用分析": "如何分析模型训练时的显存占用？",
    "weight_decay": "weight_decay 是什么？它的作用是什么？",
    "mse损失函数和cross entropy的区别": "MSE 损失函数和 cross entropy 有什么区别？",
    "输入token太长了怎么办": "输入 token 太长了怎么办？",
    "怎么从0搭建一个深度学习模型": "怎么从 0 搭建一个深度学习模型？",
    "大模型训练显存不够一般怎么解决": "大模型训练显存不够一般怎么解决？",
    "gpu对深度学习的作用": "GPU 对深度学习的作用是什么？",
    "学习率 warmup": "什么是学习率 warmup？为什么需要它？",
    "DP和DDP的区别": "DP 和 DDP 有什么区别？",
    "不同优化器的区别": "不同优化器（SGD、Momentum、Adam、AdamW 等）有什么区别？",
    "手撕反向传播": "请手推（手撕）反向传播的计算过程。",
    "常见的超参数的设置": "常见的超参数一般如何设置？",
    "模型参数量的计算": "如何计算模型的参数量？",
    "梯度消失与梯度爆炸": "梯度消失与梯度爆炸的原因是什么？如何解决？",
    "batchsize的选取到底对训练的效果有怎样的影响": "batchsize 的选取到底对训练的效果有怎样的影响？",
    "模型推理占用的显存": "模型推理时占用的显存如何估算？",
    "DataParallel多卡推理": "如何用 DataParallel 进行多卡推理？",
    "L1 loss和L2 loss的区别": "L1 loss 和 L2 loss 有什么区别？",
    "Tokenizer详解 / Tokenizer-huggingface实战": (
        "请详细讲讲 Tokenizer，以及如何用 huggingface 的 Tokenizer 实战。"
    ),
    "独热编码和embedding的区别": "独热编码和 embedding 有什么区别？",
    "CNN处理文本": "如何用 CNN 处理文本？",
    "不同的采样方法": "大模型生成时有哪些不同的采样方法？",
    "模型解码方式": "模型有哪些解码方式？",
    "一文读懂Transformer": "请讲讲 Transformer 的整体结构和原理。",
    "Transformer位置编码": "Transformer 的位置编码是怎样的？",
    "BatchNorm、LayerNorm以及GroupNorm": "BatchNorm、LayerNorm 以及 GroupNorm 有什么区别？",
    "transformers库的基本使用方式": "transformers 库的基本使用方式是怎样的？",
    "safetensor": "safetensors 格式是什么？相比 pickle 格式有什么好处？",
    "位置编码汇总": "请总结常见的位置编码方法。",
    "BERT详解：概念、原理与应用": "请详细讲讲 BERT 的概念、原理与应用。",
    "GPT-3、3.5、4": "GPT-3、GPT-3.5、GPT-4 有哪些演进？",
    "T5模型详解": "请详细讲讲 T5 模型。",
    "不同位置编码的分析": "请分析比较不同的位置编码。",
    "NLP分词算法（总结篇）": "NLP 有哪些分词算法？请总结对比。",
    "对强化学习在LLM中的理解": "谈谈你对强化学习在 LLM 中的理解。",
    "如何获得高质量的训练数据": "如何获得高质量的训练数据？",
    "大语言模型模型对齐的方法": "大语言模型对齐有哪些方法？",
    "模型训练速度受哪些方面影响": "模型训练速度受哪些方面影响？",
    "偏好对齐的理解，有哪些方式": "谈谈你对偏好对齐的理解，有哪些方式？",
    "大模型训练过程学习率一般如何变化的": "大模型训练过程中学习率一般是如何变化的？",
    "训练数据配比": "大模型预训练的数据配比如何确定？",
    "持续预训练、后训练\\大模型的继续训练": "请讲讲持续预训练、后训练（大模型的继续训练）。",
    "序列并行等": "什么是序列并行？",
    "fp16和bf16的区别": "fp16 和 bf16 有什么区别？",
    "高阶矩阵相乘，维度的变化": "高阶矩阵相乘时维度如何变化？",
    "大语言模型的预训练RLHF": "请讲讲大语言模型的预训练和 RLHF。",
    "GPT 4v 4o o1等": "GPT-4V、GPT-4o、o1 等模型各有什么特点？",
    "llama 3.1结构详解": "请详细讲讲 Llama 3.1 的结构。",
    "nsa": "请介绍一下 DeepSeek 的 NSA（Native Sparse Attention）。",
    "KIMI，文心一言，mistral、gemini、grok、claude": (
        "请介绍一下 KIMI、文心一言、mistral、gemini、grok、claude 这些大模型的特点。"
    ),
    "long lora": "请介绍一下 LongLoRA。",
    "各种对齐方法汇总": "请汇总各种对齐方法。",
    "如何处理更长的文本": "大模型如何处理更长的文本？",
    "prefix decoder和causal decoder的区别": "prefix decoder 和 causal decoder 有什么区别？",
    "大模型若干参数的解析": "请解析大模型的若干生成参数。",
    "大模型的性能和哪些因素有关": "大模型的性能和哪些因素有关？",
    "模型压缩与模型蒸馏": "请讲讲模型压缩与模型蒸馏。",
    "激活函数（GeLU、Swish、GLU）的选择与优化": "激活函数（GeLU、Swish、GLU）如何选择与优化？",
    "投机采样（Speculative Sampling）与生成策略（Top-k、Top-p、温度系数）": (
        "请讲讲投机采样（Speculative Sampling）与生成策略（Top-k、Top-p、温度系数）。"
    ),
    "大模型知识注入、持续学习（如何避免灾难性遗忘）": (
        "大模型如何做知识注入和持续学习（如何避免灾难性遗忘）？"
    ),
    "moba": "请介绍一下 MoBA（Mixture of Block Attention）。",
    "如何得到大模型的置信度": "如何得到大模型的置信度？",
    "nsp具体的训练方式": "NSP 具体的训练方式是怎样的？",
    "大模型指令遵循": "如何提升和评估大模型的指令遵循能力？",
    "全参数微调的显存占用": "全参数微调的显存占用如何计算？",
    "多轮对话任务如何微调": "多轮对话任务如何微调？",
    "lora微调的原理": "LoRA 微调的原理是什么？",
    "p-tuning微调的原理": "p-tuning 微调的原理是什么？",
    "不同微调方法的总结": "请总结不同的微调方法。",
    "lora训练项目--IEPile：大规模信息抽取语料库": (
        "请介绍一个 LoRA 训练项目，例如 IEPile（大规模信息抽取语料库）。"
    ),
    "peft库详解": "请详细讲讲 peft 库。",
    "微调方法总结": "请总结各类微调方法的特点。",
    "PILL（Pluggable Instruction Language Learning）、SSF（Scaling & Shifting Your Features）"
    "等其他类型的微调方法": (
        "请介绍 PILL（Pluggable Instruction Language Learning）、SSF（Scaling & Shifting "
        "Your Features）等其他类型的微调方法。"
    ),
    "llama factory": "请介绍一下 LLaMA-Factory 以及如何用它微调模型。",
    "sft指令微调的数据如何构建": "SFT 指令微调的数据如何构建？",
    "灾难性遗忘-增量预训练方法": "增量预训练时如何缓解灾难性遗忘？",
    "微调需要多少条数据": "微调需要多少条数据？",
    "大模型常用的微调数据集": "大模型常用的微调数据集有哪些？",
    "dpo训完了一般输出长度会变化吗？如何解决这个问题": (
        "DPO 训完了一般输出长度会变化吗？如何解决这个问题？"
    ),
    "梯度累积、激活检查点": "请讲讲梯度累积和激活检查点。",
    "介绍一下deepspeed的三个zero的区别": "介绍一下 deepspeed 的三个 ZeRO 阶段的区别。",
    "deepspeed的加速原理": "deepspeed 的加速原理是什么？",
    "介绍一下vllm": "介绍一下 vLLM。",
    "deepspeed库的基本使用方式": "deepspeed 库的基本使用方式是怎样的？",
    "accelerate 库": "请介绍一下 accelerate 库。",
    "SM，SP，warp 等相关概念和关系": "CUDA 中 SM、SP、warp 等相关概念和关系是什么？",
    "cuda加速原理": "CUDA 加速的原理是什么？",
    "hopper架构": "请介绍一下 NVIDIA Hopper 架构。",
    "对于数据并行的理解": "谈谈你对数据并行的理解。",
    "大语言模型LLM基础：推理/不同模型/量化对显存、推理速度和性能的影响": (
        "推理方式、不同模型、量化分别对显存、推理速度和性能有什么影响？"
    ),
    "mla": "请介绍一下 MLA（Multi-head Latent Attention）。",
    "大模型安全包含哪些方面的内容": "大模型安全包含哪些方面的内容？",
    "有什么防护措施": "大模型安全有什么防护措施？",
    "大模型幻觉产生原因和解决方案": "大模型幻觉产生的原因和解决方案有哪些？",
    "知识注入（以llama2-7b为例）": "如何给大模型做知识注入（以 llama2-7b 为例）？",
    "TaD": "请介绍一下 TaD（任务感知解码）方法。",
    "检索增强生成算法介绍": "请介绍一下检索增强生成（RAG）算法。",
    "有哪些检索方式": "RAG 有哪些检索方式？",
    "文本向量模型BGE": "请介绍一下文本向量模型 BGE。",
    "如何从检索的内容中过滤噪声": "如何从检索的内容中过滤噪声？",
    "如何保证生成是基于检索文本的": "如何保证生成是基于检索文本的？",
    "检索文本和内部知识有冲突怎么办": "检索文本和内部知识有冲突怎么办？",
    "graphrag": "请介绍一下 GraphRAG。",
    "生成式检索": "什么是生成式检索？",
    "文本向量化、向量嵌入模型": "请讲讲文本向量化和向量嵌入模型。",
    "向量的维度": "向量嵌入的维度如何选择？有什么影响？",
    "评测的方法和基准": "RAG 评测的方法和基准有哪些？",
    "bleu、ppl、rouge": "请解释 BLEU、PPL、ROUGE 这些评测指标。",
    "常见的大模型评测基准": "常见的大模型评测基准有哪些？",
    "如何评测大模型": "如何评测大模型？",
    "如何评估大模型指令跟随能力": "如何评估大模型的指令跟随能力？",
    "langchain中文文档": "请介绍一下 LangChain 的核心概念和用法。",
    "huggingface TGI": "请介绍一下 huggingface TGI（Text Generation Inference）。",
    "大模型和推荐有什么结合方式？": "大模型和推荐有什么结合方式？",
    "一些code gpt": "请介绍一些代码大模型（code GPT）。",
    "大模型生成数据、数据清洗策略": "如何用大模型生成数据？有哪些数据清洗策略？",
    "大模型记忆": "大模型应用中的记忆（memory）如何实现？",
    "部分应用总结": "请总结大模型的一些典型应用。",
    "大模型+弱监督学习的零样本相关性模型": "如何用大模型+弱监督学习构建零样本相关性模型？",
    "基于弱监督学习的零样本标注方案": "请设计一个基于弱监督学习的零样本标注方案。",
    "magnus": "请介绍一下 magnus 智能体。",
    "git merge和git rebase的区别？": "git merge 和 git rebase 有什么区别？",
    "git 冲突如何解决": "git 冲突如何解决？",
    "流水线并行训练": "什么是流水线并行训练？",
    "minhash原理": "MinHash 的原理是什么？",
    "all reduce": "All-Reduce 是什么？是如何实现的？",
    "容灾": "系统容灾如何设计？",
    "docker基础": "请讲讲 Docker 的基础知识。",
    "code review": "你是如何做 code review 的？",
    "python的迭代器和生成器的区别": "Python 的迭代器和生成器有什么区别？",
    "装饰器": "Python 的装饰器是什么？如何实现？",
    "*args、**kwargs的使用": "Python 中 *args、**kwargs 如何使用？",
    "ab实验，holdout，gsb，评测指标gmv,ucvr": (
        "请解释搜推中的 ab 实验、holdout、gsb，以及评测指标 gmv、ucvr。"
    ),
    "torchrun命令的使用": "torchrun 命令如何使用？",
    "注：可能会在面试过程中考察手撕代码，包括但不限于基本训练代码（MLP+梯度更新）、normalization、"
    "经典模型的forward、损失函数、多头注意力机制": (
        "请手写 PyTorch 代码：基本训练代码（MLP+梯度更新）、normalization、经典模型的 forward、"
        "损失函数或多头注意力机制。"
    ),
}

# What an untitled bare name in a section stands for ("1. 百川" under 其他大模型).
NAME_SECTIONS_002 = {"其他大模型（参考官网资料）", "ChatGPT", "Deep Seek", "大模型智能体"}

_RE_LINK = re.compile(r"\[([^\]]+)\]\(\s*([^)\s]+)\s*\)")
_QWORDS = re.compile(r"(如何|怎么|为什么|哪些|什么|吗|多少|怎样|是否)")


def _cjk_join(a: str, b: str) -> str:
    """Join with a space when one side is Latin and the other Chinese."""
    if a and b and (a[-1].isascii() != b[0].isascii()) and a[-1].isalnum() | b[0].isalnum():
        return f"{a} {b}"
    return a + b


_QUESTIONS_002 = {match_key(k): v for k, v in QUESTIONS_002.items()}
_USED_002: set[str] = set()


def question_002(title: str, section: str) -> str:
    key = match_key(title)
    if key in _QUESTIONS_002:
        _USED_002.add(key)
        return _QUESTIONS_002[key]
    if title.endswith(("？", "?")):
        return title
    if _QWORDS.search(title):
        return title + "？"
    if title.endswith("区别"):
        return title + "是什么？"
    if title.endswith("原理"):
        return _cjk_join("请讲讲", title) + "。"
    if section in NAME_SECTIONS_002:
        return _cjk_join(_cjk_join("请介绍一下", title), "大模型的特点和技术演进。")
    return _cjk_join("请介绍一下", title) + "。"


def parse_002(path: Path) -> list[Item]:
    seed = path.name
    raw_lines = _lines(path)
    # join a markdown link that a line break split: "[t](url\n)"
    joined: list[tuple[int, str]] = []
    for i, t in enumerate(raw_lines, 1):
        if joined and t.strip() == ")" and "](" in joined[-1][1]:
            joined[-1] = (joined[-1][0], joined[-1][1] + ")")
            continue
        joined.append((i, t))
    items: list[Item] = []
    section = sub = ""
    for ln, t in joined:
        s = t.strip()
        if not s:
            continue
        if s.startswith("## "):
            section, sub = clean_text(s[3:]), ""
            continue
        if s.startswith("### "):
            sub = clean_text(s[4:])
            continue
        if s.startswith("# ") or section in SKIP_SECTIONS_002 or not section:
            continue
        body = re.sub(r"^(\d+\.\s*)?(-\s*)?", "", s).strip()
        if not body:
            continue  # an empty list number ("4. ")
        links = _RE_LINK.findall(body)
        if links:
            title = " / ".join(clean_text(t) for t, _u in links)
            reading = [{"title": clean_text(t), "url": u.strip()} for t, u in links]
        else:
            title = clean_text(body)
            reading = []
        where = f"{section} / {sub}" if sub else section
        q = question_002(title, sub or section)
        items.append(
            Item(
                seed,
                f"L{ln}",
                ln,
                q,
                section=where,
                raw=title if q != title else None,
                reading=reading,
                tags=[sub or section],
            )
        )
    unused = set(_QUESTIONS_002) - _USED_002
    if unused:
        raise SystemExit(f"seed 002: QUESTIONS_002 has titles not in the seed: {sorted(unused)}")
    for it in items:  # sub-questions of the seed's own title, not of our phrasing
        it.follow_ups = _part_follow_ups(it.raw or it.question)
    return items


# --------------------------------------------------------------------------- 003

_TOP_003 = {
    "核心考点": "rubric",
    "算法岗回答要点": "algorithm",
    "算法岗深入理解": "algorithm",
    "开发岗回答要点": "engineering",
    "开发岗实际应用": "engineering",
    "延伸问题": "follow_ups",
    "面试技巧": "tips",
    "标准答案": "answer",
    "参考答案": "answer",
    "算法岗加分项": "bonus:算法岗",
    "开发岗加分项": "bonus:开发岗",
    "面试加分点": "bonus:",
}
_PARTS_003 = {"第一部分": "LLM", "第二部分": "VLM", "第三部分": "RLHF"}
_ROLES_003 = [
    ("多模态", "multimodal"),
    ("算法", "algorithm"),
    ("开发", "engineering"),
]


def _roles_003(text: str) -> list[str]:
    if text.startswith("通用"):
        return ["algorithm", "engineering", "general"]
    roles = [r for kw, r in _ROLES_003 if kw in text]
    return roles or ["general"]


def _bullets(block: list[str]) -> list[str]:
    return [
        clean_text(re.sub(r"^\s*(?:[-*]|\d+\.)\s*", "", b)).replace("**", "")
        for b in block
        if b.strip() and re.match(r"^\s*(?:[-*]|\d+\.)\s", b)
    ]


def _block_text(block: list[str]) -> str:
    text = "\n".join(line.rstrip() for line in block).strip("\n")
    # normalise line by line but keep the Markdown layout (code, tables, indentation)
    out = []
    in_code = False
    for line in text.split("\n"):
        indent = line[: len(line) - len(line.lstrip())]
        body = line.strip()
        if body.startswith("```"):
            in_code = not in_code
        verbatim = in_code or body.startswith(("|", "```"))
        out.append(indent + (normalize_chars(body) if verbatim else clean_text(body)))
    return "\n".join(out)


def parse_003(path: Path) -> list[Item]:
    seed = path.name
    lines = _lines(path)
    items: list[Item] = []
    part = ""
    i = 0
    while i < len(lines):
        line = lines[i]
        m_part = re.match(r"^##\s+(第.部分)", line)
        if m_part:
            part = _PARTS_003.get(m_part.group(1), part)
        m = re.match(r"^####\s+Q(\d+)[:：]\s*(.*)", line)
        if not m:
            i += 1
            continue
        qnum, qtext, qline = int(m.group(1)), clean_text(m.group(2)), i + 1
        i += 1
        body: list[str] = []
        while i < len(lines) and not lines[i].startswith(("#### ", "## ", "---")):
            body.append(lines[i])
            i += 1
        item = Item(
            seed,
            f"{part} Q{qnum}",
            qline,
            qtext,
            section=part,
            id_hint=f"{part.lower()}-q{qnum:02d}",
        )
        blocks: dict[str, list[str]] = defaultdict(list)
        current = ""
        for b in body:
            meta = re.match(r"^\*\*(.+?)\*\*\s*[:：]\s*(.*)$", b.strip())
            head = re.match(r"^\*\*(.+?)\*\*\s*(?:[(（].*?[)）])?\s*[:：]\s*$", b.strip())
            if meta and meta.group(1) in ("难度", "岗位", "标签", "公司"):
                key, val = meta.group(1), clean_text(meta.group(2))
                if key == "难度":
                    item.difficulty = max(1, min(3, val.count("⭐")))
                elif key == "岗位":
                    item.roles = _roles_003(val)
                elif key == "标签":
                    item.tags = [t.strip() for t in re.split(r"\s*#", val) if t.strip()]
                elif key == "公司":
                    note = re.search(r"[(（](.*?)[)）]", val)
                    names = re.sub(r"[(（].*?[)）]", "", val)
                    item.companies = [c.strip() for c in re.split(r"[、,，]", names) if c.strip()]
                    if note:
                        item.tags.append(note.group(1))
                continue
            if head and head.group(1) in _TOP_003:
                current = _TOP_003[head.group(1)]
                continue
            if current:
                blocks[current].append(b)
        item.rubric = _bullets(blocks.get("rubric", []))
        notes: dict[str, Any] = {}
        for key in ("algorithm", "engineering"):
            if blocks.get(key):
                notes[key] = _block_text(blocks[key])
        bonus: list[str] = []
        for key, block in blocks.items():
            if key.startswith("bonus:"):
                who = key.split(":", 1)[1]
                bonus += [f"{who}：{b}" if who else b for b in _bullets(block)]
        if bonus:
            notes["bonus"] = bonus
        if blocks.get("tips"):
            notes["tips"] = _bullets(blocks["tips"])
        if blocks.get("answer"):
            item.reference_answer = _block_text(blocks["answer"])
        elif notes.get("algorithm"):
            # no 标准答案 (LLM Q1): the 算法岗 answer points are the fullest answer
            item.reference_answer = notes.pop("algorithm")
        item.notes = notes
        fus: list[dict[str, str]] = []
        for b in blocks.get("follow_ups", []):
            s = b.strip()
            if re.match(r"^-\s*答[:：]", s):
                if fus:
                    fus[-1]["answer"] = clean_text(re.sub(r"^-\s*答[:：]\s*", "", s))
            elif s.startswith("- "):
                fus.append({"question": clean_text(s[2:])})
        item.follow_ups = _part_follow_ups(item.question) + fus
        items.append(item)
    return items


# --------------------------------------------------------------------------- 004

CHAPTER_TOPICS_004 = {
    "第 1 章 大模型简介": "Transformer架构",
    "第 2 章 词元和嵌入": "词向量与分词",
    "第 3 章 LLM 的内部机制": "Transformer架构",
    "第 4 章 文本分类": "文本分类与聚类",
    "第 5 章 文本聚类 and 主题建模": "文本分类与聚类",
    "第 6 章 提示工程": "提示工程与解码",
    "第 7 章 高级文本生成技术与工具": "Agent",
    "第 8 章 语义搜索与 RAG": "RAG与检索",
    "第 9 章 多模态大模型": "多模态",
    "第 10 章 构建文本嵌入模型": "RAG与检索",
    "第 11 章 为分类任务微调表示模型": "微调与PEFT",
    "第 12 章 微调生成模型": "微调与PEFT",
    "图解推理大模型": "对齐与强化学习",
    "DeepSeek-R1": "对齐与强化学习",
}


def parse_004(path: Path) -> list[Item]:
    seed = path.name
    used: set[str] = set()
    items: list[Item] = []
    chapter = ""
    current: Item | None = None
    for lineno, raw in enumerate(_lines(path), 1):
        text = _apply_fixes("004", raw, used)
        s = text.strip()
        if not s:
            continue
        if s.startswith("## "):
            chapter = clean_text(s[3:])
            current = None
            continue
        if s.startswith("# ") or not chapter:
            continue
        m = re.match(r"^Q(\d+)\s*[:：]\s*(.*)", s)
        if m:
            current = Item(seed, f"Q{m.group(1)}", lineno, clean_text(m.group(2)), section=chapter)
            items.append(current)
        elif current is not None:
            if s.startswith("- "):
                current.question += "\n- " + clean_text(s[2:])
            else:
                current.question = clean_text(current.question + s)
    _check_fixes("004", used)
    for it in items:
        it.follow_ups = _part_follow_ups(it.question)
    return items


PARSERS = {"000": parse_000, "001": parse_001, "002": parse_002, "003": parse_003, "004": parse_004}


# =========================================================================== labels

# Ordered keyword rules: the first rule whose pattern occurs in the question sets the
# topic. Seeds that give a topic (003's part, 000's model/library list) win; a
# 方案设计 question is 系统设计. Without a rule match, the seed's chapter decides.
TOPIC_RULES: list[tuple[str, str]] = [
    (
        r"ViT|CLIP|BLIP|Q-Former|多模态|图文|图像|图片|视觉|VLM|语音|Stable Diffusion|"
        r"扩散模型|照片|"
        r"Qwen-VL|GPT-4V|迷宫|图形界面",
        "多模态",
    ),
    (r"位置编码|位置嵌入|RoPE|ROPE|ALiBi|外推|NTK|线性插值|32K", "位置编码"),
    (
        r"词向量|词嵌入|word2vec|Word2Vec|GloVe|分词|词元化|Tokenizer|tokenizer|BPE|WordPiece|子词|"
        r"OOV|溢出词表|词表|句嵌入|句子向量|嵌入层|独热|one-hot|TF_IDF|InferSent|Skip-gram|CBOW|"
        r"分布式语义|上下文相关的嵌入|上下文化嵌入",
        "词向量与分词",
    ),
    (
        r"RAG|检索|召回|重排|rerank|BM25|向量相似度|知识库|嵌入模型|文本向量|向量嵌入|BGE|GraphRAG|"
        r"双编码器|交叉编码器|MTEB|难负例|负例|语义搜索",
        "RAG与检索",
    ),
    (
        r"量化|PTQ|QAT|GPTQ|AWQ|INT8|FP8|部署|vLLM|vllm|TGI|蒸馏|剪枝|模型压缩|safetensors",
        "量化与部署",
    ),
    (
        r"KV ?缓存|KV Cache|k-v cache|FlashAttention|Flash ?Attention|flash attention|"
        r"PagedAttention|"
        r"page attention|MQA|GQA|MHA|MLA|多查询注意力|分组查询注意力|推测解码|投机采样|"
        r"首字延迟|吞吐|"
        r"预填|稀疏注意力|线性注意力|内存带宽|NSA|MoBA|group query|注意力.*复杂度|复杂度.*注意力",
        "注意力与推理优化",
    ),
    (
        r"数据并行|张量并行|流水线并行|模型并行|3D并行|专家并行|序列并行|并行策略|并行训练|ZeRO|"
        r"All-Reduce|all reduce|All-Gather|显存|梯度检查点|激活检查点|混合精度|deepspeed|DualPipe|"
        r"通信|梯度累积|DDP|GPU 对|CUDA|Hopper|fp16|accelerate|torchrun|分布式训练",
        "分布式训练与显存",
    ),
    (
        r"RLHF|PPO|DPO|GRPO|奖励|强化学习|\bRL\b|对齐|偏好|推理模型|R1|PRM|ORM|MCTS|STaR|AlphaZero|"
        r"测试时计算|思维链会越来越长",
        "对齐与强化学习",
    ),
    (
        r"LoRA|lora|PEFT|peft|Adapter|adapter|Prefix-Tuning|prefix tuning|p-tuning|Prompt Tuning|"
        r"prompt tuning|IA3|微调|SFT|sft|llama factory|LLaMA-Factory|SetFit|灾难性遗忘|继续预训练",
        "微调与PEFT",
    ),
    (r"智能体|agent|Agent|工具调用|LangChain|Deep Research", "Agent"),
    (
        r"提示词|提示工程|Prompt|prompt|思维链|自洽性|思维树|温度|temperature|top_p|Top-k|Top-p|"
        r"(?<!拒绝)采样|解码(?!器)|集束搜索|束搜索|Beam|beam|贪婪|贪心|JSON|格式输出|幻觉|重复惩罚|复读机",
        "提示工程与解码",
    ),
    (
        r"评测|评估指标|评估体系|评估大模型|性能评估|BLEU|ROUGE|困惑度|PPL|Chatbot Arena|"
        r"排行榜|A/B|基准",
        "评测",
    ),
    (
        r"预训练|缩放定律|缩放法则|Scaling|scaling|scale law|涌现|Chinchilla|语料|数据质量|"
        r"去重|训练数据|"
        r"退火|学习率一般|The Pile|数据配比|数据多样性|tokens",
        "预训练与缩放定律",
    ),
    (
        r"文本分类|分类任务|分类器|分类系统|分类头|实现分类|直接分类|零样本分类|分类方式|聚类|主题模型|"
        r"主题建模|BERTopic|LDA|情感分析|命名实体|离群值",
        "文本分类与聚类",
    ),
    (
        r"正则化|过拟合|梯度消失|梯度爆炸|Dropout|初始化|优化器|损失函数|交叉熵|反向传播|bagging|boosting|"
        r"偏差|方差|集成学习|逻辑回归|GAN|warmup|weight_decay|batchsize|超参数|拒绝采样|小样本学习|残差网络|"
        r"L1|MSE|CNN|Bi-LSTM",
        "机器学习与深度学习基础",
    ),
    (
        r"Transformer|编码器|解码器|BERT|GPT|T5|注意力|残差|LayerNorm|BatchNorm|RMSNorm|归一化|前馈|"
        r"FFN|激活函数|MoE|专家|Encoder|Decoder|decoder|Llama|llama",
        "Transformer架构",
    ),
    (
        r"git|Python|Docker|Linux|装饰器|迭代器|容灾|code review|transformers 库|MinHash|\*args",
        "工程与工具",
    ),
]
_TOPIC_RULES = [(re.compile(p), t) for p, t in TOPIC_RULES]

SECTION_TOPICS_002 = {
    "机器学习基础": "机器学习与深度学习基础",
    "深度学习基础": "机器学习与深度学习基础",
    "自然语言处理基础": "词向量与分词",
    "Transformer、Bert、GPT系列模型": "Transformer架构",
    "大模型架构与大模型预训练": "预训练与缩放定律",
    "大模型微调": "微调与PEFT",
    "大模型训练与推理加速": "分布式训练与显存",
    "大模型幻觉": "提示工程与解码",
    "大模型评测": "评测",
    "大模型应用与大模型agent": "Agent",
    "其他问题": "工程与工具",
    "pytorch基础": "工程与工具",
}
# 002 sub-sections whose topic is fixed regardless of keywords in the item
SUBSECTION_TOPICS_002 = {
    "检索增强生成": "RAG与检索",
    "大模型安全": "对齐与强化学习",
    "git版本控制": "工程与工具",
    "python基础": "工程与工具",
    "搜推相关": "评测",
    "cuda相关知识": "分布式训练与显存",
    "大模型加速库": "分布式训练与显存",
}

# Roles by topic (documented in README); a question about images/speech adds
# multimodal, a 方案设计 question adds engineering.
TOPIC_ROLES: dict[str, list[str]] = {
    "词向量与分词": ["algorithm", "general"],
    "Transformer架构": ["algorithm", "general"],
    "位置编码": ["algorithm"],
    "注意力与推理优化": ["algorithm", "engineering"],
    "提示工程与解码": ["algorithm", "engineering", "general"],
    "预训练与缩放定律": ["algorithm"],
    "分布式训练与显存": ["algorithm", "engineering"],
    "微调与PEFT": ["algorithm", "engineering"],
    "对齐与强化学习": ["algorithm"],
    "量化与部署": ["engineering", "algorithm"],
    "RAG与检索": ["engineering", "algorithm"],
    "Agent": ["engineering", "algorithm"],
    "多模态": ["multimodal", "algorithm"],
    "评测": ["algorithm", "general"],
    "文本分类与聚类": ["algorithm", "general"],
    "机器学习与深度学习基础": ["algorithm", "general"],
    "工程与工具": ["engineering"],
    "系统设计": ["engineering", "algorithm"],
}

_RE_HARD = re.compile(
    r"设计一个|设计其|估算|推导|预估|需要多少|多少 GPU|多长时间|如何构建|从头|权衡|"
    r"扩展到|证实或证伪|最少需要|计算.*(多少|数量|量)"
)
_RE_EASY = re.compile(r"^(请)?(简述|解释什么是|什么是|请介绍一下|介绍一下|请解释|谈谈)")
_HARD_SECTIONS = {"图解推理大模型", "DeepSeek-R1"}
_EASY_002 = {
    "机器学习基础",
    "深度学习基础",
    "自然语言处理基础",
    "其他问题",
    "pytorch基础",
}


def topic_for(item: Item) -> str:
    if item.topic:
        return item.topic
    if item.design:
        return "系统设计"
    if item.prefix == "002":
        sub = item.section.partition(" / ")[2]
        if sub in SUBSECTION_TOPICS_002:
            return SUBSECTION_TOPICS_002[sub]
    text = item.question + " " + (item.raw or "")
    for pattern, topic in _TOPIC_RULES:
        if pattern.search(text):
            return topic
    if item.prefix == "004":
        return CHAPTER_TOPICS_004.get(item.section, "Transformer架构")
    if item.prefix == "001" and item.section:
        return item.section
    if item.prefix == "002":
        return SECTION_TOPICS_002.get(item.section.partition(" / ")[0], "Transformer架构")
    return "Transformer架构"


def roles_for(item: Item, topic: str) -> list[str]:
    if item.roles:
        return item.roles
    roles = set(TOPIC_ROLES[topic])
    text = item.question
    if topic != "多模态" and _TOPIC_RULES[0][0].search(text):
        roles.add("multimodal")
    if item.design:
        roles.add("engineering")
    if item.prefix == "001" and topic != "多模态":
        roles.add("general")
    return [r for r in ROLES if r in roles]


def difficulty_for(item: Item) -> int:
    if item.difficulty:
        return item.difficulty
    if item.design:
        return 3
    if item.generated_from_heading:
        return 2
    q = item.question
    parts = sum(1 for p in question_parts(q) if p.endswith(("？", "?")))
    if item.prefix == "002":
        return 1 if item.section.partition(" / ")[0] in _EASY_002 else 2
    if item.prefix == "001":
        return 1
    if _RE_HARD.search(q) or parts >= 3 or item.section in _HARD_SECTIONS:
        return 3
    if _RE_EASY.match(q) and parts <= 1 and len(match_key(q)) <= 40:
        return 1
    return 2


# =========================================================================== merge


@dataclass
class Merged:
    items: list[Item]
    merges: list[tuple[float, Item, Item]] = field(default_factory=list)


def _priority(item: Item) -> tuple[int, int]:
    return (SEED_PRIORITY.index(item.prefix), item.line)


def dedup(
    items: list[Item],
) -> tuple[list[list[Item]], list[tuple[float, Item, Item]], list[tuple[float, Item, Item]]]:
    """Group the same question across (and within) seeds.

    Returns the groups (primary first), the merges made and the near misses.
    """
    # compare each seed's own wording (002's titles, not our interview phrasing)
    texts = [match_key(it.raw if it.raw is not None else it.question) for it in items]
    keys = [bigrams(t) for t in texts]
    parent = list(range(len(items)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    merges: list[tuple[float, Item, Item]] = []
    near: list[tuple[float, Item, Item]] = []
    # inverted index on bigrams keeps the pair search near-linear
    index: dict[str, list[int]] = defaultdict(list)
    for i, k in enumerate(keys):
        for g in k:
            index[g].append(i)
    for i, k in enumerate(keys):
        if items[i].generated_from_heading:
            continue
        counts: dict[int, int] = defaultdict(int)
        for g in k:
            for j in index[g]:
                if j > i:
                    counts[j] += 1
        for j, shared in counts.items():
            if items[j].generated_from_heading:
                continue
            score = 2 * shared / (len(k) + len(keys[j]))
            if min(len(texts[i]), len(texts[j])) < MIN_FUZZY_CHARS and texts[i] != texts[j]:
                continue
            if score >= MERGE_THRESHOLD:
                merges.append((score, items[i], items[j]))
                parent[find(j)] = find(i)
            elif score >= NEAR_MISS_FLOOR:
                near.append((score, items[i], items[j]))
    where = {(it.prefix, it.locator): n for n, it in enumerate(items)}
    for a, b in MANUAL_MERGES:
        i, j = where[a], where[b]
        merges.append((-1.0, items[i], items[j]))
        parent[find(j)] = find(i)
    groups: dict[int, list[Item]] = defaultdict(list)
    for i, it in enumerate(items):
        groups[find(i)].append(it)
    out = [sorted(g, key=_priority) for g in groups.values()]
    out.sort(key=lambda g: _sort_key(g[0]))
    return out, merges, near


def _sort_key(item: Item) -> tuple[int, int]:
    return (int(item.prefix), item.line)


def _dedup_follow_ups(fus: list[dict[str, str]], question: str) -> list[dict[str, str]]:
    seen: dict[str, dict[str, str]] = {}
    qkey = match_key(question)
    for f in fus:
        k = match_key(f["question"])
        if not k or k == qkey:
            continue
        if k in seen:
            if f.get("answer") and not seen[k].get("answer"):
                seen[k]["answer"] = f["answer"]
            continue
        seen[k] = dict(f)
    # a sub-question that another seed's wording repeats almost verbatim is one
    out: list[dict[str, str]] = []
    for f in seen.values():
        if any(
            dice(bigrams(match_key(f["question"])), bigrams(match_key(o["question"]))) >= 0.8
            for o in out
        ):
            continue
        out.append(f)
    return out


def make_id(primary: Item) -> str:
    if primary.id_hint:
        return f"{primary.prefix}-{primary.id_hint}"
    loc = primary.locator
    m = re.fullmatch(r"Q(\d+)", loc)
    if m:
        return f"{primary.prefix}-q{int(m.group(1)):03d}"
    m = re.fullmatch(r"L(\d+)", loc)
    if m:
        return f"{primary.prefix}-l{int(m.group(1)):04d}"
    raise ValueError(f"no id rule for {primary.seed} {loc}")


def build_entry(group: list[Item]) -> dict[str, Any]:
    primary = group[0]
    topic_item = next((it for it in group if it.topic), None)
    topic = topic_for(topic_item or primary)
    if any(it.design for it in group) and not topic_item and primary.prefix != "004":
        topic = "系统设计"
    label_item = next((it for it in group if it.roles), primary)
    roles = roles_for(label_item, topic)
    diff_item = next((it for it in group if it.difficulty), None)
    difficulty = difficulty_for(diff_item or primary)
    if any(it.design for it in group):
        difficulty = 3
        roles = sorted(set(roles) | {"engineering"}, key=ROLES.index)
    seed_labelled = any(it.prefix == "003" for it in group)
    tags: list[str] = []
    for it in group:
        for t in it.tags:
            if t and t not in tags:
                tags.append(t)
    companies: list[str] = []
    for it in group:
        companies += [c for c in it.companies if c not in companies]
    sources = []
    for it in group:
        src: dict[str, Any] = {"seed": it.seed, "locator": it.locator, "line": it.line}
        text = it.raw if it.raw is not None else it.question
        if text != primary.question:
            src["text"] = text
        sources.append(src)
    # the primary's sub-questions; another seed's wording of the same parts only when the
    # primary has none (else the same sub-question would appear twice, worded twice)
    fus = primary.follow_ups or [f for it in group[1:] for f in it.follow_ups]
    follow_ups = _dedup_follow_ups(fus, primary.question)
    ref = next((it.reference_answer for it in group if it.reference_answer), None)
    rubric_item = next((it for it in group if it.rubric), None)
    reading: list[dict[str, str]] = []
    for it in group:
        reading += [r for r in it.reading if r not in reading]
    entry: dict[str, Any] = {
        "id": make_id(primary),
        "question": primary.question,
        "topic": topic,
        "roles": roles,
        "difficulty": difficulty,
        "tags": tags,
        "companies": companies,
        "sources": sources,
        "follow_ups": follow_ups,
        "reference_answer": ref,
        "rubric": [{"point": p} for p in rubric_item.rubric] if rubric_item else [],
        "rubric_source": "seed" if rubric_item else "none",
        "reading": reading,
        "notes": next((it.notes for it in group if it.notes), None),
        "generated_from_heading": all(it.generated_from_heading for it in group),
        "label_source": "seed" if seed_labelled else "rule",
    }
    return entry


# =========================================================================== curated


def load_overlays(curated_dir: Path) -> dict[str, dict[str, Any]]:
    """id -> fields, from every ``*.yaml`` in ``curated_dir`` (later files win)."""
    out: dict[str, dict[str, Any]] = {}
    if not curated_dir.is_dir():
        return out
    for path in sorted(curated_dir.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(data, dict):
            raise SystemExit(f"{path}: expected a mapping of entry id -> fields")
        for eid, fields in data.items():
            if not isinstance(fields, dict):
                raise SystemExit(f"{path}: {eid}: expected a mapping of fields")
            bad = set(fields) - set(Entry.model_fields) | ({"id", "sources"} & set(fields))
            if bad:
                raise SystemExit(f"{path}: {eid}: fields that cannot be curated: {sorted(bad)}")
            out.setdefault(str(eid), {}).update(fields)
    return out


_LABEL_FIELDS = {"topic", "roles", "difficulty"}


_KEEP_WIDE = frozenset("，？：；！（）")


def _normalise_curated(value: Any, key: str = "") -> Any:
    """Curated text gets the seed text's character normalisation (NFKC, radical
    look-alikes) but keeps its full-width Chinese punctuation and its spacing."""
    if isinstance(value, str) and key != "url":
        return "".join(c if c in _KEEP_WIDE else normalize_chars(c) for c in value)
    if isinstance(value, list):
        return [_normalise_curated(v, key) for v in value]
    if isinstance(value, dict):
        return {k: _normalise_curated(v, k) for k, v in value.items()}
    return value


def apply_overlay(entry: dict[str, Any], fields: dict[str, Any]) -> dict[str, Any]:
    fields = _normalise_curated(fields)
    if "rubric" in fields and entry.get("rubric_source") == "seed" and entry.get("rubric"):
        # keep the seed's own key points (003's 核心考点) as notes when curated ones win
        notes = dict(entry.get("notes") or {})
        notes["core"] = [p["point"] if isinstance(p, dict) else str(p) for p in entry["rubric"]]
        entry = {**entry, "notes": notes}
    entry = {**entry, **fields}
    if "rubric" in fields:
        entry["rubric"] = [
            p if isinstance(p, dict) else {"point": str(p)} for p in (fields["rubric"] or [])
        ]
        entry.setdefault("rubric_source", "curated")
        if "rubric_source" not in fields:
            entry["rubric_source"] = "curated" if entry["rubric"] else "none"
    if _LABEL_FIELDS & set(fields) and "label_source" not in fields:
        entry["label_source"] = "curated"
    return entry


# =========================================================================== output


class _Dumper(yaml.SafeDumper):
    pass


def _str_representer(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    if "\n" in data:
        data = "\n".join(line.rstrip() for line in data.split("\n"))
        return dumper.represent_scalar("tag:yaml.org,2002:str", data, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", data)


class _Flow(list[Any]):
    """A short list of scalars written on one line: ``roles: [algorithm, general]``."""


def _flow_representer(dumper: yaml.SafeDumper, data: _Flow) -> yaml.SequenceNode:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", list(data), flow_style=True)


_Dumper.add_representer(str, _str_representer)
_Dumper.add_representer(_Flow, _flow_representer)
_FLOW_FIELDS = {"roles", "tags", "companies"}

_FIELD_ORDER = list(Entry.model_fields)


def _compact(entry: dict[str, Any]) -> dict[str, Any]:
    """Drop empty / default fields so the YAML stays short; keep schema order."""
    keep_always = {"id", "question", "topic", "roles", "difficulty", "sources", "label_source"}
    out: dict[str, Any] = {}
    for k in _FIELD_ORDER:
        v = entry.get(k)
        if k == "rubric_source" and v == "none":
            continue
        if k in keep_always or (v not in (None, [], {}, False, "")):
            out[k] = _Flow(v or []) if k in _FLOW_FIELDS else v
    return out


HEADER = """\
# Mianshi question bank — GENERATED by `python -m question_bank.build` from ../shared/seeds.
# Do not edit by hand: a rebuild overwrites this file. Put curated fields (rubric,
# reference_answer, follow_ups, labels …) in question_bank/curated/*.yaml, keyed by id.
# Schema: agent/bank.py. How ids, labels and dedup work: question_bank/README.md.
"""


def render(bank: dict[str, Any]) -> str:
    # no line folding: a folded Chinese line breaks at arbitrary spaces
    body = yaml.dump(
        bank,
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        width=1_000_000,
        default_flow_style=False,
    )
    # one flow list per line for short scalar lists reads better; keep block style.
    return HEADER + body


# =========================================================================== main


def find_seeds(seeds_dir: Path) -> dict[str, Path]:
    out = {}
    for prefix in PARSERS:
        found = sorted(seeds_dir.glob(f"{prefix}_*.txt"))
        if not found:
            raise SystemExit(f"seed {prefix}_*.txt not found in {seeds_dir}")
        out[prefix] = found[0]
    return out


def build(
    seeds_dir: Path = DEFAULT_SEEDS,
    out: Path | None = DEFAULT_OUT,
    curated_dir: Path = DEFAULT_CURATED,
    log: Any = print,
) -> dict[str, Any]:
    seeds = find_seeds(seeds_dir)
    items: list[Item] = []
    seed_counts: dict[str, int] = {}
    for prefix, path in seeds.items():
        found = PARSERS[prefix](path)
        seed_counts[path.name] = len(found)
        items += found
        log(f"{path.name}: {len(found)} questions")
    groups, merges, near = dedup(items)
    for score, a, b in sorted(merges, key=lambda m: (_sort_key(m[1]), _sort_key(m[2]))):
        how = "manual" if score < 0 else f"{score:.2f}"
        log(
            f"merged  {how}  {a.prefix} {a.locator} = {b.prefix} {b.locator}  "
            f"{a.question[:40]} | {b.question[:40]}"
        )
    for score, a, b in sorted(near, key=lambda m: -m[0]):
        log(
            f"near    {score:.2f}  {a.prefix} {a.locator} ~ {b.prefix} {b.locator}  "
            f"{a.question[:40]} | {b.question[:40]}"
        )
    entries = [build_entry(g) for g in groups]
    ids = [e["id"] for e in entries]
    dupes = {i for i in ids if ids.count(i) > 1}
    if dupes:
        raise SystemExit(f"duplicate ids: {sorted(dupes)}")
    overlays = load_overlays(curated_dir)
    unknown = set(overlays) - set(ids)
    if unknown:
        raise SystemExit(
            f"curated overlays name ids that are not in the bank: {sorted(unknown)} "
            "(did a seed or the id rule change?)"
        )
    entries = [_compact(apply_overlay(e, overlays.get(e["id"], {}))) for e in entries]
    bank = {
        "version": 1,
        "meta": {"generated_by": "question_bank/build.py", "seed_counts": seed_counts},
        "topics": list(TOPICS),
        "entries": entries,
    }
    Bank.model_validate(bank)  # fail the build on any schema error
    log(
        f"{len(items)} seed questions -> {len(entries)} entries "
        f"({len(merges)} merges, {len(near)} near misses); "
        f"{len(overlays)} curated overlays"
    )
    if out is not None:
        text = render(bank)
        if not out.exists() or out.read_text(encoding="utf-8") != text:
            out.write_text(text, encoding="utf-8")
            log(f"wrote {out}")
        else:
            log(f"{out} unchanged")
        load_bank(out)  # primes the JSON load cache next to it
    return bank


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("--seeds", type=Path, default=DEFAULT_SEEDS, help="seed directory")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="bank YAML to write")
    ap.add_argument("--curated", type=Path, default=DEFAULT_CURATED, help="overlay directory")
    ap.add_argument("--quiet", action="store_true", help="only print the summary")
    args = ap.parse_args(argv)

    def log(msg: str) -> None:
        if not args.quiet or not msg.startswith(("merged", "near")):
            print(msg)

    build(args.seeds, args.out, args.curated, log=log)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
