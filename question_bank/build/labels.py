"""Labels for a question the seed does not label: topic (keyword rules, then the
seed's chapter / section), roles (by topic) and difficulty."""

from __future__ import annotations

import re

from agent.bank import ROLES
from agent.text import match_key

from .common import Item, question_parts

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

# The topic of each chapter of seed 004 (when no keyword rule matches).
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

# The topic of each section of seed 002 (when no keyword rule matches).
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


def labels_for(group: list[Item]) -> tuple[str, list[str], int]:
    """Topic, roles and difficulty of a merged entry: the first of its items that
    carries a label gives it (else the primary's rules); a 方案设计 question among
    them makes it 系统设计 (unless 004 leads), difficulty 3 and engineering."""
    primary = group[0]
    topic_item = next((it for it in group if it.topic), None)
    topic = topic_for(topic_item or primary)
    design = any(it.design for it in group)
    if design and not topic_item and primary.prefix != "004":
        topic = "系统设计"
    label_item = next((it for it in group if it.roles), primary)
    roles = roles_for(label_item, topic)
    diff_item = next((it for it in group if it.difficulty), None)
    difficulty = difficulty_for(diff_item or primary)
    if design:
        difficulty = 3
        roles = sorted(set(roles) | {"engineering"}, key=ROLES.index)
    return topic, roles, difficulty
