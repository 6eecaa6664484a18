"""recovery: an optional recovery room held after a session's chair time

Revision ID: 0006_recovery
Revises: 0005_symptoms
Create Date: 2026-11-22 10:00:00

SQLite cannot add a constraint to an existing table, and batch mode would copy and drop
`treatment_sessions` (which other tables reference). SQLite does accept a new nullable column
with an inline REFERENCES clause, so that is what it gets; PostgreSQL gets a named FK.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import ketacare.db.base

revision = "0006_recovery"
down_revision = "0005_symptoms"
branch_labels = None
depends_on = None

FK = "fk_treatment_sessions_recovery_room_id_locations"
INDEX = "ix_treatment_sessions_recovery_room_id"


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "ALTER TABLE treatment_sessions ADD COLUMN recovery_room_id INTEGER "
            f"CONSTRAINT {FK} REFERENCES locations (id)"
        )
    else:
        op.add_column("treatment_sessions", sa.Column("recovery_room_id", sa.Integer()))
        op.create_foreign_key(FK, "treatment_sessions", "locations", ["recovery_room_id"], ["id"])
    op.add_column(
        "treatment_sessions",
        sa.Column("recovery_end", ketacare.db.base.UTCDateTime(timezone=True), nullable=True),
    )
    op.create_index(INDEX, "treatment_sessions", ["recovery_room_id"], unique=False)


def downgrade() -> None:
    op.drop_index(INDEX, table_name="treatment_sessions")
    op.drop_column("treatment_sessions", "recovery_end")
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(FK, "treatment_sessions", type_="foreignkey")
    op.drop_column("treatment_sessions", "recovery_room_id")
