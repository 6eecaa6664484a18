"""course: registration details, body measurements, invitations, intake, screening review,
consent, treatment courses and plans, integration sessions

Revision ID: 0003_course
Revises: 0001_foundation
Create Date: 2026-11-21 17:06:25.212005
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import ketacare.db.base
from ketacare.db.append_only import drop_append_only, make_append_only

revision = "0003_course"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None

# Clinical records: the database refuses UPDATE and DELETE on every one of them.
APPEND_ONLY = (
    "body_measurements",
    "intakes",
    "screenings",
    "screening_reviews",
    "screening_cosignatures",
    "treatment_courses",
    "treatment_plans",
    "consent_texts",
    "consents",
    "consent_witnesses",
    "consent_withdrawals",
    "integration_sessions",
)
PATIENT_COLUMNS = (
    ("address", 300),
    ("emergency_contact_name", 200),
    ("emergency_contact_phone", 40),
    ("emergency_contact_relationship", 60),
    ("usual_escort_name", 200),
    ("usual_escort_phone", 40),
)

# The first consent text (data, versioned: a new wording is a new row with a higher version).
CONSENT_V1_SECTIONS = [
    {
        "key": "off_label_use",
        "heading": "Off-label use",
        "text": "Racemic ketamine is approved as an anaesthetic. Its use for depression, anxiety "
        "or PTSD is off-label: it is not approved by the FDA for these conditions, and the "
        "evidence, although growing, is limited. Intranasal esketamine (Spravato) is approved "
        "for treatment-resistant depression and is given only in a REMS-certified setting.",
    },
    {
        "key": "acute_effects",
        "heading": "Acute effects",
        "text": "During and after a session you may feel dissociation (feeling detached or "
        "unreal), perceptual changes, dizziness, drowsiness, nausea or vomiting, and a rise "
        "in blood pressure and heart rate. These usually settle within one to two hours; "
        "dizziness or nausea may last a few hours. You will be monitored until you are fit "
        "to leave.",
    },
    {
        "key": "escort_and_no_driving",
        "heading": "Escort and no driving",
        "text": "A responsible adult must take you home after every session. You must not "
        "drive, operate machinery or do anything that needs full alertness until the next "
        "day after a restful sleep.",
    },
    {
        "key": "right_to_stop",
        "heading": "Your right to stop",
        "text": "You may stop a session or the whole treatment at any time, without giving a "
        "reason and without affecting the rest of your care. Tell any member of staff.",
    },
]


def upgrade() -> None:

    op.create_table(
        "consent_texts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column(
            "sections",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("created_at", ketacare.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_texts")),
        sa.UniqueConstraint("version", name=op.f("uq_consent_texts_version")),
    )

    op.create_table(
        "body_measurements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("measured_on", sa.Date(), nullable=False),
        sa.Column("weight_kg", sa.Double(), nullable=False),
        sa.Column("height_cm", sa.Double(), nullable=True),
        sa.Column("recorded_by_user_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", ketacare.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "height_cm IS NULL OR height_cm > 0", name=op.f("ck_body_measurements_height_positive")
        ),
        sa.CheckConstraint("weight_kg > 0", name=op.f("ck_body_measurements_weight_positive")),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_body_measurements_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_user_id"],
            ["users.id"],
            name=op.f("fk_body_measurements_recorded_by_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_body_measurements")),
    )
    with op.batch_alter_table("body_measurements", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_body_measurements_patient_id"), ["patient_id"], unique=False
        )

    op.create_table(
        "intakes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("supersedes_id", sa.Integer(), nullable=True),
        sa.Column("amendment_reason", sa.Text(), nullable=False),
        sa.Column("recorded_by_user_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", ketacare.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "data",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_intakes_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_user_id"], ["users.id"], name=op.f("fk_intakes_recorded_by_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["supersedes_id"], ["intakes.id"], name=op.f("fk_intakes_supersedes_id_intakes")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intakes")),
        sa.UniqueConstraint("patient_id", "version", name=op.f("uq_intakes_patient_id_version")),
        sa.UniqueConstraint("supersedes_id", name=op.f("uq_intakes_supersedes_id")),
    )
    with op.batch_alter_table("intakes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_intakes_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "patient_invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("created_by_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", ketacare.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", ketacare.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", ketacare.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"],
            ["users.id"],
            name=op.f("fk_patient_invitations_created_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_patient_invitations_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_patient_invitations_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patient_invitations")),
        sa.UniqueConstraint("token_sha256", name=op.f("uq_patient_invitations_token_sha256")),
    )
    with op.batch_alter_table("patient_invitations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_patient_invitations_patient_id"), ["patient_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_patient_invitations_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "screenings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("intake_id", sa.Integer(), nullable=False),
        sa.Column("policy_version", sa.Integer(), nullable=False),
        sa.Column(
            "verdict",
            sa.Enum(
                "eligible",
                "needs_review",
                "not_eligible",
                name="verdict",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column(
            "findings",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "inputs",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("screened_by_user_id", sa.Integer(), nullable=True),
        sa.Column("screened_at", ketacare.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["intake_id"], ["intakes.id"], name=op.f("fk_screenings_intake_id_intakes")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_screenings_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["screened_by_user_id"],
            ["users.id"],
            name=op.f("fk_screenings_screened_by_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screenings")),
    )
    with op.batch_alter_table("screenings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_screenings_intake_id"), ["intake_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_screenings_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "screening_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("screening_id", sa.Integer(), nullable=False),
        sa.Column(
            "decision",
            sa.Enum(
                "accept",
                "clear",
                "decline",
                "override",
                name="reviewdecision",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("reviewer_user_id", sa.Integer(), nullable=False),
        sa.Column("reviewed_at", ketacare.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["reviewer_user_id"],
            ["users.id"],
            name=op.f("fk_screening_reviews_reviewer_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["screening_id"],
            ["screenings.id"],
            name=op.f("fk_screening_reviews_screening_id_screenings"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screening_reviews")),
    )
    with op.batch_alter_table("screening_reviews", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_screening_reviews_screening_id"), ["screening_id"], unique=False
        )

    op.create_table(
        "treatment_courses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
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
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("screening_id", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("created_by_user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", ketacare.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"],
            ["users.id"],
            name=op.f("fk_treatment_courses_created_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_treatment_courses_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["screening_id"],
            ["screenings.id"],
            name=op.f("fk_treatment_courses_screening_id_screenings"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_treatment_courses")),
    )
    with op.batch_alter_table("treatment_courses", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_treatment_courses_patient_id"), ["patient_id"], unique=False
        )

    op.create_table(
        "screening_cosignatures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("cosigner_user_id", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("cosigned_at", ketacare.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["cosigner_user_id"],
            ["users.id"],
            name=op.f("fk_screening_cosignatures_cosigner_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["screening_reviews.id"],
            name=op.f("fk_screening_cosignatures_review_id_screening_reviews"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screening_cosignatures")),
        sa.UniqueConstraint("review_id", name=op.f("uq_screening_cosignatures_review_id")),
    )

    op.create_table(
        "treatment_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("supersedes_id", sa.Integer(), nullable=True),
        sa.Column("change", sa.String(length=30), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("author_user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", ketacare.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("policy_version", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "loading",
                "extension",
                "maintenance",
                "review",
                "stopped",
                name="planstatus",
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
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("next_session_number", sa.Integer(), nullable=False),
        sa.Column("next_mg_per_kg", sa.Double(), nullable=True),
        sa.Column("next_dose_mg", sa.Double(), nullable=True),
        sa.Column("weight_basis_kg", sa.Double(), nullable=True),
        sa.Column("weight_basis", sa.String(length=10), nullable=True),
        sa.Column(
            "schedule",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("extension_total_sessions", sa.Integer(), nullable=True),
        sa.Column("maintenance_mode", sa.String(length=30), nullable=False),
        sa.Column("maintenance_interval_days", sa.Integer(), nullable=True),
        sa.Column("integration_therapist_name", sa.String(length=200), nullable=False),
        sa.Column("integration_therapist_role", sa.String(length=60), nullable=False),
        sa.Column("integration_therapist_contact", sa.String(length=200), nullable=False),
        sa.Column(
            "findings",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "inputs",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["author_user_id"], ["users.id"], name=op.f("fk_treatment_plans_author_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["treatment_courses.id"],
            name=op.f("fk_treatment_plans_course_id_treatment_courses"),
        ),
        sa.ForeignKeyConstraint(
            ["supersedes_id"],
            ["treatment_plans.id"],
            name=op.f("fk_treatment_plans_supersedes_id_treatment_plans"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_treatment_plans")),
        sa.UniqueConstraint(
            "course_id", "version", name=op.f("uq_treatment_plans_course_id_version")
        ),
        sa.UniqueConstraint("supersedes_id", name=op.f("uq_treatment_plans_supersedes_id")),
    )
    with op.batch_alter_table("treatment_plans", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_treatment_plans_course_id"), ["course_id"], unique=False
        )

    op.create_table(
        "consents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("consent_text_id", sa.Integer(), nullable=False),
        sa.Column(
            "signed_by",
            sa.Enum(
                "patient",
                "staff_for_patient",
                name="signedby",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("signed_at", ketacare.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by_user_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", ketacare.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["consent_text_id"],
            ["consent_texts.id"],
            name=op.f("fk_consents_consent_text_id_consent_texts"),
        ),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["treatment_courses.id"],
            name=op.f("fk_consents_course_id_treatment_courses"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_consents_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_user_id"],
            ["users.id"],
            name=op.f("fk_consents_recorded_by_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consents")),
    )
    with op.batch_alter_table("consents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_consents_course_id"), ["course_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_consents_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "integration_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("facilitator", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("recorded_by_user_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", ketacare.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["treatment_courses.id"],
            name=op.f("fk_integration_sessions_course_id_treatment_courses"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_user_id"],
            ["users.id"],
            name=op.f("fk_integration_sessions_recorded_by_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_integration_sessions")),
    )
    with op.batch_alter_table("integration_sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_integration_sessions_course_id"), ["course_id"], unique=False
        )

    op.create_table(
        "consent_withdrawals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consent_id", sa.Integer(), nullable=False),
        sa.Column("withdrawn_at", ketacare.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("recorded_by_user_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", ketacare.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["consent_id"], ["consents.id"], name=op.f("fk_consent_withdrawals_consent_id_consents")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_user_id"],
            ["users.id"],
            name=op.f("fk_consent_withdrawals_recorded_by_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_withdrawals")),
        sa.UniqueConstraint("consent_id", name=op.f("uq_consent_withdrawals_consent_id")),
    )

    op.create_table(
        "consent_witnesses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consent_id", sa.Integer(), nullable=False),
        sa.Column("witness_user_id", sa.Integer(), nullable=False),
        sa.Column("witnessed_at", ketacare.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["consent_id"], ["consents.id"], name=op.f("fk_consent_witnesses_consent_id_consents")
        ),
        sa.ForeignKeyConstraint(
            ["witness_user_id"],
            ["users.id"],
            name=op.f("fk_consent_witnesses_witness_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_witnesses")),
        sa.UniqueConstraint("consent_id", name=op.f("uq_consent_witnesses_consent_id")),
    )

    with op.batch_alter_table("patients", schema=None) as batch_op:
        for name, length in PATIENT_COLUMNS:
            batch_op.add_column(
                sa.Column(name, sa.String(length=length), nullable=False, server_default="")
            )

    consent_texts = sa.table(
        "consent_texts",
        sa.column("version", sa.Integer),
        sa.column("title", sa.String),
        sa.column("sections", sa.JSON),
        sa.column("effective_from", sa.Date),
        sa.column("created_at", ketacare.db.base.UTCDateTime(timezone=True)),
    )
    op.bulk_insert(
        consent_texts,
        [
            {
                "version": 1,
                "title": "Informed consent to ketamine treatment",
                "sections": CONSENT_V1_SECTIONS,
                "effective_from": date(2026, 1, 1),
                "created_at": datetime(2026, 1, 1, tzinfo=UTC),
            }
        ],
    )
    for table in APPEND_ONLY:
        make_append_only(table)


def downgrade() -> None:
    for table in APPEND_ONLY:
        drop_append_only(table)
    with op.batch_alter_table("patients", schema=None) as batch_op:
        for name, _ in reversed(PATIENT_COLUMNS):
            batch_op.drop_column(name)
    for table in (
        "consent_witnesses",
        "consent_withdrawals",
        "integration_sessions",
        "consents",
        "treatment_plans",
        "screening_cosignatures",
        "treatment_courses",
        "screening_reviews",
        "screenings",
        "patient_invitations",
        "intakes",
        "body_measurements",
        "consent_texts",
    ):
        op.drop_table(table)
