"""Run Alembic programmatically (the CLI, `make run` and the test suite all go through here)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection

from ketacare.config import Settings

PROJECT_ROOT = Path(__file__).resolve().parents[3]
ALEMBIC_INI = PROJECT_ROOT / "alembic.ini"


def alembic_config(settings: Settings, connection: Connection | None = None) -> Config:
    if not ALEMBIC_INI.exists():
        raise RuntimeError(f"alembic.ini not found at {ALEMBIC_INI}; run from a source checkout")
    config = Config(str(ALEMBIC_INI))
    config.set_main_option("sqlalchemy.url", settings.database_url.replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(
    settings: Settings, *, revision: str = "heads", connection: Connection | None = None
) -> None:
    command.upgrade(alembic_config(settings, connection), revision)


def current_heads(settings: Settings) -> tuple[str, ...]:
    from alembic.script import ScriptDirectory

    return tuple(ScriptDirectory.from_config(alembic_config(settings)).get_heads())
