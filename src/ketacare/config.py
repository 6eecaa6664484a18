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
from typing import Literal

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
    # Outgoing mail (check-in links, session reminders): STARTTLS and login when the relay needs
    # them; the development default is a local catch-all relay on port 1025.
    smtp_starttls: bool = False
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_timeout_s: float = 30.0
    # How outgoing mail leaves: "smtp" (the relay above) or "file" (each message written as an
    # .eml file under <data_dir>/outbox/, for development without an SMTP server). Unset, it is
    # "file" in development and "smtp" otherwise; production refuses "file" (see _mail_delivery).
    mail_delivery: Literal["smtp", "file"] = "smtp"
    # The job worker: how often it looks for due jobs, and how long a claimed job is leased.
    worker_poll_s: float = 5.0
    worker_lease_s: int = 300

    @model_validator(mode="after")
    def _fill_database_url(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data_dir / 'ketacare.sqlite3'}"
        return self

    @model_validator(mode="after")
    def _mail_delivery(self) -> Settings:
        if "mail_delivery" not in self.model_fields_set:
            dev = self.environment is Environment.DEVELOPMENT
            self.mail_delivery = "file" if dev else "smtp"
        elif self.mail_delivery == "file" and self.is_production:
            # Raised as is (not a ValueError): production must never silently write emails —
            # which carry one-time check-in links — to files instead of sending them.
            raise SettingsError(
                "KETACARE_MAIL_DELIVERY=file writes emails to files instead of sending them; "
                "production refuses it: use smtp (the default) with the KETACARE_SMTP_* settings"
            )
        return self

    @property
    def outbox_dir(self) -> Path:
        """Where mail_delivery "file" writes the emails (one .eml per Message-ID)."""
        return self.data_dir / "outbox"

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
