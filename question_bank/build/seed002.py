"""Seed 002: knowledge items (linked titles, numbered / bullet items, bare lines)
phrased as interview questions, with their links as reading."""

from __future__ import annotations

import re
from pathlib import Path

from agent.text import clean_text, match_key

from .common import Item, part_follow_ups, read_lines

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
    items: list[Item] = []
    section = sub = ""
    for ln, t in _join_split_links(read_lines(path)):
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
        items.append(_knowledge_item(seed, ln, body, section, sub))
    unused = set(_QUESTIONS_002) - _USED_002
    if unused:
        raise SystemExit(f"seed 002: QUESTIONS_002 has titles not in the seed: {sorted(unused)}")
    for it in items:  # sub-questions of the seed's own title, not of our phrasing
        it.follow_ups = part_follow_ups(it.raw or it.question)
    return items


def _join_split_links(raw_lines: list[str]) -> list[tuple[int, str]]:
    """(line number, text), with a markdown link that a line break split joined:
    "[t](url\\n)"."""
    joined: list[tuple[int, str]] = []
    for i, t in enumerate(raw_lines, 1):
        if joined and t.strip() == ")" and "](" in joined[-1][1]:
            joined[-1] = (joined[-1][0], joined[-1][1] + ")")
            continue
        joined.append((i, t))
    return joined


def _knowledge_item(seed: str, ln: int, body: str, section: str, sub: str) -> Item:
    """One knowledge item (its link titles, or its text) as an interview question."""
    links = _RE_LINK.findall(body)
    if links:
        title = " / ".join(clean_text(t) for t, _u in links)
        reading = [{"title": clean_text(t), "url": u.strip()} for t, u in links]
    else:
        title = clean_text(body)
        reading = []
    where = f"{section} / {sub}" if sub else section
    q = question_002(title, sub or section)
    return Item(
        seed,
        f"L{ln}",
        ln,
        q,
        section=where,
        raw=title if q != title else None,
        reading=reading,
        tags=[sub or section],
    )
