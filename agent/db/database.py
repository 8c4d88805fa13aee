"""One interface over the two stores Mianshi runs on.

- **SQLite** (the default: one file in the data dir, 0600 in a folder created 0700).
  One connection per ``Database`` behind a lock, WAL journal; a transaction that will
  write takes the file's write lock first (``BEGIN IMMEDIATE``), so two processes on
  one file never interleave.
- **PostgreSQL** (``postgresql://…``): a psycopg 3 connection pool that checks each
  connection before handing it out (so a server restart costs no answer); rows a
  transaction claims are locked ``FOR UPDATE SKIP LOCKED`` (see ``grading/jobs.py``).

SQL is written once, in the dialect both read (``?`` placeholders, ``ON CONFLICT``
upserts, ``DOUBLE PRECISION``); ``?`` becomes ``%s`` for psycopg. The schema is the
versioned migrations in ``migrations/``, applied by yoyo-migrations when a database is
opened (``mianshi db migrate`` applies them explicitly). LangGraph's checkpoints use
LangGraph's own savers (``SqliteSaver`` / ``PostgresSaver``) and their own setup.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal, Protocol

from agent.errors import UserError
from agent.osutil import make_private, private_file
from agent.redact import redact, redact_url, url_secrets

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
#: Connections per pool (a PostgreSQL database has two: ours and the checkpointer's).
#: An instance's threads mostly wait on the model, so a few suffice; the server's
#: max_connections (100 by default) bounds instances × 2 × POOL_SIZE.
POOL_SIZE = 6
Params = Sequence[Any]


class Tx(Protocol):
    """Statements inside one transaction."""

    def run(self, sql: str, params: Params = ()) -> int: ...
    def one(self, sql: str, params: Params = ()) -> tuple[Any, ...] | None: ...
    def all(self, sql: str, params: Params = ()) -> list[tuple[Any, ...]]: ...


def is_postgres(url: str) -> bool:
    return url.startswith(("postgresql://", "postgres://"))


def sqlite_path(target: str | Path) -> Path:
    """The file of ``sqlite:///PATH``, or a plain path."""
    text = str(target)
    return Path(text[len("sqlite:///") :] if text.startswith("sqlite:///") else text)


class Database:
    kind: Literal["sqlite", "postgres"]
    url: str

    def run(self, sql: str, params: Params = ()) -> int:
        """One statement in its own transaction; the rows it changed."""
        with self.transaction() as tx:
            return tx.run(sql, params)

    def one(self, sql: str, params: Params = ()) -> tuple[Any, ...] | None:
        with self.transaction(write=False) as tx:
            return tx.one(sql, params)

    def all(self, sql: str, params: Params = ()) -> list[tuple[Any, ...]]:
        with self.transaction(write=False) as tx:
            return tx.all(sql, params)

    @contextmanager
    def transaction(self, write: bool = True) -> Iterator[Tx]:
        raise NotImplementedError
        yield  # pragma: no cover

    def checkpointer(self) -> Any:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


class _SqliteTx:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def run(self, sql: str, params: Params = ()) -> int:
        return self.conn.execute(sql, tuple(params)).rowcount

    def one(self, sql: str, params: Params = ()) -> tuple[Any, ...] | None:
        row = self.conn.execute(sql, tuple(params)).fetchone()
        return tuple(row) if row is not None else None

    def all(self, sql: str, params: Params = ()) -> list[tuple[Any, ...]]:
        return [tuple(r) for r in self.conn.execute(sql, tuple(params)).fetchall()]


class SqliteDatabase(Database):
    kind = "sqlite"

    def __init__(self, path: Path) -> None:
        self.path = path
        self.url = f"sqlite:///{path}"
        if str(path) != ":memory:":
            # the owner's alone: answers, reports and password hashes are in it (its
            # -wal and -shm files take the database file's permissions)
            private_file(path)
            for side in ("-wal", "-shm", "-journal"):
                make_private(path.with_name(path.name + side))
        # autocommit mode: transactions are the explicit BEGIN … COMMIT below
        self.conn = sqlite3.connect(
            str(path), check_same_thread=False, timeout=30, isolation_level=None
        )
        self.conn.execute("PRAGMA journal_mode=WAL")
        self._lock = threading.RLock()
        self._cp_conn: sqlite3.Connection | None = None

    @contextmanager
    def transaction(self, write: bool = True) -> Iterator[Tx]:
        with self._lock:
            if self.conn.in_transaction:  # nested: part of the one already open
                yield _SqliteTx(self.conn)
                return
            self.conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                yield _SqliteTx(self.conn)
            except BaseException:
                self.conn.rollback()
                raise
            self.conn.commit()

    def checkpointer(self) -> Any:
        from langgraph.checkpoint.sqlite import SqliteSaver

        # its own connection: its transactions never interleave with ours on one handle
        self._cp_conn = sqlite3.connect(str(self.path), check_same_thread=False, timeout=30)
        saver = SqliteSaver(self._cp_conn)
        saver.setup()
        return saver

    def close(self) -> None:
        with self._lock:
            self.conn.close()
            if self._cp_conn is not None:
                self._cp_conn.close()


_PLACEHOLDER = re.compile(r"\?")
#: The PostgreSQL advisory lock key held while LangGraph's checkpoint tables are set up.
SETUP_LOCK = 0x6D69616E73686931  # "mianshi1"


class _PostgresTx:
    def __init__(self, conn: Any) -> None:
        self.conn = conn

    def run(self, sql: str, params: Params = ()) -> int:
        return int(self.conn.execute(_PLACEHOLDER.sub("%s", sql), tuple(params)).rowcount)

    def one(self, sql: str, params: Params = ()) -> tuple[Any, ...] | None:
        row = self.conn.execute(_PLACEHOLDER.sub("%s", sql), tuple(params)).fetchone()
        return tuple(row) if row is not None else None

    def all(self, sql: str, params: Params = ()) -> list[tuple[Any, ...]]:
        rows = self.conn.execute(_PLACEHOLDER.sub("%s", sql), tuple(params)).fetchall()
        return [tuple(r) for r in rows]


class PostgresDatabase(Database):
    kind = "postgres"

    def __init__(self, url: str) -> None:
        from psycopg_pool import ConnectionPool

        self.url = url
        # check: a connection the server dropped (a restart, an idle timeout) is
        # replaced before it is handed out, not found broken by the next answer
        self.pool = ConnectionPool(
            url, min_size=1, max_size=POOL_SIZE, kwargs={"autocommit": True}, open=False,
            check=ConnectionPool.check_connection,
        )  # fmt: skip
        try:
            self.pool.open(wait=True, timeout=15)
        except Exception as exc:
            self.pool.close()
            raise UserError(
                f"cannot connect to PostgreSQL at {redact_url(url)}: "
                f"{redact(str(exc), *url_secrets(url))}"
            ) from None
        self._cp_pool: Any = None

    @contextmanager
    def transaction(self, write: bool = True) -> Iterator[Tx]:
        with self.pool.connection() as conn, conn.transaction():
            yield _PostgresTx(conn)

    def checkpointer(self) -> Any:
        from langgraph.checkpoint.postgres import PostgresSaver
        from psycopg.rows import dict_row
        from psycopg_pool import ConnectionPool

        # the saver wants dict rows and no prepared statements: a pool of its own
        self._cp_pool = ConnectionPool(
            self.url, min_size=1, max_size=POOL_SIZE, open=True,
            kwargs={"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row},
            check=ConnectionPool.check_connection,
        )  # fmt: skip
        saver = PostgresSaver(self._cp_pool)
        # LangGraph's setup creates its tables unlocked: two processes starting at once
        # on a new database collided (duplicate pg_type rows). One at a time here.
        with self.pool.connection() as conn:
            conn.execute("SELECT pg_advisory_lock(%s)", (SETUP_LOCK,))
            try:
                saver.setup()
            finally:
                conn.execute("SELECT pg_advisory_unlock(%s)", (SETUP_LOCK,))
        return saver

    def close(self) -> None:
        self.pool.close()
        if self._cp_pool is not None:
            self._cp_pool.close()


def migrate(url: str) -> list[str]:
    """Apply the migrations not yet applied (under yoyo's lock); their ids."""
    from yoyo import get_backend, read_migrations

    if is_postgres(url):
        target = re.sub(r"^postgres(ql)?://", "postgresql+psycopg://", url)
    else:
        target = f"sqlite:///{sqlite_path(url)}"
    try:
        backend = get_backend(target)
    except Exception as exc:  # the driver's connection error: say where, without secrets
        raise UserError(
            f"cannot open the database {redact_url(url)} to migrate it: "
            f"{redact(str(exc), *url_secrets(url))}"
        ) from None
    try:
        migrations = read_migrations(str(MIGRATIONS))
        with backend.lock():
            todo = backend.to_apply(migrations)
            backend.apply_migrations(todo)
        return [m.id for m in todo]
    finally:
        backend.connection.close()


_migrated: set[str] = set()
_migrate_lock = threading.Lock()


def open_database(target: Database | str | Path) -> Database:
    """A ``Database`` for a URL or a SQLite path, its schema migrated (once per process)."""
    if isinstance(target, Database):
        return target
    url = str(target)
    if is_postgres(url):
        db: Database = PostgresDatabase(url)
    else:
        db = SqliteDatabase(sqlite_path(url))
    with _migrate_lock:
        if db.url not in _migrated:
            migrate(db.url)
            _migrated.add(db.url)
    return db
