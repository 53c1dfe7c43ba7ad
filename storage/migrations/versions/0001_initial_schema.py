"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-29 18:18:29.218347
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=128), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_entry_action"), ["action"], unique=False)

    op.create_table(
        "control_round",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.String(length=64), nullable=False),
        sa.Column("frequency", sa.String(length=16), nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("opened_by", sa.String(length=64), nullable=False),
        sa.Column("opened_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("activity_id", "frequency", "period"),
    )
    with op.batch_alter_table("control_round", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_control_round_activity_id"), ["activity_id"], unique=False
        )

    op.create_table(
        "person",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("plan_language", sa.String(length=8), nullable=True),
        sa.Column("chosen_language", sa.String(length=8), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("synced_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "form_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.String(length=64), nullable=False),
        sa.Column("form", sa.String(length=32), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=160), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("context", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("started_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("form_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_form_session_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_form_session_status"), ["status"], unique=False)
        batch_op.create_index(
            "uq_form_session_one_active",
            ["person_id"],
            unique=True,
            sqlite_where=sa.text("status = 'active'"),
            postgresql_where=sa.text("status = 'active'"),
        )

    op.create_table(
        "measurement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.String(length=64), nullable=False),
        sa.Column("indicator_id", sa.String(length=64), nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("value", storage.types.ExactDecimal(precision=24, scale=8), nullable=False),
        sa.Column("unit", sa.String(length=32), nullable=False),
        sa.Column("direction", sa.String(length=20), nullable=False),
        sa.Column("target", storage.types.ExactDecimal(precision=24, scale=8), nullable=False),
        sa.Column("warning", storage.types.ExactDecimal(precision=24, scale=8), nullable=False),
        sa.Column("critical", storage.types.ExactDecimal(precision=24, scale=8), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("target_met", sa.Boolean(), nullable=False),
        sa.Column("comment", sa.String(), nullable=True),
        sa.Column("submitted_by", sa.String(length=64), nullable=False),
        sa.Column("submitted_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["control_round.id"],
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by"],
            ["person.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("round_id", "indicator_id"),
    )
    with op.batch_alter_table("measurement", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_measurement_indicator_id"), ["indicator_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_measurement_round_id"), ["round_id"], unique=False)

    op.create_table(
        "platform_identity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.String(length=64), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("external_id", sa.String(length=128), nullable=False),
        sa.Column("client_language", sa.String(length=35), nullable=True),
        sa.Column("linked_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("platform", "external_id"),
    )
    with op.batch_alter_table("platform_identity", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_platform_identity_person_id"), ["person_id"], unique=False
        )

    op.create_table(
        "role_assignment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.String(length=64), nullable=False),
        sa.Column("activity_id", sa.String(length=64), nullable=False),
        sa.Column("scale", sa.String(length=32), nullable=False),
        sa.Column("role", sa.String(length=64), nullable=False),
        sa.Column("mark", sa.String(length=1), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("person_id", "activity_id", "scale", "role", "mark"),
    )
    with op.batch_alter_table("role_assignment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_role_assignment_activity_id"), ["activity_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_role_assignment_person_id"), ["person_id"], unique=False
        )

    op.create_table(
        "improvement_decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.String(length=64), nullable=False),
        sa.Column("indicator_id", sa.String(length=64), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("measurement_id", sa.Integer(), nullable=False),
        sa.Column("trigger", sa.String(length=16), nullable=False),
        sa.Column("approver_id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("decide_by", sa.Date(), nullable=False),
        sa.Column("opened_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(), nullable=True),
        sa.Column("owner_id", sa.String(length=64), nullable=True),
        sa.Column("action_due", sa.Date(), nullable=True),
        sa.Column("rejection_reason", sa.String(), nullable=True),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decided_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["approver_id"],
            ["person.id"],
        ),
        sa.ForeignKeyConstraint(
            ["measurement_id"],
            ["measurement.id"],
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["control_round.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("improvement_decision", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_improvement_decision_activity_id"), ["activity_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_improvement_decision_status"), ["status"], unique=False
        )
        batch_op.create_index(
            "uq_improvement_decision_one_open",
            ["activity_id", "indicator_id"],
            unique=True,
            sqlite_where=sa.text("status = 'open'"),
            postgresql_where=sa.text("status = 'open'"),
        )


def downgrade() -> None:

    with op.batch_alter_table("improvement_decision", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_improvement_decision_one_open",
            sqlite_where=sa.text("status = 'open'"),
            postgresql_where=sa.text("status = 'open'"),
        )
        batch_op.drop_index(batch_op.f("ix_improvement_decision_status"))
        batch_op.drop_index(batch_op.f("ix_improvement_decision_activity_id"))

    op.drop_table("improvement_decision")
    with op.batch_alter_table("role_assignment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_role_assignment_person_id"))
        batch_op.drop_index(batch_op.f("ix_role_assignment_activity_id"))

    op.drop_table("role_assignment")
    with op.batch_alter_table("platform_identity", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_platform_identity_person_id"))

    op.drop_table("platform_identity")
    with op.batch_alter_table("measurement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_measurement_round_id"))
        batch_op.drop_index(batch_op.f("ix_measurement_indicator_id"))

    op.drop_table("measurement")
    with op.batch_alter_table("form_session", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_form_session_one_active",
            sqlite_where=sa.text("status = 'active'"),
            postgresql_where=sa.text("status = 'active'"),
        )
        batch_op.drop_index(batch_op.f("ix_form_session_status"))
        batch_op.drop_index(batch_op.f("ix_form_session_person_id"))

    op.drop_table("form_session")
    op.drop_table("person")
    with op.batch_alter_table("control_round", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_control_round_activity_id"))

    op.drop_table("control_round")
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_entry_action"))

    op.drop_table("audit_entry")
