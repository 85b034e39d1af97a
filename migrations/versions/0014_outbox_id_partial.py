"""partial index: messages.outbox_id indexes only the messages sent from the outbox

Revision ID: 0014_outbox_id_partial
Revises: 0013_partial_indexes
Create Date: 2026-11-26

As 0013 did for ``in_reply_to_id`` and ``lease_until``: a resident's message and its replies
have no outbox row, and indexing their NULLs cost a B-tree insert per message inside the write
lock, and a page in SQLite's WAL on every turn (1.1 of a turn's 15.8). The lookups need only
the rows that have one: ``= ?`` and the foreign key's ON DELETE SET NULL imply NOT NULL.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_outbox_id_partial"
down_revision = "0013_partial_indexes"
branch_labels = None
depends_on = None

NAME = "ix_messages_outbox_id"


def upgrade() -> None:
    op.drop_index(NAME, table_name="messages")
    present = sa.text("outbox_id IS NOT NULL")
    op.create_index(NAME, "messages", ["outbox_id"], sqlite_where=present, postgresql_where=present)


def downgrade() -> None:
    op.drop_index(NAME, table_name="messages")
    op.create_index(NAME, "messages", ["outbox_id"])
