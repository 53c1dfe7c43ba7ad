"""measurement versions and approval, not-measured answers

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 22:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("measurement", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(
            sa.Column("approval", sa.String(length=16), nullable=False, server_default="none")
        )
        batch_op.add_column(sa.Column("approval_by", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("approval_at", storage.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("approval_reason", sa.String(), nullable=True))
        batch_op.add_column(sa.Column("correction_reason", sa.String(), nullable=True))

    op.create_table(
        "measurement_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("measurement_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("value", storage.types.ExactDecimal(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("target_met", sa.Boolean(), nullable=False),
        sa.Column("comment", sa.String(), nullable=True),
        sa.Column("submitted_by", sa.String(length=64), nullable=False),
        sa.Column("submitted_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("approval", sa.String(length=16), nullable=False),
        sa.Column("approval_reason", sa.String(), nullable=True),
        sa.Column("replaced_by", sa.String(length=64), nullable=False),
        sa.Column("replaced_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(["measurement_id"], ["measurement.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("measurement_id", "version"),
    )
    op.create_index(
        op.f("ix_measurement_revision_measurement_id"),
        "measurement_revision",
        ["measurement_id"],
        unique=False,
    )
    op.create_table(
        "not_measured",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.String(length=64), nullable=False),
        sa.Column("indicator_id", sa.String(length=64), nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("reported_by", sa.String(length=64), nullable=False),
        sa.Column("reported_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["reported_by"], ["person.id"]),
        sa.ForeignKeyConstraint(["round_id"], ["control_round.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("round_id", "indicator_id"),
    )
    op.create_index(op.f("ix_not_measured_round_id"), "not_measured", ["round_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_not_measured_round_id"), table_name="not_measured")
    op.drop_table("not_measured")
    op.drop_index(
        op.f("ix_measurement_revision_measurement_id"), table_name="measurement_revision"
    )
    op.drop_table("measurement_revision")
    with op.batch_alter_table("measurement", schema=None) as batch_op:
        batch_op.drop_column("correction_reason")
        batch_op.drop_column("approval_reason")
        batch_op.drop_column("approval_at")
        batch_op.drop_column("approval_by")
        batch_op.drop_column("approval")
        batch_op.drop_column("version")
