from __future__ import annotations

from pathlib import Path

import pytest

from agent.errors import UserError
from agent.settings import load_settings


@pytest.fixture(autouse=True)
def clean_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for var in (
        "OPENAI_BASE_URL",
        "OPENAI_API_KEY",
        "OPENAI_MODEL",
        "MIANSHI_LLM_BASE_URL",
        "MIANSHI_LLM_API_KEY",
        "MIANSHI_LLM_MODEL",
        "MIANSHI_LLM_TIMEOUT",
    ):
        monkeypatch.delenv(var, raising=False)
    config = tmp_path / "config.toml"
    monkeypatch.setenv("MIANSHI_CONFIG", str(config))
    return config


def test_defaults_use_embedded_model() -> None:
    settings = load_settings()
    assert settings.uses_embedded_llm
    assert settings.llm_api_key is None


def test_standard_openai_names_work(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "https://api.deepseek.com/v1")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-standard")
    settings = load_settings()
    assert settings.llm_base_url == "https://api.deepseek.com/v1"
    assert settings.llm_api_key is not None
    assert settings.llm_api_key.get_secret_value() == "sk-standard"
    assert "sk-standard" not in repr(settings)  # never printed by accident


def test_mianshi_names_override_standard(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "https://api.openai.com/v1")
    monkeypatch.setenv("MIANSHI_LLM_BASE_URL", "http://localhost:11434/v1")
    assert load_settings().llm_base_url == "http://localhost:11434/v1"


def test_config_file_read_and_env_wins(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clean_env.write_text(
        'llm_base_url = "http://vllm.local:8000/v1"\nllm_model = "qwen2.5-7b"\nllm_timeout = 30\n'
    )
    settings = load_settings()
    assert settings.llm_base_url == "http://vllm.local:8000/v1"
    assert settings.llm_model == "qwen2.5-7b" and settings.llm_timeout == 30
    monkeypatch.setenv("MIANSHI_LLM_TIMEOUT", "45")
    assert load_settings().llm_timeout == 45


def test_bad_value_is_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MIANSHI_LLM_TIMEOUT", "-1")
    with pytest.raises(UserError, match="MIANSHI_LLM_TIMEOUT: Input should be greater than 0"):
        load_settings()


def test_an_instance_without_graders_needs_a_shared_database(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MIANSHI_GRADING_WORKERS", "0")
    with pytest.raises(UserError, match="grading_workers = 0 leaves grading to other"):
        load_settings()  # alone on SQLite nobody would ever grade
    monkeypatch.setenv("MIANSHI_DATABASE_URL", "postgresql://db.local/mianshi")
    assert load_settings().grading_workers == 0
