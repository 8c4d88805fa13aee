"""Loading the bank file, cached twice.

In memory (``load_bank`` is memoised per path and reloads when the file changed) and
on disk (a JSON copy in ``question_bank/.cache/`` keyed by the YAML's sha256, because
parsing the YAML is several times slower than parsing JSON). The YAML stays the source
of truth: any edit changes its hash and the cache is rebuilt on the next load.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from agent.bank.models import Bank
from agent.errors import UserError
from agent.osutil import write_atomic

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_BANK_PATH = REPO_ROOT / "question_bank" / "bank.yaml"

_LOADED: dict[Path, tuple[str, Bank]] = {}


def _yaml_load(data: bytes) -> Any:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(data, Loader=loader)


def _cache_path(path: Path, digest: str) -> Path:
    return path.parent / ".cache" / f"{path.stem}.{digest[:16]}.json"


def read_raw(path: Path) -> tuple[str, Any]:
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
        write_atomic(cache, json.dumps(raw, ensure_ascii=False))
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
    digest, raw = read_raw(p)
    try:
        bank = Bank.model_validate(raw)
    except ValidationError as exc:
        raise UserError(
            f"{p} does not match the bank schema ({exc.error_count()} errors); "
            "run `mianshi bank validate` for the list"
        ) from None
    _LOADED[p] = (digest, bank)
    return bank
