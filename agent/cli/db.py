"""``mianshi db migrate|export|import``: the database's schema, and a whole history moved
between SQLite and PostgreSQL (see agent/db/)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from agent.db.database import migrate, open_database
from agent.db.transfer import dump_line, export_records, import_records
from agent.errors import UserError
from agent.redact import redact_url
from agent.settings import load_settings


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "db", help="the database: schema migrations, and moving a history between databases"
    )
    sub = p.add_subparsers(dest="action", metavar="ACTION")
    sub.required = True
    mig = sub.add_parser(
        "migrate",
        help="bring a database's schema up to date; with --from, also copy a whole history "
        "into it (e.g. your SQLite file into PostgreSQL)",
    )
    mig.add_argument("--to", help="the database to migrate (default: the configured one)")
    mig.add_argument("--from", dest="source", help="copy everything from this database first")
    exp = sub.add_parser("export", help="write a database's whole history to a JSONL file")
    exp.add_argument("out", type=Path)
    exp.add_argument("--from", dest="source", help="default: the configured database")
    imp = sub.add_parser("import", help="load a JSONL history (idempotent)")
    imp.add_argument("archive", type=Path)
    imp.add_argument("--to", help="default: the configured database")
    p.set_defaults(func=_db)


def _url(given: str | None) -> str:
    if not given:
        return load_settings().database
    if "://" not in given:  # a SQLite file
        path = Path(given).expanduser()
        return f"sqlite:///{path.resolve()}"
    return given


def _say(text: str) -> None:
    print(f"  {text}", file=sys.stderr)


def _db(args: argparse.Namespace) -> int:
    if args.action == "migrate":
        target = _url(args.to)
        applied = migrate(target)
        print(f"{redact_url(target)}: schema up to date ({len(applied)} migration(s) applied"
              f"{': ' + ', '.join(applied) if applied else ''})")  # fmt: skip
        if args.source:
            return _copy(_url(args.source), target)
        return 0
    if args.action == "export":
        return _export(_url(args.source), args.out)
    return _import(args.archive, _url(args.to))


def _copy(source: str, target: str) -> int:
    if source == target:
        raise UserError("--from and --to are the same database")
    src, dst = open_database(source), open_database(target)
    try:
        added = import_records(dst, dst.checkpointer(),
                               export_records(src, src.checkpointer(), _say), _say)  # fmt: skip
    finally:
        src.close()
        dst.close()
    print(f"copied {redact_url(source)} → {redact_url(target)}: {_counts(added)}")
    return 0


def _export(source: str, out: Path) -> int:
    db = open_database(source)
    n = 0
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(out.name + ".part")
        with tmp.open("w", encoding="utf-8") as fh:
            for record in export_records(db, db.checkpointer(), _say):
                fh.write(dump_line(record) + "\n")
                n += 1
        tmp.replace(out)  # a half-written archive never takes the name
    finally:
        db.close()
    print(f"wrote {n} record(s) from {redact_url(source)} to {out}")
    return 0


def _import(archive: Path, target: str) -> int:
    if not archive.is_file():
        raise UserError(f"no such archive: {archive}")

    def records() -> Iterator[dict[str, Any]]:
        with archive.open(encoding="utf-8") as fh:
            for n, line in enumerate(fh, start=1):
                if line.strip():
                    try:
                        yield json.loads(line)
                    except json.JSONDecodeError as exc:
                        raise UserError(f"{archive}:{n} is not a JSON line ({exc})") from None

    db = open_database(target)
    try:
        added = import_records(db, db.checkpointer(), records(), _say)
    finally:
        db.close()
    print(f"imported {archive} into {redact_url(target)}: {_counts(added)}")
    return 0


def _counts(added: dict[str, int]) -> str:
    return ", ".join(f"{n} {name}" for name, n in added.items())
