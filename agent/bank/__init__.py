"""The question bank: schema (``models``), loading (``loader``), search (``search``) and
checks (``validate``). The bank itself is ``question_bank/bank.yaml``."""

from agent.bank.loader import DEFAULT_BANK_PATH, REPO_ROOT, load_bank
from agent.bank.models import (
    ROLES,
    RUBRIC_MAX_POINTS,
    RUBRIC_MIN_POINTS,
    TOPIC_EN,
    TOPICS,
    Bank,
    BankMeta,
    Entry,
    FollowUp,
    Reading,
    Role,
    RubricPoint,
    SeedNotes,
    Source,
    Topic,
    topic_label,
)
from agent.bank.validate import iter_texts, stats, validate

__all__ = [
    "DEFAULT_BANK_PATH",
    "REPO_ROOT",
    "ROLES",
    "RUBRIC_MAX_POINTS",
    "RUBRIC_MIN_POINTS",
    "TOPICS",
    "TOPIC_EN",
    "Bank",
    "BankMeta",
    "Entry",
    "FollowUp",
    "Reading",
    "Role",
    "RubricPoint",
    "SeedNotes",
    "Source",
    "Topic",
    "iter_texts",
    "load_bank",
    "stats",
    "topic_label",
    "validate",
]
