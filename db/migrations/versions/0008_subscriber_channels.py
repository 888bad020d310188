"""Subscribers on channels other than e-mail: a signed webhook or a 企业微信/钉钉/飞书 group robot.

A subscriber is either an address (`email`, as before) or a channel: `channel` names the medium, `channel_url`
and `channel_secret` are its credentials (shown masked, never printed), and `channel_key` (a digest of kind and
URL) keeps one subscriber per receiver, as `email_key` does per address. `email` becomes optional for them.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("subscribers") as batch:
        batch.add_column(sa.Column("channel", sa.String(20), nullable=False, server_default="email"))
        batch.add_column(sa.Column("channel_url", sa.Text()))
        batch.add_column(sa.Column("channel_secret", sa.Text()))
        batch.add_column(sa.Column("channel_key", sa.String(64)))
        batch.alter_column("email", existing_type=sa.String(320), nullable=True)
    with op.batch_alter_table("subscribers") as batch:
        batch.alter_column("channel", server_default=None)
    op.create_index("ix_subscribers_channel_key", "subscribers", ["channel_key"], unique=True)


def downgrade() -> None:
    # a channel subscriber has no address to keep: it (and its outbox rows) cannot exist before this revision
    op.execute("DELETE FROM deliveries WHERE subscriber_id IN (SELECT id FROM subscribers WHERE email IS NULL)")
    op.execute("DELETE FROM subscribers WHERE email IS NULL")
    op.drop_index("ix_subscribers_channel_key", table_name="subscribers")
    with op.batch_alter_table("subscribers") as batch:
        batch.alter_column("email", existing_type=sa.String(320), nullable=False)
        batch.drop_column("channel_key")
        batch.drop_column("channel_secret")
        batch.drop_column("channel_url")
        batch.drop_column("channel")
