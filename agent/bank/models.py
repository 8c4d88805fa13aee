"""The question bank: schema, loading, lookup and search.

The bank lives in ``question_bank/bank.yaml`` (human-readable UTF-8 YAML, rebuilt from
the seeds by ``question_bank/build.py``; curated fields come from
``question_bank/curated/*.yaml``). This module only reads it.

Loading is cached twice: in memory (``load_bank`` is memoised per path) and on disk (a
JSON copy in ``question_bank/.cache/`` keyed by the YAML's sha256, because parsing the
YAML is several times slower than parsing JSON). The YAML stays the source of truth: any
edit changes its hash and the cache is rebuilt on the next load.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from functools import cached_property
from pathlib import Path
from typing import Any, Literal, get_args

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError

from agent.errors import UserError

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

Role = Literal["algorithm", "engineering", "multimodal", "general"]
ROLES: tuple[str, ...] = get_args(Role)

LabelSource = Literal["seed", "rule", "curated"]
RubricSource = Literal["seed", "curated", "derived", "none"]

#: Rubric size the grader expects once the rubric work (issue 7) is done.
RUBRIC_MIN_POINTS = 3
RUBRIC_MAX_POINTS = 6


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


class RubricPoint(_Model):
    point: str = Field(min_length=1)
    weight: float = Field(default=1.0, gt=0)


class FollowUp(_Model):
    question: str = Field(min_length=1)
    answer: str | None = None
    #: 0-based indexes of the rubric points this follow-up probes (empty = unknown)
    targets: list[int] = Field(default_factory=list)


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

    @property
    def seeds(self) -> list[str]:
        return sorted({s.seed for s in self.sources})


class BankMeta(_Model):
    generated_by: str = "question_bank/build.py"
    #: seed file -> number of questions the build found in it
    seed_counts: dict[str, int] = Field(default_factory=dict)


# --------------------------------------------------------------------------- text

# CJK Radicals Supplement characters that seeds use in place of the real characters.
# NFKC maps the Kangxi radicals block (U+2F00–U+2FDF) but not this one.
_RADICAL_SUPPLEMENT = {
    "⻅": "见",
    "⻆": "角",
    "⻉": "贝",
    "⻋": "车",
    "⻓": "长",
    "⻔": "门",
    "⻙": "韦",
    "⻚": "页",
    "⻛": "风",
    "⻜": "飞",
    "⻢": "马",
    "⻥": "鱼",
    "⻦": "鸟",
    "⻧": "卤",
    "⻨": "麦",
    "⻩": "黄",
    "⻪": "黾",
    "⻬": "齐",
    "⻮": "齿",
    "⻰": "龙",
    "⻳": "龟",
    "⻄": "西",
    # not a radical, but seed 000 writes the traditional form of 户 (用戶) throughout
    "戶": "户",
}
_RADICAL_TABLE = str.maketrans(_RADICAL_SUPPLEMENT)
# NFKC would turn O(n²) into O(n2); keep the exponent readable instead.
_SUPERSCRIPTS = str.maketrans({c: f"^{d}" for d, c in enumerate("⁰¹²³⁴⁵⁶⁷⁸⁹")})

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff"
_WIDE = _CJK + r"\u3000-\u303f\uff01-\uff5e“”‘’《》【】…—"
_RE_SPACES = re.compile(r"[ \t\u00a0\u3000]+")
_RE_WIDE_GAP = re.compile(rf"(?<=[{_WIDE}])\s+(?=[{_WIDE}])")
_RE_PUNCT_ASCII = {",": "，", ":": "：", ";": "；", "!": "！", "?": "？"}


def _restore_cjk_punct(text: str) -> str:
    """NFKC turns ，？：（） into ASCII; put the full-width form back in Chinese context."""
    out: list[str] = []
    n = len(text)
    for i, ch in enumerate(text):
        if ch in _RE_PUNCT_ASCII:
            before = text[:i].rstrip("* ")
            prev = before[-1] if before else ""
            nxt = text[i + 1] if i + 1 < n else ""
            prev_cjk = bool(re.match(rf"[{_WIDE})）]", prev)) if prev else False
            if ch == "?":
                # a question mark ends a Chinese question when Chinese text precedes it
                # closely (not inside an English sentence or a URL)
                token = re.split(r"\s", text[:i])[-1]
                if re.search(rf"[{_CJK}]", text[max(0, i - 40) : i]) and "://" not in token:
                    out.append("？")
                    continue
            elif prev_cjk or (nxt and re.match(rf"[{_CJK}]", nxt)):
                out.append(_RE_PUNCT_ASCII[ch])
                continue
        out.append(ch)
    text = "".join(out)

    # Parentheses whose content holds Chinese become full-width.
    def paren(m: re.Match[str]) -> str:
        inner = m.group(1)
        return f"（{inner}）" if re.search(rf"[{_CJK}、，]", inner) else m.group(0)

    text = re.sub(r"\(([^()]*)\)", paren, text)
    # no spaces around full-width punctuation
    text = re.sub(r"\s*([，。？！：；、（）“”])\s*", r"\1", text)
    text = re.sub(r"(?<=[（“])\s+|\s+(?=[）”])", "", text)
    return text


def normalize_chars(text: str) -> str:
    """Character normalisation only (NFKC, radical look-alikes); spacing untouched."""
    return unicodedata.normalize("NFKC", text.translate(_SUPERSCRIPTS)).translate(_RADICAL_TABLE)


def clean_text(text: str, *, keep_newlines: bool = False) -> str:
    """Normalise seed text: NFKC, radical look-alikes, spacing, Chinese punctuation.

    NFKC maps compatibility characters (Kangxi radicals like U+2F24 ⼤ → 大, full-width
    letters …). Characters from the CJK Radicals Supplement that stand for ordinary
    characters are mapped too. Spaces that PDF extraction put between Chinese
    characters are removed; ASCII punctuation in Chinese context becomes the
    full-width form again (the only non-NFKC characters left in the bank).
    """
    text = normalize_chars(text)
    if keep_newlines:
        lines = [clean_text(line) for line in text.split("\n")]
        return "\n".join(lines).strip("\n")
    text = _RE_SPACES.sub(" ", text.replace("\n", " ")).strip()
    text = _RE_WIDE_GAP.sub("", text)
    text = _restore_cjk_punct(text)
    return text.strip()


_RE_KEY_DROP = re.compile(rf"[^0-9a-z{_CJK}]+")


def match_key(text: str) -> str:
    """The comparison form of a text: NFKC, lower case, letters/digits/CJK only."""
    text = unicodedata.normalize("NFKC", text).translate(_RADICAL_TABLE).lower()
    return _RE_KEY_DROP.sub("", text)


def bigrams(key: str) -> set[str]:
    """Character bigrams of a match key (a single character counts as one gram)."""
    if len(key) < 2:
        return {key} if key else set()
    return {key[i : i + 2] for i in range(len(key) - 1)}


def dice(a: set[str], b: set[str]) -> float:
    """Dice coefficient of two gram sets: 2|A∩B| / (|A|+|B|)."""
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


def similarity(a: str, b: str) -> float:
    """Character-bigram Dice similarity of two texts after ``match_key``."""
    return dice(bigrams(match_key(a)), bigrams(match_key(b)))


_RE_ASCII_WORD = re.compile(r"[a-z0-9]+(?:[._+-][a-z0-9]+)*")


def _search_grams(text: str) -> list[str]:
    """Grams for search: CJK character bigrams (and single characters) plus ASCII words."""
    norm = unicodedata.normalize("NFKC", text).translate(_RADICAL_TABLE).lower()
    grams: list[str] = _RE_ASCII_WORD.findall(norm)
    for run in re.findall(rf"[{_CJK}]+", norm):
        grams.extend(run)
        grams.extend(run[i : i + 2] for i in range(len(run) - 1))
    return grams


# --------------------------------------------------------------------------- the bank


class Bank(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int = 1
    meta: BankMeta = Field(default_factory=BankMeta)
    topics: list[str] = Field(default_factory=lambda: list(TOPICS))
    entries: list[Entry] = Field(default_factory=list)

    _path: Path | None = PrivateAttr(default=None)

    # ---- lookup
    @cached_property
    def by_id(self) -> dict[str, Entry]:
        return {e.id: e for e in self.entries}

    def __len__(self) -> int:
        return len(self.entries)

    def get(self, entry_id: str) -> Entry:
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

    # ---- search
    @cached_property
    def _index(self) -> tuple[dict[str, list[tuple[int, int]]], dict[str, float], list[str]]:
        postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        keys: list[str] = []
        for i, e in enumerate(self.entries):
            parts = [e.question, " ".join(e.tags), e.topic]
            parts += [s.text or "" for s in e.sources]
            parts += [f.question for f in e.follow_ups]
            text = "\n".join(parts)
            keys.append(match_key(text))
            for gram, count in Counter(_search_grams(text)).items():
                postings[gram].append((i, count))
        n = max(len(self.entries), 1)
        idf = {g: math.log(1 + n / len(p)) for g, p in postings.items()}
        return dict(postings), idf, keys

    def search_scored(self, text: str, limit: int = 10) -> list[tuple[float, Entry]]:
        """Ranked (score, entry) pairs; score in [0, 1] (share of the query matched)."""
        postings, idf, keys = self._index
        grams = Counter(_search_grams(text))
        if not grams:
            return []
        total = sum(idf.get(g, math.log(1 + len(self.entries))) for g in grams)
        scores: dict[int, float] = defaultdict(float)
        for g in grams:
            for i, _count in postings.get(g, ()):
                scores[i] += idf[g]
        qkey = match_key(text)
        ranked = []
        for i, s in scores.items():
            score = s / total
            if qkey and qkey in keys[i]:
                score += 0.5  # the whole query occurs verbatim
            ranked.append((min(score / 1.5 if qkey else score, 1.0), i))
        ranked.sort(key=lambda t: (-t[0], self.entries[t[1]].id))
        return [(round(s, 4), self.entries[i]) for s, i in ranked[:limit]]

    def search(self, text: str, limit: int = 10) -> list[Entry]:
        """Entries ranked by how much of the query they contain (works for Chinese)."""
        return [e for _s, e in self.search_scored(text, limit)]

    @cached_property
    def _match_table(self) -> tuple[dict[str, Entry], list[tuple[set[str], Entry]]]:
        exact: dict[str, Entry] = {}
        grams: list[tuple[set[str], Entry]] = []
        for e in self.entries:
            for t in [e.question, *(s.text for s in e.sources if s.text)]:
                k = match_key(t)
                exact.setdefault(k, e)
                grams.append((bigrams(k), e))
        return exact, grams

    def match_question(self, text: str, threshold: float = 0.6) -> Entry | None:
        """The entry a free-text question (or an id) refers to, or None.

        Exact match on the normalised text (any seed's wording) first, then the best
        character-bigram Dice similarity if it reaches ``threshold``.
        """
        text = text.strip()
        if text in self.by_id:
            return self.by_id[text]
        exact, grams = self._match_table
        key = match_key(text)
        if not key:
            return None
        if key in exact:
            return exact[key]
        qg = bigrams(key)
        best: tuple[float, Entry | None] = (0.0, None)
        for g, e in grams:
            s = dice(qg, g)
            if s > best[0]:
                best = (s, e)
        return best[1] if best[0] >= threshold else None


# --------------------------------------------------------------------------- loading

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_BANK_PATH = REPO_ROOT / "question_bank" / "bank.yaml"

_LOADED: dict[Path, tuple[str, Bank]] = {}


def _yaml_load(data: bytes) -> Any:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(data, Loader=loader)


def _cache_path(path: Path, digest: str) -> Path:
    return path.parent / ".cache" / f"{path.stem}.{digest[:16]}.json"


def _read_raw(path: Path) -> tuple[str, Any]:
    """The bank file's sha256 and parsed content (through the JSON cache)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise UserError(
            f"question bank not found at {path}; rebuild it with `python -m question_bank.build`"
        ) from None
    digest = hashlib.sha256(data).hexdigest()
    cache = _cache_path(path, digest)
    try:
        return digest, json.loads(cache.read_bytes())
    except (OSError, ValueError):
        pass
    try:
        raw = _yaml_load(data)
    except yaml.YAMLError as exc:
        raise UserError(f"{path} is not valid YAML: {exc}") from None
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        gitignore = cache.parent / ".gitignore"
        if not gitignore.exists():
            gitignore.write_text("*\n", encoding="utf-8")
        for old in cache.parent.glob(f"{path.stem}.*.json"):
            old.unlink(missing_ok=True)
        tmp = cache.with_suffix(".tmp")
        tmp.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
        tmp.replace(cache)
    except OSError:
        pass  # read-only install: no cache, still correct
    return digest, raw


def load_bank(path: str | Path | None = None) -> Bank:
    """Load (and cache) the bank; reloads when the file changed."""
    p = Path(path).resolve() if path else DEFAULT_BANK_PATH
    try:
        digest = hashlib.sha256(p.read_bytes()).hexdigest()
    except FileNotFoundError:
        digest = ""
    hit = _LOADED.get(p)
    if hit and hit[0] == digest:
        return hit[1]
    digest, raw = _read_raw(p)
    try:
        bank = Bank.model_validate(raw)
    except ValidationError as exc:
        raise UserError(
            f"{p} does not match the bank schema ({exc.error_count()} errors); "
            "run `mianshi bank validate` for the list"
        ) from None
    bank._path = p
    _LOADED[p] = (digest, bank)
    return bank


# --------------------------------------------------------------------------- validation


def validate(
    path: str | Path | None = None,
    *,
    require_rubric: bool = True,
    raw: Any = None,
) -> list[str]:
    """Every problem in the bank file, as readable lines (empty list = valid).

    Checks the schema entry by entry, duplicate ids, missing labels, sources, and the
    seed counts. ``require_rubric`` (on since the rubric work of issue 7) also
    demands 3–6 rubric key points and a reference answer for every entry.
    """
    problems: list[str] = []
    p = Path(path).resolve() if path else DEFAULT_BANK_PATH
    if raw is None:
        try:
            _digest, raw = _read_raw(p)
        except UserError as exc:
            return [str(exc)]
    if not isinstance(raw, dict) or not isinstance(raw.get("entries"), list):
        return [f"{p}: expected a mapping with an `entries` list"]

    extra = set(raw) - set(Bank.model_fields)
    if extra:
        problems.append(f"unknown top-level keys: {', '.join(sorted(extra))}")
    try:
        meta = BankMeta.model_validate(raw.get("meta") or {})
    except ValidationError as exc:
        problems.append(f"meta: {exc}")
        meta = BankMeta()
    if raw.get("topics") is not None and list(raw["topics"]) != list(TOPICS):
        problems.append("topics: the list differs from agent.bank.TOPICS")

    ids: Counter[str] = Counter()
    located: dict[str, set[str]] = defaultdict(set)
    entries: list[Entry] = []
    for n, item in enumerate(raw["entries"]):
        eid = item.get("id") if isinstance(item, dict) else None
        label = f"entry {eid!r}" if eid else f"entry #{n + 1}"
        if eid:
            ids[eid] += 1
        try:
            entry = Entry.model_validate(item)
        except ValidationError as exc:
            for err in exc.errors():
                loc = ".".join(str(x) for x in err["loc"])
                problems.append(f"{label}: {loc}: {err['msg']}")
            continue
        entries.append(entry)
        for s in entry.sources:
            if (s.seed, s.locator) in {(x.seed, x.locator) for x in entry.sources if x is not s}:
                problems.append(f"{label}: source {s.seed} {s.locator} listed twice")
            if s.locator in located[s.seed]:
                problems.append(f"{label}: source {s.seed} {s.locator} is also in another entry")
            located[s.seed].add(s.locator)
        if require_rubric:
            k = len(entry.rubric)
            if not RUBRIC_MIN_POINTS <= k <= RUBRIC_MAX_POINTS:
                problems.append(
                    f"{label}: rubric has {k} key points "
                    f"(need {RUBRIC_MIN_POINTS}–{RUBRIC_MAX_POINTS})"
                )
            if not (entry.reference_answer or "").strip():
                problems.append(f"{label}: no reference answer")
        if entry.rubric and entry.rubric_source == "none":
            problems.append(f"{label}: has a rubric but rubric_source is 'none'")
    for eid, count in sorted(ids.items()):
        if count > 1:
            problems.append(f"duplicate id {eid!r} ({count} entries)")
    for seed, expected in sorted(meta.seed_counts.items()):
        got = len(located.get(seed, ()))
        if got != expected:
            problems.append(
                f"seed {seed}: {expected} questions found in the seed, {got} in the bank"
            )
    return problems


def stats(bank: Bank) -> dict[str, Any]:
    """Counts for `mianshi bank stats`."""
    by_seed_entries: Counter[str] = Counter()
    by_seed_sources: Counter[str] = Counter()
    for e in bank.entries:
        for seed in e.seeds:
            by_seed_entries[seed] += 1
        for s in e.sources:
            by_seed_sources[s.seed] += 1
    seeds = sorted(set(bank.meta.seed_counts) | set(by_seed_sources))
    return {
        "entries": len(bank.entries),
        "seeds": {
            seed: {
                "found_in_seed": bank.meta.seed_counts.get(seed),
                "accounted_for": by_seed_sources.get(seed, 0),
                "entries": by_seed_entries.get(seed, 0),
            }
            for seed in seeds
        },
        "merged_entries": sum(1 for e in bank.entries if len(e.sources) > 1),
        "topics": {t: sum(1 for e in bank.entries if e.topic == t) for t in TOPICS},
        "roles": {r: sum(1 for e in bank.entries if r in e.roles) for r in ROLES},
        "difficulty": {
            str(d): sum(1 for e in bank.entries if e.difficulty == d) for d in (1, 2, 3)
        },
        "coverage": {
            "rubric": sum(1 for e in bank.entries if e.rubric),
            "rubric_3_to_6": sum(
                1 for e in bank.entries if RUBRIC_MIN_POINTS <= len(e.rubric) <= RUBRIC_MAX_POINTS
            ),
            "reference_answer": sum(1 for e in bank.entries if e.reference_answer),
            "follow_ups": sum(1 for e in bank.entries if e.follow_ups),
            "reading": sum(1 for e in bank.entries if e.reading),
            "generated_from_heading": sum(1 for e in bank.entries if e.generated_from_heading),
        },
        "label_source": dict(Counter(e.label_source for e in bank.entries)),
        "rubric_source": dict(Counter(e.rubric_source for e in bank.entries)),
    }


def iter_texts(entry: Entry) -> Sequence[str]:
    """Every text of an entry a human reads (for normalisation checks)."""
    out = [entry.question, *(s.text or "" for s in entry.sources)]
    out += [f.question for f in entry.follow_ups] + [f.answer or "" for f in entry.follow_ups]
    out += [entry.reference_answer or "", *(r.point for r in entry.rubric), *entry.tags]
    return out
