"""Subscribers are unique by address whatever its case: a lower-cased key with a unique index.

Rows stored before (by versions that compared addresses exactly) get their key here. When several differ only in
case, the oldest keeps the key and the others are deactivated with no key: they stay listed, with their
delivery history, instead of the address getting every digest twice.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

subscribers = sa.table(
    "subscribers",
    sa.column("id", sa.Integer()),
    sa.column("email", sa.String()),
    sa.column("email_key", sa.String()),
    sa.column("active", sa.Boolean()),
)


def key_of(email: str) -> str:
    """monitor.channels.addresses.address_key, frozen here: a migration must not change when that module does."""
    return email.strip().lower()


def upgrade() -> None:
    op.add_column("subscribers", sa.Column("email_key", sa.String(320), nullable=True))
    conn = op.get_bind()
    seen: set[str] = set()
    for row_id, email in conn.execute(sa.select(subscribers.c.id, subscribers.c.email).order_by(subscribers.c.id)):
        key = key_of(str(email))
        values = {"email_key": key} if key not in seen else {"email_key": None, "active": False}
        seen.add(key)
        conn.execute(subscribers.update().where(subscribers.c.id == row_id).values(**values))
    op.create_index("ix_subscribers_email_key", "subscribers", ["email_key"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_subscribers_email_key", table_name="subscribers")
    op.drop_column("subscribers", "email_key")
