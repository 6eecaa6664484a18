"""merge heads: finder, recovery, check-ins and boosters into one history

Revision ID: 0009_merge_heads
Revises: 0002_finder, 0006_recovery, 0007_checkins, 0008_boosters
Create Date: 2026-11-21 19:10:00

No schema change: the four branches were written in parallel from earlier revisions and touch
different tables. Merging them gives one head again, so `make migration` (which autogenerates on
the newest head) and `alembic upgrade head` work without naming branches.
"""

from __future__ import annotations

revision = "0009_merge_heads"
down_revision = ("0002_finder", "0006_recovery", "0007_checkins", "0008_boosters")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
