"""The build, step by step: find and parse the seeds, dedup, make the entries,
apply the curated overlays, check the bank's schema and write it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from agent.bank import TOPICS, Bank, load_bank

from .common import DEFAULT_CURATED, DEFAULT_OUT, DEFAULT_SEEDS, Item, seed_order
from .dedup import Pair, dedup
from .english import apply_english, load_english
from .entries import build_entry
from .knowledge import apply_knowledge, load_knowledge
from .overlays import apply_overlay, load_overlays
from .render import compact, render
from .seed000 import parse_000
from .seed001 import parse_001
from .seed002 import parse_002
from .seed003 import parse_003
from .seed004 import parse_004

#: The parser of each seed, by the seed file's prefix (``000_*.txt`` …), in build order.
PARSERS: dict[str, Callable[[Path], list[Item]]] = {
    "000": parse_000,
    "001": parse_001,
    "002": parse_002,
    "003": parse_003,
    "004": parse_004,
}

#: ``meta.generated_by`` in the bank (the value it has always had; ``BankMeta``'s default).
GENERATED_BY = "question_bank/build.py"

Log = Callable[[str], object]


def _with_knowledge(entry: dict[str, Any], fields: dict[str, Any]) -> dict[str, Any]:
    try:
        return apply_knowledge(entry, fields)
    except ValueError as exc:
        raise SystemExit(f"knowledge overlay for {entry['id']}: {exc}") from None


def _with_english(entry: dict[str, Any], fields: dict[str, Any] | None) -> dict[str, Any]:
    try:
        return apply_english(entry, fields)
    except ValueError as exc:
        raise SystemExit(f"English text for {entry['id']}: {exc}") from None


def find_seeds(seeds_dir: Path) -> dict[str, Path]:
    out = {}
    for prefix in PARSERS:
        found = sorted(seeds_dir.glob(f"{prefix}_*.txt"))
        if not found:
            raise SystemExit(f"seed {prefix}_*.txt not found in {seeds_dir}")
        out[prefix] = found[0]
    return out


def build(
    seeds_dir: Path = DEFAULT_SEEDS,
    out: Path | None = DEFAULT_OUT,
    curated_dir: Path = DEFAULT_CURATED,
    log: Log = print,
) -> dict[str, Any]:
    """Rebuild the bank from the seeds and overlays; write it to ``out`` (unless None)
    and return it."""
    items, seed_counts = parse_seeds(find_seeds(seeds_dir), log)
    groups, merges, near = dedup(items)
    _log_pairs(merges, near, log)
    entries = [build_entry(g) for g in groups]
    ids = [e["id"] for e in entries]
    dupes = {i for i in ids if ids.count(i) > 1}
    if dupes:
        raise SystemExit(f"duplicate ids: {sorted(dupes)}")
    overlays = load_overlays(curated_dir)
    unknown = set(overlays) - set(ids)
    if unknown:
        raise SystemExit(
            f"curated overlays name ids that are not in the bank: {sorted(unknown)} "
            "(did a seed or the id rule change?)"
        )
    knowledge = load_knowledge(curated_dir)
    unknown = set(knowledge) - set(ids)
    if unknown:
        raise SystemExit(f"knowledge overlays name ids that are not in the bank: {sorted(unknown)}")
    entries = [apply_overlay(e, overlays.get(e["id"], {})) for e in entries]
    english = load_english(curated_dir)
    unknown = set(english) - set(ids)
    if unknown:
        raise SystemExit(f"English text names ids that are not in the bank: {sorted(unknown)}")
    entries = [_with_knowledge(e, knowledge.get(e["id"], {})) for e in entries]
    entries = [compact(_with_english(e, english.get(e["id"]))) for e in entries]
    bank = {
        "version": 1,
        "meta": {"generated_by": GENERATED_BY, "seed_counts": seed_counts},
        "topics": list(TOPICS),
        "entries": entries,
    }
    Bank.model_validate(bank)  # fail the build on any schema error
    log(
        f"{len(items)} seed questions -> {len(entries)} entries "
        f"({len(merges)} merges, {len(near)} near misses); "
        f"{len(overlays)} curated overlays"
    )
    if out is not None:
        write_bank(bank, out, log)
    return bank


def parse_seeds(seeds: dict[str, Path], log: Log) -> tuple[list[Item], dict[str, int]]:
    """Every seed's questions, in seed order, and how many each seed gave."""
    items: list[Item] = []
    seed_counts: dict[str, int] = {}
    for prefix, path in seeds.items():
        found = PARSERS[prefix](path)
        seed_counts[path.name] = len(found)
        items += found
        log(f"{path.name}: {len(found)} questions")
    return items, seed_counts


def _log_pairs(merges: list[Pair], near: list[Pair], log: Log) -> None:
    """Every merge (in seed order) and every near miss (closest first), for a human."""
    for score, a, b in sorted(merges, key=lambda m: (seed_order(m[1]), seed_order(m[2]))):
        log(_pair_line("merged", "manual" if score < 0 else f"{score:.2f}", "=", a, b))
    for score, a, b in sorted(near, key=lambda m: -m[0]):
        log(_pair_line("near", f"{score:.2f}", "~", a, b))


def _pair_line(kind: str, how: str, sign: str, a: Item, b: Item) -> str:
    return (
        f"{kind:<8}{how}  {a.prefix} {a.locator} {sign} {b.prefix} {b.locator}  "
        f"{a.question[:40]} | {b.question[:40]}"
    )


def write_bank(bank: dict[str, Any], out: Path, log: Log) -> None:
    """Write the YAML when it changed, then prime the JSON load cache next to it."""
    text = render(bank)
    if not out.exists() or out.read_text(encoding="utf-8") != text:
        out.write_text(text, encoding="utf-8")
        log(f"wrote {out}")
    else:
        log(f"{out} unchanged")
    load_bank(out)  # primes the JSON load cache next to it
