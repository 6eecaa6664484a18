"""sessions: booking, session flow, vitals and alerts, dosing, discharge, controlled-substance log

Revision ID: 0004_sessions
Revises: 0003_course
Create Date: 2026-11-21 17:20:00

Every documented fact is append-only (triggers from make_append_only); only the session row
itself (booking and the flow's current state) changes, and each change is a session_events row.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import ketacare.db.base
from ketacare.db.append_only import drop_append_only, make_append_only

revision = "0004_sessions"
down_revision = "0003_course"
branch_labels = None
depends_on = None

APPEND_ONLY = (
    "session_events",
    "session_checkins",
    "predose_assessments",
    "predose_decisions",
    "vital_readings",
    "vital_alerts",
    "alert_acknowledgements",
    "session_scores",
    "adverse_events",
    "dose_administrations",
    "session_discharges",
    "session_notes",
    "cs_lots",
    "cs_log_entries",
)


def upgrade() -> None:
    op.create_table(
        "cs_lots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column(
            "drug",
            sa.Enum(
                "ketamine_hcl",
                "esketamine",
                name="drug",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("lot_number", sa.String(length=60), nullable=False),
        sa.Column("expiry", sa.Date(), nullable=False),
        sa.Column("concentration_mg_per_ml", sa.Double(), nullable=True),
        sa.Column("created_at", ketacare.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_cs_lots_clinic_id_clinics")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cs_lots")),
        sa.UniqueConstraint(
            "clinic_id", "drug", "lot_number", name=op.f("uq_cs_lots_clinic_id_drug_lot_number")
        ),
    )
    with op.batch_alter_table("cs_lots", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cs_lots_clinic_id"), ["clinic_id"], unique=False)

    op.create_table(
        "treatment_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=True),
        sa.Column(
            "route",
            sa.Enum(
                "iv",
                "im",
                "esketamine_nasal",
                "sublingual",
                name="route",
                native_enum=False,
                create_constraint=True,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("planned_device_count", sa.Integer(), nullable=True),
        sa.Column("chair_id", sa.Integer(), nullable=False),
        sa.Column("nurse_user_id", sa.Integer(), nullable=False),
        sa.Column("scheduled_start", ketacare.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("scheduled_end", ketacare.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "scheduled",
                "checked_in",
                "pre_dose_check",
                "dosing",
                "monitoring",
                "recovery",
                "discharged",
                "stopped",
                "no_show",
                "cancelled",
                name="sessionstatus",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("dose_start_at", ketacare.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("dose_end_at", ketacare.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", ketacare.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by_user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["chair_id"], ["locations.id"], name=op.f("fk_treatment_sessions_chair_id_locations")
        ),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_treatment_sessions_clinic_id_clinics")
        ),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["treatment_courses.id"],
            name=op.f("fk_treatment_sessions_course_id_treatment_courses"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"],
            ["users.id"],
            name=op.f("fk_treatment_sessions_created_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["nurse_user_id"], ["users.id"], name=op.f("fk_treatment_sessions_nurse_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_treatment_sessions_patient_id_patients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_treatment_sessions")),
    )
    with op.batch_alter_table("treatment_sessions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_treatment_sessions_chair_time", ["chair_id", "scheduled_start"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_treatment_sessions_clinic_id"), ["clinic_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_treatment_sessions_course_id"), ["course_id"], unique=False
        )
        batch_op.create_index(
            "ix_treatment_sessions_nurse_time", ["nurse_user_id", "scheduled_start"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_treatment_sessions_patient_id"), ["patient_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_treatment_sessions_status"), ["status"], unique=False)

    op.create_table(
        "adverse_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("event_type", sa.String(length=60), nullable=False),
        sa.Column("severity", sa.String(length=20), nullable=False),
        sa.Column("action_taken", sa.Text(), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("treatment_given", sa.Text(), nullable=False),
        sa.Column("occurred_at", ketacare.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", ketacare.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by_user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["recorded_by_user_id"],
            ["users.id"],
            name=op.f("fk_adverse_events_recorded_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["treatment_sessions.id"],
            name=op.f("fk_adverse_events_session_id_treatment_sessions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_adverse_events")),
    )
    with op.batch_alter_table("adverse_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_adverse_events_session_id"), ["session_id"], unique=False
        )

    op.create_table(
        "cs_log_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("lot_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "receive",
                "draw",
                "waste",
                name="logentrykind",
                native_enum=False,
                create_constraint=True,
                length=10,
            ),
            nullable=False,
        ),
        sa.Column("quantity_mg", sa.Double(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=True),
        sa.Column("actor_user_id", sa.Integer(), nullable=True),
        sa.Column("witness_user_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("at", ketacare.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind <> 'waste' OR (witness_user_id IS NOT NULL AND witness_user_id <> actor_user_id)",
            name=op.f("ck_cs_log_entries_waste_witnessed"),
        ),
        sa.CheckConstraint("quantity_mg > 0", name=op.f("ck_cs_log_entries_positive_quantity")),
        sa.ForeignKeyConstraint(
            ["actor_user_id"], ["users.id"], name=op.f("fk_cs_log_entries_actor_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_cs_log_entries_clinic_id_clinics")
        ),
        sa.ForeignKeyConstraint(
            ["lot_id"], ["cs_lots.id"], name=op.f("fk_cs_log_entries_lot_id_cs_lots")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["treatment_sessions.id"],
            name=op.f("fk_cs_log_entries_session_id_treatment_sessions"),
        ),
        sa.ForeignKeyConstraint(
            ["witness_user_id"], ["users.id"], name=op.f("fk_cs_log_entries_witness_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cs_log_entries")),
    )
    with op.batch_alter_table("cs_log_entries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_cs_log_entries_clinic_id"), ["clinic_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_cs_log_entries_lot_id"), ["lot_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_cs_log_entries_session_id"), ["session_id"], unique=False
        )

    op.create_table(
        "dose_administrations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column(
            "drug",
            sa.Enum(
                "ketamine_hcl",
                "esketamine",
                name="drug",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column(
            "route",
            sa.Enum(
                "iv",
                "im",
                "esketamine_nasal",
                "sublingual",
                name="route",
                native_enum=False,
                create_constraint=True,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("concentration_mg_per_ml", sa.Double(), nullable=True),
        sa.Column("dose_mg", sa.Double(), nullable=False),
        sa.Column("dose_mg_per_kg", sa.Double(), nullable=True),
        sa.Column("weight_kg", sa.Double(), nullable=True),
        sa.Column("infusion_rate_mg_per_h", sa.Double(), nullable=True),
        sa.Column("device_count", sa.Integer(), nullable=True),
        sa.Column("lot_id", sa.Integer(), nullable=False),
        sa.Column("lot_number", sa.String(length=60), nullable=False),
        sa.Column("lot_expiry", sa.Date(), nullable=False),
        sa.Column("override_reason", sa.Text(), nullable=False),
        sa.Column(
            "findings",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("started_at", ketacare.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", ketacare.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by_user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["lot_id"], ["cs_lots.id"], name=op.f("fk_dose_administrations_lot_id_cs_lots")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_user_id"],
            ["users.id"],
            name=op.f("fk_dose_administrations_recorded_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["treatment_sessions.id"],
            name=op.f("fk_dose_administrations_session_id_treatment_sessions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dose_administrations")),
        sa.UniqueConstraint("session_id", name=op.f("uq_dose_administrations_session_id")),
    )
    with op.batch_alter_table("dose_administrations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_dose_administrations_lot_id"), ["lot_id"], unique=False
        )

    op.create_table(
        "session_checkins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("hours_since_food", sa.Double(), nullable=True),
        sa.Column("minutes_since_liquids", sa.Double(), nullable=True),
        sa.Column("escort_confirmed", sa.Boolean(), nullable=False),
        sa.Column("escort_name", sa.String(length=200), nullable=False),
        sa.Column(
            "drugs_taken_today",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("medications_note", sa.Text(), nullable=False),
        sa.Column("at", ketacare.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor_user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_user_id"], ["users.id"], name=op.f("fk_session_checkins_actor_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["treatment_sessions.id"],
            name=op.f("fk_session_checkins_session_id_treatment_sessions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_checkins")),
    )
    with op.batch_alter_table("session_checkins", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_session_checkins_session_id"), ["session_id"], unique=False
        )

    op.create_table(
        "session_discharges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("ready_to_leave_at", ketacare.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("discharged_at", ketacare.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("escort_name", sa.String(length=200), nullable=False),
        sa.Column(
            "instructions",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "criteria",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("actor_user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_user_id"], ["users.id"], name=op.f("fk_session_discharges_actor_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["treatment_sessions.id"],
            name=op.f("fk_session_discharges_session_id_treatment_sessions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_discharges")),
        sa.UniqueConstraint("session_id", name=op.f("uq_session_discharges_session_id")),
    )
    op.create_table(
        "session_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("from_status", sa.String(length=20), nullable=False),
        sa.Column("to_status", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column(
            "detail",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("at", ketacare.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor_user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_user_id"], ["users.id"], name=op.f("fk_session_events_actor_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["treatment_sessions.id"],
            name=op.f("fk_session_events_session_id_treatment_sessions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_events")),
    )
    with op.batch_alter_table("session_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_session_events_session_id"), ["session_id"], unique=False
        )

    op.create_table(
        "session_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("signed", sa.Boolean(), nullable=False),
        sa.Column("generated", sa.Boolean(), nullable=False),
        sa.Column("amendment_reason", sa.Text(), nullable=False),
        sa.Column("at", ketacare.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("author_user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_user_id"], ["users.id"], name=op.f("fk_session_notes_author_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["treatment_sessions.id"],
            name=op.f("fk_session_notes_session_id_treatment_sessions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_notes")),
        sa.UniqueConstraint(
            "session_id", "version", name=op.f("uq_session_notes_session_id_version")
        ),
    )
    with op.batch_alter_table("session_notes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_session_notes_session_id"), ["session_id"], unique=False
        )

    op.create_table(
        "session_scores",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "moaas",
                "cadss6",
                name="scorekind",
                native_enum=False,
                create_constraint=True,
                length=10,
            ),
            nullable=False,
        ),
        sa.Column(
            "answers",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("band", sa.String(length=60), nullable=True),
        sa.Column("taken_at", ketacare.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", ketacare.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by_user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["recorded_by_user_id"],
            ["users.id"],
            name=op.f("fk_session_scores_recorded_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["treatment_sessions.id"],
            name=op.f("fk_session_scores_session_id_treatment_sessions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_scores")),
    )
    with op.batch_alter_table("session_scores", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_session_scores_session_id"), ["session_id"], unique=False
        )

    op.create_table(
        "vital_readings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("taken_at", ketacare.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("systolic_mmhg", sa.Double(), nullable=False),
        sa.Column("diastolic_mmhg", sa.Double(), nullable=False),
        sa.Column("heart_rate_bpm", sa.Double(), nullable=False),
        sa.Column("spo2_pct", sa.Double(), nullable=False),
        sa.Column("respiratory_rate_per_min", sa.Double(), nullable=True),
        sa.Column("moaas", sa.Integer(), nullable=True),
        sa.Column(
            "phase",
            sa.Enum(
                "pre_dose",
                "dosing",
                "recovery",
                name="phase",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column(
            "source",
            sa.Enum(
                "manual",
                "device",
                name="readingsource",
                native_enum=False,
                create_constraint=True,
                length=10,
            ),
            nullable=False,
        ),
        sa.Column("external_id", sa.String(length=100), nullable=True),
        sa.Column(
            "findings",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("recorded_at", ketacare.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by_user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_vital_readings_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_user_id"],
            ["users.id"],
            name=op.f("fk_vital_readings_recorded_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["treatment_sessions.id"],
            name=op.f("fk_vital_readings_session_id_treatment_sessions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vital_readings")),
        sa.UniqueConstraint(
            "session_id", "external_id", name=op.f("uq_vital_readings_session_id_external_id")
        ),
    )
    with op.batch_alter_table("vital_readings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_vital_readings_patient_id"), ["patient_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_vital_readings_session_id"), ["session_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_vital_readings_taken_at"), ["taken_at"], unique=False)

    op.create_table(
        "predose_assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("reading_id", sa.Integer(), nullable=False),
        sa.Column("checkin_id", sa.Integer(), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum(
                "pass",
                "hold",
                "block",
                name="gateoutcome",
                native_enum=False,
                create_constraint=True,
                length=10,
            ),
            nullable=False,
        ),
        sa.Column(
            "findings",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "crisis_symptoms",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("at", ketacare.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor_user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_user_id"], ["users.id"], name=op.f("fk_predose_assessments_actor_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["checkin_id"],
            ["session_checkins.id"],
            name=op.f("fk_predose_assessments_checkin_id_session_checkins"),
        ),
        sa.ForeignKeyConstraint(
            ["reading_id"],
            ["vital_readings.id"],
            name=op.f("fk_predose_assessments_reading_id_vital_readings"),
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["treatment_sessions.id"],
            name=op.f("fk_predose_assessments_session_id_treatment_sessions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_predose_assessments")),
    )
    with op.batch_alter_table("predose_assessments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_predose_assessments_session_id"), ["session_id"], unique=False
        )

    op.create_table(
        "vital_alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("reading_id", sa.Integer(), nullable=False),
        sa.Column("rule_id", sa.String(length=80), nullable=False),
        sa.Column(
            "level",
            sa.Enum(
                "info",
                "caution",
                "review",
                "hold",
                "act",
                "block",
                "emergency",
                "urgent",
                name="severity",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("raised_at", ketacare.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["reading_id"],
            ["vital_readings.id"],
            name=op.f("fk_vital_alerts_reading_id_vital_readings"),
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["treatment_sessions.id"],
            name=op.f("fk_vital_alerts_session_id_treatment_sessions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vital_alerts")),
    )
    with op.batch_alter_table("vital_alerts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_vital_alerts_reading_id"), ["reading_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_vital_alerts_session_id"), ["session_id"], unique=False
        )

    op.create_table(
        "alert_acknowledgements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("at", ketacare.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["alert_id"],
            ["vital_alerts.id"],
            name=op.f("fk_alert_acknowledgements_alert_id_vital_alerts"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_alert_acknowledgements_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_acknowledgements")),
        sa.UniqueConstraint("alert_id", name=op.f("uq_alert_acknowledgements_alert_id")),
    )
    op.create_table(
        "predose_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("release", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("at", ketacare.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("prescriber_user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["predose_assessments.id"],
            name=op.f("fk_predose_decisions_assessment_id_predose_assessments"),
        ),
        sa.ForeignKeyConstraint(
            ["prescriber_user_id"],
            ["users.id"],
            name=op.f("fk_predose_decisions_prescriber_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["treatment_sessions.id"],
            name=op.f("fk_predose_decisions_session_id_treatment_sessions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_predose_decisions")),
        sa.UniqueConstraint("assessment_id", name=op.f("uq_predose_decisions_assessment_id")),
    )
    with op.batch_alter_table("predose_decisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_predose_decisions_session_id"), ["session_id"], unique=False
        )
    for table in APPEND_ONLY:
        make_append_only(table)


def downgrade() -> None:
    for table in APPEND_ONLY:
        drop_append_only(table)
    with op.batch_alter_table("predose_decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_predose_decisions_session_id"))

    op.drop_table("predose_decisions")
    op.drop_table("alert_acknowledgements")
    with op.batch_alter_table("vital_alerts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vital_alerts_session_id"))
        batch_op.drop_index(batch_op.f("ix_vital_alerts_reading_id"))

    op.drop_table("vital_alerts")
    with op.batch_alter_table("predose_assessments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_predose_assessments_session_id"))

    op.drop_table("predose_assessments")
    with op.batch_alter_table("vital_readings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vital_readings_taken_at"))
        batch_op.drop_index(batch_op.f("ix_vital_readings_session_id"))
        batch_op.drop_index(batch_op.f("ix_vital_readings_patient_id"))

    op.drop_table("vital_readings")
    with op.batch_alter_table("session_scores", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_session_scores_session_id"))

    op.drop_table("session_scores")
    with op.batch_alter_table("session_notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_session_notes_session_id"))

    op.drop_table("session_notes")
    with op.batch_alter_table("session_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_session_events_session_id"))

    op.drop_table("session_events")
    op.drop_table("session_discharges")
    with op.batch_alter_table("session_checkins", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_session_checkins_session_id"))

    op.drop_table("session_checkins")
    with op.batch_alter_table("dose_administrations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dose_administrations_lot_id"))

    op.drop_table("dose_administrations")
    with op.batch_alter_table("cs_log_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cs_log_entries_session_id"))
        batch_op.drop_index(batch_op.f("ix_cs_log_entries_lot_id"))
        batch_op.drop_index(batch_op.f("ix_cs_log_entries_clinic_id"))

    op.drop_table("cs_log_entries")
    with op.batch_alter_table("adverse_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_adverse_events_session_id"))

    op.drop_table("adverse_events")
    with op.batch_alter_table("treatment_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_treatment_sessions_status"))
        batch_op.drop_index(batch_op.f("ix_treatment_sessions_patient_id"))
        batch_op.drop_index("ix_treatment_sessions_nurse_time")
        batch_op.drop_index(batch_op.f("ix_treatment_sessions_course_id"))
        batch_op.drop_index(batch_op.f("ix_treatment_sessions_clinic_id"))
        batch_op.drop_index("ix_treatment_sessions_chair_time")

    op.drop_table("treatment_sessions")
    with op.batch_alter_table("cs_lots", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cs_lots_clinic_id"))

    op.drop_table("cs_lots")
