"""partial indexes: messages.in_reply_to_id and lease_until index only the rows that have one

Revision ID: 0013_partial_indexes
Revises: 0012_slots
Create Date: 2026-11-25

An inbound message has neither, and an SMS reply has no lease: indexing their NULLs cost two
B-tree inserts per message inside the write lock, for searches that never look for NULL
(``= ?``, ``< ?`` and the foreign key's ON DELETE SET NULL all imply NOT NULL, so both
SQLite and PostgreSQL use the partial index for them).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_partial_indexes"
down_revision = "0012_slots"
branch_labels = None
depends_on = None

COLUMNS = {"ix_messages_in_reply_to_id": "in_reply_to_id", "ix_messages_lease_until": "lease_until"}


def upgrade() -> None:
    for name, column in COLUMNS.items():
        op.drop_index(name, table_name="messages")
        present = sa.text(f"{column} IS NOT NULL")
        op.create_index(name, "messages", [column], sqlite_where=present, postgresql_where=present)


def downgrade() -> None:
    for name, column in COLUMNS.items():
        op.drop_index(name, table_name="messages")
        op.create_index(name, "messages", [column])
