"""reply lease: Telegram replies held by their sender until lease_until, then swept

Revision ID: 0008_reply_lease
Revises: 0007_outreach
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.models

revision = "0008_reply_lease"
down_revision = "0007_outreach"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("lease_until", bot.models.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.create_index("ix_messages_lease_until", ["lease_until"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_index("ix_messages_lease_until")
        batch_op.drop_column("lease_until")
