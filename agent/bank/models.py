"""The question bank's schema (``Entry`` and its parts) and the ``Bank`` with lookup.

The bank lives in ``question_bank/bank.yaml`` (rebuilt from the seeds by
``python -m question_bank.build``); ``loader.py`` reads it, ``search.py`` ranks it,
``validate.py`` checks it.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cached_property
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

from agent.bank.search import SearchIndex
from agent.errors import UserError
from agent.text import match_key, similarity

# --------------------------------------------------------------------------- schema

#: The fixed topic taxonomy (follows the seeds' chapters). Defined here once.
Topic = Literal[
    "词向量与分词",
    "Transformer架构",
    "位置编码",
    "注意力与推理优化",
    "提示工程与解码",
    "预训练与缩放定律",
    "分布式训练与显存",
    "微调与PEFT",
    "对齐与强化学习",
    "量化与部署",
    "RAG与检索",
    "Agent",
    "多模态",
    "评测",
    "文本分类与聚类",
    "机器学习与深度学习基础",
    "工程与工具",
    "系统设计",
]
TOPICS: tuple[str, ...] = get_args(Topic)

#: The topics' English names (an English interview shows these; ids stay the Chinese).
TOPIC_EN: dict[str, str] = {
    "词向量与分词": "Word vectors & tokenization",
    "Transformer架构": "Transformer architecture",
    "位置编码": "Positional encoding",
    "注意力与推理优化": "Attention & inference optimization",
    "提示工程与解码": "Prompting & decoding",
    "预训练与缩放定律": "Pretraining & scaling laws",
    "分布式训练与显存": "Distributed training & GPU memory",
    "微调与PEFT": "Fine-tuning & PEFT",
    "对齐与强化学习": "Alignment & RL",
    "量化与部署": "Quantization & deployment",
    "RAG与检索": "RAG & retrieval",
    "Agent": "Agents",
    "多模态": "Multimodal",
    "评测": "Evaluation",
    "文本分类与聚类": "Text classification & clustering",
    "机器学习与深度学习基础": "ML & deep learning fundamentals",
    "工程与工具": "Engineering & tools",
    "系统设计": "System design",
}


def topic_label(topic: str, lang: str) -> str:
    """A topic as an interview in ``lang`` shows it."""
    return TOPIC_EN.get(topic, topic) if lang == "en" else topic


Role = Literal["algorithm", "engineering", "multimodal", "general"]
ROLES: tuple[str, ...] = get_args(Role)

LabelSource = Literal["seed", "rule", "curated"]
RubricSource = Literal["seed", "curated", "derived", "none"]

#: Rubric size the grader expects once the rubric work (issue 7) is done.
RUBRIC_MIN_POINTS = 3
RUBRIC_MAX_POINTS = 6


#: The seed of a project deep-dive built from the candidate's CV or introduction.
PROJECT_SEED = "简历 CV"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(_Model):
    """Where a question comes from: a seed file and a place in it."""

    seed: str = Field(description="seed file name, e.g. 004_bc121b6c36499602.txt")
    locator: str = Field(description="Q17, L123 or §heading")
    line: int | None = Field(default=None, ge=1, description="1-based line in the seed")
    text: str | None = Field(
        default=None, description="the seed's own wording, when it differs from the question"
    )


#: At most this many curated misconceptions per key point (issue 28).
MAX_MISCONCEPTIONS = 2
#: A follow-up's own key points (issue 28): graded on these, never on its parent's.
FOLLOW_UP_MIN_POINTS = 1
FOLLOW_UP_MAX_POINTS = 3
#: Similarity at which a free-text question is taken for a bank follow-up's text.
FOLLOW_UP_MATCH = 0.8
#: A follow-up's id: its parent's id, this, and its index (``004-q091.fu0``).
FOLLOW_UP_ID = ".fu"


class RubricPoint(_Model):
    point: str = Field(min_length=1)
    weight: float = Field(default=1.0, gt=0)
    #: common wrong versions of this point, curated (question_bank/curated/knowledge/)
    misconceptions: list[str] = Field(default_factory=list, max_length=MAX_MISCONCEPTIONS)


class FollowUp(_Model):
    question: str = Field(min_length=1)
    answer: str | None = None
    #: 0-based indexes of the rubric points this follow-up probes (empty = unknown)
    targets: list[int] = Field(default_factory=list)
    #: the follow-up's own key points, from its own reference answer
    rubric: list[RubricPoint] = Field(default_factory=list, max_length=FOLLOW_UP_MAX_POINTS)


class PointText(_Model):
    """A key point's text in another language (issue 32): the point, its misconceptions."""

    point: str = Field(min_length=1)
    misconceptions: list[str] = Field(default_factory=list, max_length=MAX_MISCONCEPTIONS)


class FollowUpText(_Model):
    question: str = Field(min_length=1)
    answer: str | None = None
    rubric: list[PointText] = Field(default_factory=list, max_length=FOLLOW_UP_MAX_POINTS)


class EntryText(_Model):
    """An entry's text in English (``question_bank/curated/english/``): the same points
    and follow-ups, in the same order, as the Chinese fields they translate."""

    question: str = Field(min_length=2)
    rubric: list[PointText] = Field(default_factory=list)
    reference_answer: str | None = None
    follow_ups: list[FollowUpText] = Field(default_factory=list)


def _translated(points: list[RubricPoint], texts: list[PointText]) -> list[RubricPoint]:
    return [
        p.model_copy(update={"point": t.point, "misconceptions": list(t.misconceptions)})
        for p, t in zip(points, texts, strict=True)
    ]


class Reading(_Model):
    title: str
    url: str


class SeedNotes(_Model):
    """Rubric material a seed gives beyond the key points (seed 003)."""

    core: list[str] = Field(default_factory=list, description="核心考点 (seed key points)")
    algorithm: str | None = Field(default=None, description="算法岗回答要点")
    engineering: str | None = Field(default=None, description="开发岗回答要点")
    bonus: list[str] = Field(default_factory=list, description="加分点 / 加分项")
    tips: list[str] = Field(default_factory=list, description="面试技巧")


class Entry(_Model):
    id: str = Field(pattern=r"^[0-9a-z][0-9a-z._-]*$")
    question: str = Field(min_length=2)
    topic: Topic
    roles: list[Role] = Field(min_length=1)
    difficulty: int = Field(ge=1, le=3)
    tags: list[str] = Field(default_factory=list)
    companies: list[str] = Field(default_factory=list)
    sources: list[Source] = Field(min_length=1)
    follow_ups: list[FollowUp] = Field(default_factory=list)
    reference_answer: str | None = None
    rubric: list[RubricPoint] = Field(default_factory=list)
    rubric_source: RubricSource = "none"
    reading: list[Reading] = Field(default_factory=list)
    notes: SeedNotes | None = None
    generated_from_heading: bool = False
    label_source: LabelSource = "rule"
    #: the entry's English text (issue 32); None until it is curated
    en: EntryText | None = None

    @property
    def seeds(self) -> list[str]:
        return sorted({s.seed for s in self.sources})

    @property
    def about_the_candidate(self) -> bool:
        """A project deep-dive on the candidate's own work (from their CV or their
        self-introduction), not a bank question."""
        return PROJECT_SEED in self.seeds

    def in_language(self, lang: str) -> Entry:
        """The entry as an interview in ``lang`` shows and grades it: English text in
        place of the Chinese when ``lang`` is ``en`` and the entry has it (ids, weights
        and follow-up targets stay); the entry itself otherwise."""
        if lang != "en" or self.en is None:
            return self
        en = self.en
        follow_ups = [
            f.model_copy(
                update={"question": t.question, "answer": t.answer,
                        "rubric": _translated(f.rubric, t.rubric)}
            )
            for f, t in zip(self.follow_ups, en.follow_ups, strict=True)
        ]  # fmt: skip
        return self.model_copy(
            update={
                "question": en.question,
                "rubric": _translated(self.rubric, en.rubric),
                "reference_answer": en.reference_answer,
                "follow_ups": follow_ups,
                "notes": None,
            }
        )

    def follow_up_entry(self, n: int) -> Entry:
        """Follow-up ``n`` as an entry of its own (id ``<id>.fu<n>``): its question,
        its own key points and reference answer, the parent's labels. What the
        interview and ``mianshi grade`` grade a follow-up answer against."""
        fu = self.follow_ups[n]
        en = None
        if self.en is not None and n < len(self.en.follow_ups):
            t = self.en.follow_ups[n]
            en = EntryText(question=t.question, rubric=t.rubric, reference_answer=t.answer)
        return self.model_copy(
            update={
                "id": f"{self.id}{FOLLOW_UP_ID}{n}",
                "question": fu.question,
                "rubric": list(fu.rubric),
                "rubric_source": "curated" if fu.rubric else "none",
                "reference_answer": fu.answer,
                "follow_ups": [],
                "notes": None,
                "en": en,
            }
        )


class BankMeta(_Model):
    generated_by: str = "question_bank/build.py"
    #: seed file -> number of questions the build found in it
    seed_counts: dict[str, int] = Field(default_factory=dict)


# --------------------------------------------------------------------------- the bank


class Bank(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int = 1
    meta: BankMeta = Field(default_factory=BankMeta)
    topics: list[str] = Field(default_factory=lambda: list(TOPICS))
    entries: list[Entry] = Field(default_factory=list)

    # ---- lookup
    @cached_property
    def by_id(self) -> dict[str, Entry]:
        return {e.id: e for e in self.entries}

    def __len__(self) -> int:
        return len(self.entries)

    def get(self, entry_id: str) -> Entry:
        parent, sep, n = entry_id.rpartition(FOLLOW_UP_ID)
        if sep and n.isdigit() and parent in self.by_id:
            entry = self.by_id[parent]
            if int(n) < len(entry.follow_ups):
                return entry.follow_up_entry(int(n))
        try:
            return self.by_id[entry_id]
        except KeyError:
            near = [e.id for e in self.entries if entry_id.lower() in e.id][:5]
            hint = f" (did you mean {', '.join(near)}?)" if near else ""
            raise UserError(
                f"no question with id {entry_id!r} in the bank{hint}; "
                "try `mianshi bank search TEXT` to find ids"
            ) from None

    def filter(
        self,
        role: str | None = None,
        difficulty: int | Iterable[int] | None = None,
        topics: Iterable[str] | None = None,
    ) -> list[Entry]:
        """Entries for a role (``general`` entries suit every role), difficulty, topics."""
        levels: set[int] | None
        if difficulty is None:
            levels = None
        elif isinstance(difficulty, int):
            levels = {difficulty}
        else:
            levels = set(difficulty)
        wanted = set(topics) if topics else None
        if wanted:
            unknown = wanted - set(TOPICS)
            if unknown:
                raise UserError(
                    f"unknown topic(s): {', '.join(sorted(unknown))}; "
                    f"choose from {', '.join(TOPICS)}"
                )
        if role is not None and role not in ROLES:
            raise UserError(f"unknown role {role!r}; choose from {', '.join(ROLES)}")
        out = []
        for e in self.entries:
            if role is not None and role not in e.roles and "general" not in e.roles:
                continue
            if levels is not None and e.difficulty not in levels:
                continue
            if wanted is not None and e.topic not in wanted:
                continue
            out.append(e)
        return out

    def reading_for_topic(self, topic: str) -> list[Reading]:
        seen: set[str] = set()
        out: list[Reading] = []
        for e in self.entries:
            if e.topic != topic:
                continue
            for r in e.reading:
                if r.url not in seen:
                    seen.add(r.url)
                    out.append(r)
        return out

    # ---- search (agent/bank/search.py)
    @cached_property
    def _search(self) -> SearchIndex:
        return SearchIndex(self.entries)

    def search_scored(self, text: str, limit: int = 10) -> list[tuple[float, Entry]]:
        """Ranked (score, entry) pairs; score in [0, 1] (share of the query matched)."""
        return self._search.scored(text, limit)

    def search(self, text: str, limit: int = 10) -> list[Entry]:
        """Entries ranked by how much of the query they contain (works for Chinese)."""
        return [e for _s, e in self.search_scored(text, limit)]

    @cached_property
    def _follow_up_keys(self) -> dict[str, tuple[Entry, int]]:
        return {
            match_key(fu.question): (e, n)
            for e in self.entries
            for n, fu in enumerate(e.follow_ups)
        }

    def match_question(self, text: str, threshold: float = 0.6) -> Entry | None:
        """The entry a free-text question (or an id) refers to, or None (see search.py).
        A bank follow-up's text (or id) gives the follow-up's own entry
        (``Entry.follow_up_entry``): it is graded on its own points."""
        text = text.strip()
        if text in self.by_id:
            return self.by_id[text]
        parent, sep, n = text.rpartition(FOLLOW_UP_ID)
        if sep and n.isdigit() and parent in self.by_id:
            return self.get(text)
        found = self._follow_up_keys.get(match_key(text))
        if found is not None:
            return found[0].follow_up_entry(found[1])
        entry = self._search.match(text, threshold)
        if entry is not None:
            return entry
        close = [
            (similarity(text, fu.question), e, n)
            for e in self.entries
            for n, fu in enumerate(e.follow_ups)
        ]
        best = max(close, key=lambda c: c[0], default=None)
        if best is not None and best[0] >= FOLLOW_UP_MATCH:
            return best[1].follow_up_entry(best[2])
        return None
