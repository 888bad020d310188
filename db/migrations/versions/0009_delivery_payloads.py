"""Outbox messages in a table of their own: `delivery_payloads`, one row per delivery.

SQLite writes a whole row again on every UPDATE, so a message kept in its delivery row was rewritten at each
step of the delivery (claimed, sending, sent): most of what sending a digest cost the database. The rows'
messages move over unchanged.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The messages wait in a table nothing refers to while the deliveries table loses its column: on SQLite that
    # rebuilds the table, and dropping the old one would cascade into a table that referred to it.
    op.create_table(
        "delivery_payloads_moving", sa.Column("delivery_id", sa.Integer()), sa.Column("payload", sa.LargeBinary())
    )
    op.execute(
        "INSERT INTO delivery_payloads_moving (delivery_id, payload) "
        "SELECT id, payload FROM deliveries WHERE payload IS NOT NULL"
    )
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_column("payload")
    op.create_table(
        "delivery_payloads",
        sa.Column("delivery_id", sa.Integer(), sa.ForeignKey("deliveries.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
    )
    op.execute(
        "INSERT INTO delivery_payloads (delivery_id, payload) SELECT delivery_id, payload FROM delivery_payloads_moving"
    )
    op.drop_table("delivery_payloads_moving")


def downgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(sa.Column("payload", sa.LargeBinary()))
    op.execute(
        "UPDATE deliveries SET payload = "
        "(SELECT payload FROM delivery_payloads WHERE delivery_payloads.delivery_id = deliveries.id)"
    )
    op.drop_table("delivery_payloads")
