"""plan snapshots, decisions proposed upwards

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 21:02:29.194637
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "plan_snapshot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("applied_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("applied_by", sa.String(length=64), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("improvement_decision", schema=None) as batch_op:
        batch_op.add_column(sa.Column("proposed_by", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("improvement_decision", schema=None) as batch_op:
        batch_op.drop_column("proposed_by")

    op.drop_table("plan_snapshot")
