"""finder: the public facility directory (listings) and its change log

Revision ID: 0002_finder
Revises: 0001_foundation
Create Date: 2026-11-21 17:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import ketacare.db.base

revision = "0002_finder"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None


def _json() -> sa.types.TypeEngine[object]:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "finder_listings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("listing_id", sa.String(length=80), nullable=False),
        sa.Column(
            "source",
            sa.Enum(
                "samhsa_2022",
                "csv",
                "locator_json",
                "fhir",
                "ketacare",
                "synthetic",
                name="listingsource",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("clinic_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("site_name", sa.String(length=200), nullable=False),
        sa.Column("street1", sa.String(length=200), nullable=False),
        sa.Column("street2", sa.String(length=200), nullable=False),
        sa.Column("city", sa.String(length=100), nullable=False),
        sa.Column("state", sa.String(length=2), nullable=False),
        sa.Column("zip", sa.String(length=5), nullable=False),
        sa.Column("phone", sa.String(length=80), nullable=False),
        sa.Column("website", sa.String(length=300), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=False),
        sa.Column("longitude", sa.Float(), nullable=False),
        sa.Column("coordinates_approximate", sa.Boolean(), nullable=False),
        sa.Column("is_ketamine_provider", sa.Boolean(), nullable=False),
        sa.Column("routes", _json(), nullable=False),
        sa.Column("conditions", _json(), nullable=False),
        sa.Column("payment", _json(), nullable=False),
        sa.Column("populations", _json(), nullable=False),
        sa.Column("therapy_approaches", _json(), nullable=False),
        sa.Column("telehealth", sa.Boolean(), nullable=True),
        sa.Column("accepting_new_patients", sa.Boolean(), nullable=True),
        sa.Column("esketamine_rems_certified", sa.Boolean(), nullable=True),
        sa.Column("signals", _json(), nullable=False),
        sa.Column("service_codes", _json(), nullable=False),
        sa.Column("updated_at", ketacare.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "latitude >= -90 AND latitude <= 90", name=op.f("ck_finder_listings_latitude_range")
        ),
        sa.CheckConstraint(
            "longitude >= -180 AND longitude <= 180",
            name=op.f("ck_finder_listings_longitude_range"),
        ),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_finder_listings_clinic_id_clinics")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_finder_listings")),
        sa.UniqueConstraint("clinic_id", name=op.f("uq_finder_listings_clinic_id")),
        sa.UniqueConstraint("listing_id", name=op.f("uq_finder_listings_listing_id")),
    )
    with op.batch_alter_table("finder_listings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_finder_listings_is_ketamine_provider"),
            ["is_ketamine_provider"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_finder_listings_source"), ["source"], unique=False)
        batch_op.create_index(batch_op.f("ix_finder_listings_state"), ["state"], unique=False)
        batch_op.create_index(batch_op.f("ix_finder_listings_zip"), ["zip"], unique=False)

    op.create_table(
        "finder_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", ketacare.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("token", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("source_name", sa.String(length=300), nullable=False),
        sa.Column("actor_label", sa.String(length=254), nullable=False),
        sa.Column("accepted", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.Column("detail", _json(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_finder_changes")),
        sa.UniqueConstraint("token", name=op.f("uq_finder_changes_token")),
    )


def downgrade() -> None:
    op.drop_table("finder_changes")
    with op.batch_alter_table("finder_listings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_finder_listings_zip"))
        batch_op.drop_index(batch_op.f("ix_finder_listings_state"))
        batch_op.drop_index(batch_op.f("ix_finder_listings_source"))
        batch_op.drop_index(batch_op.f("ix_finder_listings_is_ketamine_provider"))

    op.drop_table("finder_listings")
