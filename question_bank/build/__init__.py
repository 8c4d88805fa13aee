"""Rebuild ``question_bank/bank.yaml`` from the seed texts in ``../shared/seeds``.

    python -m question_bank.build [--seeds DIR] [--out PATH] [--curated DIR] [--quiet]

Parses every seed, normalises the text (NFKC …, see ``agent.text.clean_text``),
labels each question (topic, roles, difficulty), merges duplicates across seeds,
applies the curated overlays in ``question_bank/curated/*.yaml`` and writes the bank.
It prints every merge it made and every near miss, so a human can check them.
``question_bank/README.md`` explains ids, labels and the dedup rule.

One module per concern:

- ``common``: paths, the seed-question record ``Item``, seed reading, exact text
  repairs (``TextFixes``) and a question's sub-questions;
- ``seed000`` … ``seed004``: one parser per seed, with that seed's tables;
- ``labels``: topic, roles and difficulty when the seed gives none;
- ``dedup``: which questions are the same (and which follow-ups repeat);
- ``entries``: one bank entry (id, labels, sources …) per group of merged questions;
- ``overlays``: the curated overlays;
- ``render``: the YAML output;
- ``pipeline``: ``build()``, the steps in order; ``cli``/``__main__``: the command line.
"""

from .cli import main
from .common import DEFAULT_CURATED, DEFAULT_OUT, DEFAULT_SEEDS, Item
from .pipeline import PARSERS, build, find_seeds

__all__ = [
    "DEFAULT_CURATED",
    "DEFAULT_OUT",
    "DEFAULT_SEEDS",
    "PARSERS",
    "Item",
    "build",
    "find_seeds",
    "main",
]
