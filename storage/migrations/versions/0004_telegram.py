"""chat platforms: invites, channel bindings, posted messages, unreachable marks, chosen platform

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 19:33:13.623834
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "channel_binding",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.String(length=64), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("target", sa.String(length=128), nullable=False),
        sa.Column("bound_by", sa.String(length=64), nullable=False),
        sa.Column("bound_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("unreachable_since", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("channel_id", "platform"),
    )
    op.create_table(
        "posted_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("ref", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=128), nullable=False),
        sa.Column("message_id", sa.String(length=64), nullable=False),
        sa.Column("posted_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("posted_message", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_posted_message_ref"), ["ref"], unique=False)

    op.create_table(
        "invite",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code_digest", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.String(length=64), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("used_by", sa.String(length=160), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code_digest"),
    )
    with op.batch_alter_table("invite", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_invite_person_id"), ["person_id"], unique=False)

    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(sa.Column("chosen_platform", sa.String(length=16), nullable=True))

    with op.batch_alter_table("platform_identity", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("unreachable_since", storage.types.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:

    with op.batch_alter_table("platform_identity", schema=None) as batch_op:
        batch_op.drop_column("unreachable_since")

    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_column("chosen_platform")

    with op.batch_alter_table("invite", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invite_person_id"))

    op.drop_table("invite")
    with op.batch_alter_table("posted_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_posted_message_ref"))

    op.drop_table("posted_message")
    op.drop_table("channel_binding")
