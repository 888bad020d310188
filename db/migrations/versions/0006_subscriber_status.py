"""Subscriber status for double opt-in: pending → active → unsubscribed, with when each step happened.

`active` (a boolean) becomes `status`: active rows stay active, inactive ones become unsubscribed. A subscriber
added from the web starts `pending` until the confirmation link is followed; `confirm_sent_at` throttles how often
a confirmation is mailed to one address. (Chained after 0007, the address key, when that branch was merged.)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("subscribers") as batch:
        batch.add_column(sa.Column("status", sa.String(20), nullable=False, server_default="active"))
        batch.add_column(sa.Column("confirmed_at", TZ))
        batch.add_column(sa.Column("confirm_sent_at", TZ))
        batch.add_column(sa.Column("unsubscribed_at", TZ))
    op.execute("UPDATE subscribers SET status = CASE WHEN active THEN 'active' ELSE 'unsubscribed' END")
    with op.batch_alter_table("subscribers") as batch:
        batch.drop_column("active")
        batch.alter_column("status", server_default=None)
    op.create_index("ix_subscribers_status", "subscribers", ["status"])


def downgrade() -> None:
    op.drop_index("ix_subscribers_status", table_name="subscribers")
    with op.batch_alter_table("subscribers") as batch:
        batch.add_column(sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()))
    op.execute("UPDATE subscribers SET active = (status = 'active')")
    with op.batch_alter_table("subscribers") as batch:
        batch.alter_column("active", server_default=None)
        batch.drop_column("unsubscribed_at")
        batch.drop_column("confirm_sent_at")
        batch.drop_column("confirmed_at")
        batch.drop_column("status")
