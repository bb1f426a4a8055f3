"""All configuration in one place: environment variables (and ``.env``) mapped to one class."""

from __future__ import annotations

import secrets
from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings"]

DEFAULT_DATA_DIR = Path("data")
_PLACEHOLDER_SECRETS = {"changeme", "change-me", "secret", "changethis", "dev"}


class Settings(BaseSettings):
    """Settings for one running simulator; pass an instance to ``make_app``."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    data_dir: Path = DEFAULT_DATA_DIR
    database_url: str = Field(
        default="",
        description="SQLAlchemy URL; empty means a SQLite file under data_dir.",
    )
    secret_key: SecretStr | None = Field(
        default=None,
        description="Signs identity cookies; empty means one generated and kept in data_dir.",
    )
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)

    openai_api_key: SecretStr | None = None
    openai_base_url: str | None = None
    anthropic_api_key: SecretStr | None = None
    anthropic_base_url: str | None = Field(
        default=None, description="Anthropic's API through a proxy or gateway; empty is direct."
    )
    interviewer_model: str = Field(
        default="",
        description="provider:model for the interviewer; empty picks from the configured keys.",
    )
    judge_model: str = Field(
        default="",
        description="offline or provider:model for grading; empty picks from the configured keys.",
    )
    openai_model: str = "gpt-4.1-mini"
    anthropic_model: str = "claude-sonnet-4-6"

    provider_timeout_seconds: float = Field(default=60.0, gt=0, le=600)
    context_tokens: int = Field(
        default=6000, ge=500, description="Token budget for the conversation sent to the model."
    )
    session_token_budget: int = Field(
        default=300_000, ge=1000, description="Tokens one session may spend before it is stopped."
    )
    price_table: Path | None = Field(
        default=None, description="YAML price table; empty uses llm/prices.yaml."
    )

    offline_token_delay: float = Field(
        default=0.012, ge=0, le=1, description="Seconds between streamed offline tokens."
    )
    cookie_secure: bool = False
    allowed_origins: list[str] = Field(
        default_factory=list,
        description="Extra origins allowed to open the WebSocket (same-origin always is).",
    )
    turn_lease_seconds: float = Field(
        default=90.0, gt=5, description="A reply silent this long is taken as orphaned."
    )
    delta_flush_seconds: float = Field(
        default=0.25, gt=0, le=5, description="How often reply pieces are flushed to the log."
    )

    @field_validator("secret_key")
    @classmethod
    def _refuse_placeholder_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value():
            return None
        raw = value.get_secret_value()
        if raw.lower() in _PLACEHOLDER_SECRETS or len(raw) < 16:
            raise ValueError("SECRET_KEY must be at least 16 characters and not a placeholder")
        return value

    @field_validator("openai_base_url", "anthropic_base_url")
    @classmethod
    def _blank_base_url_is_none(cls, value: str | None) -> str | None:
        return value or None

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'interviews.sqlite3').as_posix()}"

    def resolved_secret_key(self) -> str:
        """The configured key, or one generated once and kept in ``data_dir/secret_key``."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value()
        path = self.data_dir / "secret_key"
        if path.exists():
            return path.read_text(encoding="utf-8").strip()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(32)
        path.write_text(key, encoding="utf-8")
        path.chmod(0o600)
        return key
