"""Prompts live as plain files in ``prompts/``; code loads them by name.

Templates use ``string.Template`` placeholders (``$answer``, ``${point}``) so JSON and
braces in prompt text need no escaping. A language-specific file
``NAME.LANG.md`` wins over ``NAME.md``.
"""

from __future__ import annotations

import functools
from pathlib import Path
from string import Template

import prompts as _prompts_package

#: The ``prompts`` package's folder (package data, so a non-editable install has it).
PROMPTS_DIR = Path(_prompts_package.__file__).resolve().parent


@functools.cache
def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def prompt_path(name: str, lang: str | None = None) -> Path:
    candidates = ([PROMPTS_DIR / f"{name}.{lang}.md"] if lang else []) + [
        PROMPTS_DIR / f"{name}.md"
    ]
    for path in candidates:
        if path.is_file():
            return path
    raise FileNotFoundError(f"no prompt file for {name!r} (lang={lang}) in {PROMPTS_DIR}")


def render(name: str, lang: str | None = None, /, **values: object) -> str:
    """Load ``prompts/NAME[.LANG].md`` and substitute ``values`` (all must be given)."""
    template = Template(_read(prompt_path(name, lang)))
    return template.substitute({k: str(v) for k, v in values.items()}).strip()
