"""Settings: one typed object, built by `get_settings()` (never at import time).

Environment variables use the prefix KETACARE_ (e.g. KETACARE_DATABASE_URL). In development the
session-signing secret is generated on first run and kept in the data directory; in production a
missing or placeholder secret is refused at start-up.
"""

from __future__ import annotations

import os
import secrets
from enum import StrEnum
from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_SECRETS = frozenset({"", "changeme", "change-me", "secret", "placeholder", "xxx"})
MIN_SECRET_LENGTH = 32


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class SettingsError(RuntimeError):
    """The settings cannot be used as given (fail fast at start-up, with the reason)."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KETACARE_", env_file=None, extra="ignore")

    environment: Environment = Environment.DEVELOPMENT
    data_dir: Path = Field(default_factory=lambda: Path.cwd() / "var")
    database_url: str = ""
    secret_key: str = ""
    host: str = "127.0.0.1"
    port: int = 8000
    # Cookies carry Secure in production (served behind TLS); plain http on localhost otherwise.
    secure_cookies: bool = False
    session_max_age_s: int = 8 * 3600
    api_token_ttl_h: int = 12
    # Sign-in throttling: this many failures within the window lock the account for the window.
    signin_max_failures: int = 5
    signin_window_s: int = 15 * 60
    sqlite_busy_timeout_ms: int = 5000
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
    smtp_sender: str = "ketacare@localhost"
    public_base_url: str = "http://127.0.0.1:8000"

    @model_validator(mode="after")
    def _fill_database_url(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data_dir / 'ketacare.sqlite3'}"
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def is_production(self) -> bool:
        return self.environment is Environment.PRODUCTION


def get_settings(**overrides: object) -> Settings:
    """Build the settings from the environment (and explicit overrides), then resolve the secret."""
    settings = Settings(**overrides)  # type: ignore[arg-type]
    if settings.is_sqlite:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    settings.secret_key = _resolve_secret(settings)
    return settings


def _resolve_secret(settings: Settings) -> str:
    given = settings.secret_key.strip()
    if settings.is_production:
        if given.lower() in PLACEHOLDER_SECRETS or len(given) < MIN_SECRET_LENGTH:
            raise SettingsError(
                "KETACARE_SECRET_KEY is missing, a placeholder or shorter than "
                f"{MIN_SECRET_LENGTH} characters; production refuses to start without a real secret"
            )
        return given
    if given:
        return given
    # Development/test: keep a generated secret beside the data so sessions survive restarts.
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    path = settings.data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    generated = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(generated)
    return generated
