"""partial index: the dashboard's messages-by-day index holds residents' messages only

Revision ID: 0015_inbound_index
Revises: 0014_outbox_id_partial
Create Date: 2026-11-26

``ix_messages_direction_created`` served one query, residents who wrote each day
(``direction = 'in'``). Replies, as many again, each cost it an entry inside the write lock
and, on SQLite, a page in the WAL on most turns. Its successor holds residents' messages only.
The time leads: with ``direction`` first and constant, PostgreSQL costed the range as a whole
index scan and read the table instead. ``direction`` stays in it, so that the index alone
still answers the query on SQLite, which checks the index's condition itself.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015_inbound_index"
down_revision = "0014_outbox_id_partial"
branch_labels = None
depends_on = None

OLD = "ix_messages_direction_created"
NEW = "ix_messages_inbound_created"


def upgrade() -> None:
    op.drop_index(OLD, table_name="messages")
    inbound = sa.text("direction = 'in'")
    op.create_index(
        NEW,
        "messages",
        ["created_at", "contact_id", "direction"],
        sqlite_where=inbound,
        postgresql_where=inbound,
    )


def downgrade() -> None:
    op.drop_index(NEW, table_name="messages")
    op.create_index(OLD, "messages", ["direction", "created_at", "contact_id"])
