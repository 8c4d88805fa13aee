"""Where sessions, grades, accounts, review cards and LangGraph's checkpoints live:
one SQLite file (the default) or PostgreSQL (``MIANSHI_DATABASE_URL=postgresql://…``).
See ``database.py``; the schema is the versioned migrations in ``migrations/``."""

from agent.db.database import Database, open_database

__all__ = ["Database", "open_database"]
