"""Alembic environment: runs against a connection handed in by ketacare, or the settings' URL."""

from __future__ import annotations

from alembic import context

from ketacare.config import get_settings
from ketacare.db import models  # noqa: F401  (registers every table on the metadata)
from ketacare.db.base import Base
from ketacare.db.engine import make_engine

target_metadata = Base.metadata


def _run(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite needs batch mode to alter tables
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(get_settings())
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (SQL script) migrations are not supported; run `ketacare db upgrade`")
run_migrations_online()
