"""partial index: the dashboard's messages-by-day index holds residents' messages only

Revision ID: 0015_inbound_index
Revises: 0014_outbox_id_partial
Create Date: 2026-11-26

``ix_messages_direction_created`` serves one query, residents who wrote each day
(``direction = 'in'``). Replies, as many again, each cost it an entry inside the write lock
and, on SQLite, a page in the WAL on most turns. Its columns stay as they were, so it still
covers the query on both databases.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015_inbound_index"
down_revision = "0014_outbox_id_partial"
branch_labels = None
depends_on = None

NAME = "ix_messages_direction_created"
COLUMNS = ["direction", "created_at", "contact_id"]


def upgrade() -> None:
    op.drop_index(NAME, table_name="messages")
    inbound = sa.text("direction = 'in'")
    op.create_index(NAME, "messages", COLUMNS, sqlite_where=inbound, postgresql_where=inbound)


def downgrade() -> None:
    op.drop_index(NAME, table_name="messages")
    op.create_index(NAME, "messages", COLUMNS)
