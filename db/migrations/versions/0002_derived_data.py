"""Derived data: targets, priorities and changes extracted from document versions.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _version_fk(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.Integer(), sa.ForeignKey("document_versions.id", ondelete="CASCADE"), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "targets",
        sa.Column("id", sa.Integer(), primary_key=True),
        _version_fk("version_id"),
        sa.Column("metric_key", sa.String(80)),
        sa.Column("metric", sa.String(200), nullable=False),
        sa.Column("phrase", sa.String(500), nullable=False),
        sa.Column("value", sa.Double(), nullable=False),
        sa.Column("value_max", sa.Double()),
        sa.Column("unit", sa.String(30), nullable=False),
        sa.Column("qualifier", sa.String(20)),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("year", sa.Integer()),
        sa.Column("sentence", sa.Text(), nullable=False),
        sa.Column("span_start", sa.Integer(), nullable=False),
        sa.Column("span_end", sa.Integer(), nullable=False),
        sa.Column("raw", sa.String(200), nullable=False),
        sa.Column("headline", sa.Boolean(), nullable=False),
        sa.Column("section", sa.String(20), nullable=False),
    )
    op.create_index("ix_targets_metric_key", "targets", ["metric_key"])
    op.create_index("ix_targets_version_id", "targets", ["version_id"])
    op.create_table(
        "priorities",
        sa.Column("id", sa.Integer(), primary_key=True),
        _version_fk("version_id"),
        sa.Column("theme", sa.String(100), nullable=False),
        sa.Column("weight", sa.Double(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("sentences", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.UniqueConstraint("version_id", "theme", name="uq_priorities_version_id"),
    )
    op.create_index("ix_priorities_version_id", "priorities", ["version_id"])
    op.create_table(
        "changes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("region", sa.String(50), nullable=False),
        sa.Column("doc_type", sa.String(20), nullable=False),
        _version_fk("old_version_id", nullable=True),
        _version_fk("new_version_id"),
        sa.Column("category", sa.String(20), nullable=False),
        sa.Column("metric_key", sa.String(80)),
        sa.Column("metric", sa.String(200), nullable=False),
        sa.Column("change", sa.String(20), nullable=False),
        sa.Column("old", sa.JSON()),
        sa.Column("new", sa.JSON()),
        sa.Column("significance", sa.Double(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_changes_pair", "changes", ["old_version_id", "new_version_id"])
    op.create_index("ix_changes_region", "changes", ["region"])


def downgrade() -> None:
    op.drop_table("changes")
    op.drop_table("priorities")
    op.drop_table("targets")
