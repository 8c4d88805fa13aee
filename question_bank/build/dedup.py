"""Dedup: which seed questions are the same question (character-bigram Dice of
their match keys, plus the pairs a human merged), and which follow-ups of a
merged entry repeat each other."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from agent.text import bigrams, dice, match_key

from .common import Item, seed_order

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

#: (score, item, item); a manual merge scores -1.
Pair = tuple[float, Item, Item]


def _priority(item: Item) -> tuple[int, int]:
    return (SEED_PRIORITY.index(item.prefix), item.line)


class _DisjointSets:
    """Union-find over item indexes, with path halving."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, x: int) -> int:
        parent = self.parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(self, i: int, j: int) -> None:
        """Join j's set into i's."""
        self.parent[self.find(j)] = self.find(i)


def dedup(items: list[Item]) -> tuple[list[list[Item]], list[Pair], list[Pair]]:
    """Group the same question across (and within) seeds.

    Returns the groups (primary first), the merges made and the near misses.
    """
    sets = _DisjointSets(len(items))
    merges: list[Pair] = []
    near: list[Pair] = []
    for score, i, j in _scored_pairs(items):
        if score >= MERGE_THRESHOLD:
            merges.append((score, items[i], items[j]))
            sets.union(i, j)
        elif score >= NEAR_MISS_FLOOR:
            near.append((score, items[i], items[j]))
    where = {(it.prefix, it.locator): n for n, it in enumerate(items)}
    for a, b in MANUAL_MERGES:
        i, j = where[a], where[b]
        merges.append((-1.0, items[i], items[j]))
        sets.union(i, j)
    return _groups(items, sets), merges, near


def _scored_pairs(items: list[Item]) -> Iterator[tuple[float, int, int]]:
    """(Dice score, i, j) for each pair i < j sharing a bigram that may merge:
    neither generated from a heading, and long enough or identical."""
    # compare each seed's own wording (002's titles, not our interview phrasing)
    texts = [match_key(it.raw if it.raw is not None else it.question) for it in items]
    keys = [bigrams(t) for t in texts]
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
            if min(len(texts[i]), len(texts[j])) < MIN_FUZZY_CHARS and texts[i] != texts[j]:
                continue
            yield 2 * shared / (len(k) + len(keys[j])), i, j


def _groups(items: list[Item], sets: _DisjointSets) -> list[list[Item]]:
    """The sets as lists, primary first, in seed order of their primaries."""
    groups: dict[int, list[Item]] = defaultdict(list)
    for i, it in enumerate(items):
        groups[sets.find(i)].append(it)
    out = [sorted(g, key=_priority) for g in groups.values()]
    out.sort(key=lambda g: seed_order(g[0]))
    return out


def dedup_follow_ups(fus: list[dict[str, str]], question: str) -> list[dict[str, str]]:
    """The follow-ups without repeats (same match key, or Dice ≥ 0.8 to an earlier
    one) and without the question itself; a repeat's answer fills a missing one."""
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
