"""improvement action status and verification

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 23:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("improvement_decision", schema=None) as batch_op:
        batch_op.add_column(sa.Column("action_status", sa.String(length=16), nullable=True))
        batch_op.add_column(
            sa.Column("action_status_at", storage.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("verified_by", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_improvement_decision_verified_by_measurement",
            "measurement",
            ["verified_by"],
            ["id"],
        )
    # actions decided before this version are planned: they get follow-ups and can be updated
    op.execute(
        "UPDATE improvement_decision SET action_status = 'planned' "
        "WHERE status = 'approved' AND action IS NOT NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table("improvement_decision", schema=None) as batch_op:
        batch_op.drop_constraint(
            "fk_improvement_decision_verified_by_measurement", type_="foreignkey"
        )
        batch_op.drop_column("verified_by")
        batch_op.drop_column("action_status_at")
        batch_op.drop_column("action_status")
