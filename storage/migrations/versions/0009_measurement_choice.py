"""measurement choice: the option id of a yes/no or choice indicator (issue 13 item 16)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 15:30:00

Nullable, so the previous release keeps reading and writing numeric values unchanged.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("measurement", "measurement_revision"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("choice", sa.String(length=64), nullable=True))


def downgrade() -> None:
    for table in ("measurement_revision", "measurement"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("choice")
