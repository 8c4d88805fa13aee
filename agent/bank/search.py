"""Ranking bank entries for a free-text query, and matching a question to its entry.

``SearchIndex.scored``: an inverted index of CJK character grams and ASCII words,
weighted by idf; the score is the share of the query's weight an entry matches (plus a
bonus when the whole query occurs verbatim). ``SearchIndex.match``: exact match on the
normalised text (any seed's wording), else the best character-bigram Dice similarity
at or above a threshold.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from functools import cached_property
from typing import TYPE_CHECKING

from agent.text import bigrams, dice, match_key, search_grams

if TYPE_CHECKING:
    from agent.bank.models import Entry


class SearchIndex:
    def __init__(self, entries: Sequence[Entry]) -> None:
        self.entries = list(entries)

    @cached_property
    def _index(self) -> tuple[dict[str, list[int]], dict[str, float], list[str]]:
        postings: dict[str, list[int]] = defaultdict(list)
        keys: list[str] = []
        for i, e in enumerate(self.entries):
            parts = [e.question, " ".join(e.tags), e.topic]
            parts += [s.text or "" for s in e.sources]
            parts += [f.question for f in e.follow_ups]
            text = "\n".join(parts)
            keys.append(match_key(text))
            for gram in Counter(search_grams(text)):
                postings[gram].append(i)
        n = max(len(self.entries), 1)
        idf = {g: math.log(1 + n / len(p)) for g, p in postings.items()}
        return dict(postings), idf, keys

    def scored(self, text: str, limit: int = 10) -> list[tuple[float, Entry]]:
        """Ranked (score, entry) pairs; score in [0, 1] (share of the query matched)."""
        postings, idf, keys = self._index
        grams = Counter(search_grams(text))
        if not grams:
            return []
        total = sum(idf.get(g, math.log(1 + len(self.entries))) for g in grams)
        scores: dict[int, float] = defaultdict(float)
        for g in grams:
            for i in postings.get(g, ()):
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

    def match(self, text: str, threshold: float = 0.6) -> Entry | None:
        """The entry whose wording (any seed's) is this text, or the most similar one
        at or above ``threshold`` (character-bigram Dice), or None."""
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
