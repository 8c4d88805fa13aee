"""A company-flavoured interview, as far as the bank allows: seed 003 tags its real
questions with the companies that asked them (字节, 阿里, 腾讯, OpenAI, DeepMind).

With a company chosen, its tagged questions come first (selection's ``company_ids``)
and the rest of the set leans to the topics those questions are about (a focus, when
the candidate gave none from a CV or job)."""

from __future__ import annotations

from collections import Counter

from agent.bank import Bank
from agent.errors import UserError

#: Other names candidates type for the companies the bank knows.
ALIASES = {
    "bytedance": "字节", "字节跳动": "字节", "douyin": "字节", "tiktok": "字节",
    "alibaba": "阿里", "阿里巴巴": "阿里", "aliyun": "阿里", "阿里云": "阿里",
    "tencent": "腾讯", "openai": "OpenAI", "deepmind": "DeepMind", "google deepmind": "DeepMind",
}  # fmt: skip


def companies(bank: Bank) -> list[str]:
    """The companies the bank's questions are tagged with, the most tagged first."""
    counts = Counter(c for e in bank.entries for c in e.companies)
    return [c for c, _ in counts.most_common()]


def canonical(bank: Bank, name: str) -> str:
    """The bank's name for ``name`` (``UserError`` listing the known ones otherwise)."""
    known = companies(bank)
    wanted = name.strip()
    found = ALIASES.get(wanted.lower(), wanted)
    match = next((c for c in known if c.lower() == found.lower()), None)
    if match is None:
        raise UserError(
            f"no questions in the bank are tagged with company {name!r}; known: {', '.join(known)}"
        )
    return match


def company_ids(bank: Bank, company: str) -> set[str]:
    return {e.id for e in bank.entries if company in e.companies}


def company_topics(bank: Bank, company: str) -> dict[str, float]:
    """Topic → weight in (0, 1] by how many of the company's questions are about it."""
    counts = Counter(e.topic for e in bank.entries if company in e.companies)
    if not counts:
        return {}
    top = max(counts.values())
    return {t: round(n / top, 2) for t, n in counts.most_common(4)}
