"""When a fetch last found a document's stored version current (a 304, or the same text again).

The crawler re-checks a stored article once its revisit age (`GOVMON_REVISIT_DAYS`) has passed; that age used to
count only from the latest version's fetch, so an article that never changed was re-fetched at every cycle once it
was a week old. `documents.checked_at` restarts the age at each confirmation. Existing rows start empty: their age
counts from their latest version, as before.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("checked_at", sa.DateTime(timezone=True)))


def downgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.drop_column("checked_at")
