"""Shared fixtures. Integration fixtures start real servers with the real models."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from agent.llm.client import LLMClient
from agent.settings import Settings, load_settings

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


@pytest.fixture
def isolated_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings with no endpoint configured and a private data dir; the model cache is
    the user's real one (where `make setup` assembled the bundled models)."""
    for var in ("OPENAI_BASE_URL", "OPENAI_API_KEY", "MIANSHI_LLM_BASE_URL", "MIANSHI_LLM_API_KEY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("MIANSHI_CONFIG", str(tmp_path / "no-config.toml"))
    monkeypatch.setenv("MIANSHI_DATA_DIR", str(tmp_path / "data"))
    return load_settings()


@pytest.fixture(scope="session")
def embedded_llm() -> Iterator[LLMClient]:
    """One real embedded llama.cpp server with the bundled model for the whole run."""
    from agent.llm.server import connect

    settings = load_settings(llm_base_url=None)
    with connect(settings) as client:
        yield client


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Any]:
    """One throwaway PostgreSQL cluster (Debian's initdb + pg_ctl; `make pg-deps`
    installs them) for the whole run; each test gets its own database on it."""
    from agent.db.cluster import Cluster

    with Cluster() as cluster:
        yield cluster


@pytest.fixture
def pg_url(pg_cluster: Any) -> str:
    import uuid

    return str(pg_cluster.create_database(f"t_{uuid.uuid4().hex[:10]}"))


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The storage tests run on both stores: a SQLite file and a real PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'data' / 'sessions.sqlite'}"
    return str(request.getfixturevalue("pg_url"))
