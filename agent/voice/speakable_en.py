"""Text as the English voice can say it, sentence by sentence.

The English voice (Piper; espeak-ng turns its text into phonemes) reads words and
digits as they are written. What it would misread is rewritten here: an acronym in
capitals is spelled out (OOV → O O V, LLMs → L L Ms; espeak says a pronounceable one as
a word, "oov") unless it is said as a word (RAG, BERT, BLEU …); a name in camel case is
said as its words (FlashAttention → Flash Attention, ChatGPT → Chat G P T, RMSNorm →
R M S Norm), a hyphen between words as a space (the voice said "end-to-end" as
"Antoine", "input-token" as "impotent" and DeepSeek-R1 as "Deep seeker one"); a few
mixed-case terms get their usual reading (LoRA → Lora, not "low R A"; RoPE → rope,
ALiBi → alibi); markup is
dropped, abbreviations are said in words (e.g. → for example), symbols are said
(≈ → approximately), and Chinese characters, which it would read out one by one as
"Chinese letter", are left out (an English interview's own lines have none).

Lines are cut into sentences (and long sentences at a comma or semicolon) so the first
one can play while the rest is synthesised; a lead-in ending in a colon ("Next
question:") is a sentence of its own, said once and cached.
"""

from __future__ import annotations

import re

ABBREVIATIONS = {
    "e.g.": "for example",
    "i.e.": "that is",
    "etc.": "et cetera",
    "vs.": "versus",
    "w.r.t.": "with respect to",
}
#: acronyms in capitals said as words, not letter by letter
SAID_AS_WORDS = frozenset({
    "RAG", "BERT", "BART", "BLEU", "ROUGE", "CLIP", "CUDA", "NVIDIA", "JSON", "ERNIE",
    "ALBERT", "CBOW", "PILL", "NASA", "GLUE", "SQUAD", "LAMBADA", "SWAG", "ONNX",
})  # fmt: skip
#: mixed-case terms whose letters the voice would get wrong
READINGS = {
    "LoRA": "Lora", "RoPE": "rope", "ALiBi": "alibi", "QLoRA": "Q Lora", "LongLoRA": "long Lora",
    "MoE": "M O E", "MoBA": "moba", "LLaMA": "llama", "GloVe": "glove", "ELMo": "elmo",
    "vLLM": "V L L M", "ViT": "vit", "QwQ": "Q W Q", "GeLU": "gelu", "ReLU": "relu",
    "MySQL": "My S Q L", "BERTopic": "BERT topic", "PyTorch": "Pie Torch",
}  # fmt: skip
SYMBOLS = {
    "≈": " approximately ",
    "×": " times ",
    "→": " to ",
    "->": " to ",
    "=": " equals ",
    "%": " percent ",
    "&": " and ",
    "≤": " at most ",
    "≥": " at least ",
    "+": " plus ",
    "/": ", ",
}
#: A sentence longer than this (characters; about 6 s of speech) is cut at its commas,
#: into pieces of at least SHORT characters (the first piece plays sooner).
LONG, SHORT = 90, 30

_CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]+")
_TOKEN = re.compile(r"(?<![\w'])[A-Za-z][A-Za-z0-9]*(?![\w'])")
#: two to six capitals (digits may follow), a plural s allowed: LLM, LLMs, FP16, BM25
_CAPITALS = re.compile(r"([A-Z]{2,6})([0-9]*)(s?)")
#: where a camel-case name's words meet: "lashA" in FlashAttention, "SN" in RMSNorm
_CAMEL = re.compile(r"(?<=[a-z]{2})(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z]{2})")
_HYPHEN = re.compile(r"(?<=[A-Za-z0-9])-(?=[A-Za-z0-9])")
_ABBREVIATION = re.compile(
    "|".join(r"(?<![A-Za-z])" + re.escape(a) for a in ABBREVIATIONS), re.IGNORECASE
)
#: sentence ends: . ! ? ; : followed by a space (not 2.5, not e.g. already said)
_END = re.compile(r"(?<=[.!?;:])\s+|\n+")
_COMMA = re.compile(r"(?<=[,;])\s+")
_DROP = re.compile(r"[`#>|\[\]{}\"“”<>_~\\*]")
_ASIDE = re.compile(r"\s*[()（）]\s*")  # an aside in brackets is said between pauses


def reading(token: str) -> str:
    """How the voice is to say one Latin token (a word between hyphens, spaces …)."""
    if token in READINGS:
        return READINGS[token]
    words = _CAMEL.split(token)
    if len(words) > 1:
        return " ".join(reading(word) for word in words)
    caps = _CAPITALS.fullmatch(token)
    if caps is None or caps.group(1) in SAID_AS_WORDS:
        return token
    letters, digits, plural = caps.groups()
    spelled = " ".join(letters[:-1]) + f" {letters[-1]}{plural}"
    return f"{spelled} {digits}" if digits else spelled


def speakable(text: str) -> str:
    """``text`` with acronyms, abbreviations and symbols said, markup and Chinese dropped."""
    text = text.replace("’", "'").replace("‘", "'")
    text = _ABBREVIATION.sub(lambda m: ABBREVIATIONS[m.group(0).lower()], text)
    text = _HYPHEN.sub(" ", text)
    text = _TOKEN.sub(lambda m: reading(m.group(0)), text)
    for symbol, said in SYMBOLS.items():
        text = text.replace(symbol, said)
    text = _CJK.sub(" ", text)
    text = _DROP.sub(" ", text)
    text = _ASIDE.sub(", ", text)
    text = re.sub(r"\s*,[\s,]*", ", ", text)  # one comma where an aside met a comma
    text = re.sub(r"\s*,?\s*([.!?;:])", r"\1", text).strip(" ,")
    return re.sub(r"[ \t]+", " ", text).strip()


def sentences(text: str) -> list[str]:
    """The speakable sentences of ``text``, long ones cut at commas."""
    out: list[str] = []
    for line in re.split(r"\n+", text):
        for sentence in _END.split(speakable(line)):
            if re.search(r"[A-Za-z0-9]", sentence):  # else punctuation only
                out.extend(_cut(sentence.strip()))
    return out


def _cut(sentence: str) -> list[str]:
    """A long sentence in pieces of SHORT to about LONG characters, cut after commas."""
    if len(sentence) <= LONG:
        return [sentence]
    pieces: list[str] = []
    piece = ""
    for part in _COMMA.split(sentence):
        if len(piece) >= SHORT and len(piece) + len(part) > LONG:
            pieces.append(piece.strip())
            piece = ""
        piece += part + " "
    if piece.strip(" ,"):
        pieces.append(piece.strip())
    return pieces
