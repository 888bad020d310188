"""Crawl jobs handed to distributed workers.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "crawl_jobs",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("source_id", sa.String(100), nullable=False),
        sa.Column("cycle", sa.String(64), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("worker", sa.String(200)),
        sa.Column("enqueued_at", TZ, nullable=False),
        sa.Column("started_at", TZ),
        sa.Column("finished_at", TZ),
        sa.Column("new_documents", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text()),
        sa.UniqueConstraint("source_id", "cycle", name="uq_crawl_jobs_source_id"),
    )
    op.create_index("ix_crawl_jobs_source_id", "crawl_jobs", ["source_id"])


def downgrade() -> None:
    op.drop_index("ix_crawl_jobs_source_id", table_name="crawl_jobs")
    op.drop_table("crawl_jobs")
