"""A whole history moved between databases (SQLite ⇄ PostgreSQL): our tables and every
session's LangGraph checkpoints, through a portable JSON Lines archive.

Each line is one record: ``{"table": NAME, "row": [...]}`` for a row of ours, or
``{"checkpoint": {...}}`` for one checkpoint of a session with its pending writes,
values serialised by LangGraph's own serializer (type tag + base64 bytes). Checkpoints
are written oldest first, so a parent is always stored before its children. Import
is idempotent: rows and checkpoints already there are kept as they are.

Transient tables (answer claims, grading jobs, instance heartbeats) are not moved: a
grade that was still due is graded again when its session's report is collected.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from agent.db.database import Database

#: Our durable tables and their columns, in the order of the archive.
TABLES: dict[str, tuple[str, ...]] = {
    "users": ("name", "hash", "created"),
    "sessions": ("id", "candidate", "created", "updated", "status", "config", "report"),
    "grades": ("session_id", "turn", "question_id", "status", "grade", "updated"),
    "review_cards": ("candidate", "question_id", "point", "question", "reference", "topic",
                     "card", "due", "updated"),
}  # fmt: skip

Progress = Callable[[str], None]


def _typed(serde: Any, value: Any) -> list[str]:
    kind, data = serde.dumps_typed(value)
    return [kind, base64.b64encode(data).decode("ascii")]


def _untyped(serde: Any, item: list[str]) -> Any:
    return serde.loads_typed((item[0], base64.b64decode(item[1])))


def export_records(db: Database, saver: Any, progress: Progress | None = None) -> Iterator[dict]:
    """Every row of ours and every checkpoint of every session, as archive records."""
    for table, columns in TABLES.items():
        for row in db.all(f"SELECT {', '.join(columns)} FROM {table}"):
            yield {"table": table, "row": list(row)}
    serde = saver.serde
    sessions = [r[0] for r in db.all("SELECT id FROM sessions ORDER BY created")]
    for n, thread in enumerate(sessions, start=1):
        found = list(saver.list({"configurable": {"thread_id": thread}}))
        for tup in reversed(found):  # oldest first
            conf = tup.config["configurable"]
            parent = (tup.parent_config or {}).get("configurable", {}).get("checkpoint_id")
            yield {
                "checkpoint": {
                    "thread_id": conf["thread_id"],
                    "checkpoint_ns": conf.get("checkpoint_ns", ""),
                    "checkpoint_id": conf["checkpoint_id"],
                    "parent_id": parent,
                    "checkpoint": _typed(serde, tup.checkpoint),
                    "metadata": _typed(serde, tup.metadata),
                    "writes": [[task, channel, _typed(serde, value)]
                               for task, channel, value in tup.pending_writes or []],
                }
            }  # fmt: skip
        if progress:
            progress(f"session {n}/{len(sessions)} {thread}: {len(found)} checkpoint(s)")


def import_records(
    db: Database, saver: Any, records: Iterable[dict], progress: Progress | None = None
) -> dict[str, int]:
    """Archive records into ``db`` and its checkpointer; how many of each were added."""
    added: dict[str, int] = {t: 0 for t in TABLES} | {"checkpoints": 0}
    serde = saver.serde
    for record in records:
        if "table" in record:
            table = record["table"]
            if table not in TABLES:
                raise ValueError(f"unknown table {table!r} in the archive")
            columns = TABLES[table]
            marks = ", ".join("?" for _ in columns)
            added[table] += db.run(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks}) "
                "ON CONFLICT DO NOTHING",
                record["row"],
            )
            continue
        cp = record["checkpoint"]
        config = {"configurable": {"thread_id": cp["thread_id"],
                                   "checkpoint_ns": cp["checkpoint_ns"]}}  # fmt: skip
        here = {**config["configurable"], "checkpoint_id": cp["checkpoint_id"]}
        if saver.get_tuple({"configurable": here}) is not None:
            continue  # imported before
        if cp["parent_id"]:
            config["configurable"]["checkpoint_id"] = cp["parent_id"]
        checkpoint = _untyped(serde, cp["checkpoint"])
        saved = saver.put(config, checkpoint, _untyped(serde, cp["metadata"]),
                          dict(checkpoint.get("channel_versions", {})))  # fmt: skip
        by_task: dict[str, list[tuple[str, Any]]] = {}
        for task, channel, value in cp["writes"]:
            by_task.setdefault(task, []).append((channel, _untyped(serde, value)))
        for task, writes in by_task.items():
            saver.put_writes(saved, writes, task)
        added["checkpoints"] += 1
        if progress and added["checkpoints"] % 50 == 0:
            progress(f"{added['checkpoints']} checkpoint(s)")
    return added


def dump_line(record: dict) -> str:
    return json.dumps(record, ensure_ascii=False)
