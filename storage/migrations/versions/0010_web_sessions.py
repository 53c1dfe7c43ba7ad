"""web view: one-time sign-in links and sessions; an index for indicators' latest values (issue 17)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 15:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("web_sign_in", "web_session"):
        op.create_table(
            table,
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("token_digest", sa.String(length=64), nullable=False),
            sa.Column("person_id", sa.String(length=64), nullable=False),
            sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
            sa.Column("expires_at", UTCDateTime(timezone=True), nullable=False),
            sa.Column(
                "used_at" if table == "web_sign_in" else "ended_at",
                UTCDateTime(timezone=True),
                nullable=True,
            ),
            sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("token_digest"),
        )
        op.create_index(f"ix_{table}_person_id", table, ["person_id"], unique=False)
    op.create_index(
        "ix_measurement_indicator_period", "measurement", ["indicator_id", "period"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_measurement_indicator_period", table_name="measurement")
    for table in ("web_session", "web_sign_in"):
        op.drop_index(f"ix_{table}_person_id", table_name=table)
        op.drop_table(table)
