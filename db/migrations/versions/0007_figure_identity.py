"""Figure identity and review: a target's term and confidence, a version's review reasons and state.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("targets") as batch:
        batch.add_column(sa.Column("term_start", sa.Integer()))
        batch.add_column(sa.Column("term_end", sa.Integer()))
        batch.add_column(sa.Column("confidence", sa.Double(), nullable=False, server_default="1"))
    with op.batch_alter_table("document_versions") as batch:
        batch.add_column(sa.Column("review_reasons", sa.JSON(), nullable=False, server_default="[]"))
        batch.add_column(sa.Column("review_state", sa.String(20)))


def downgrade() -> None:
    with op.batch_alter_table("document_versions") as batch:
        batch.drop_column("review_state")
        batch.drop_column("review_reasons")
    with op.batch_alter_table("targets") as batch:
        batch.drop_column("confidence")
        batch.drop_column("term_end")
        batch.drop_column("term_start")
