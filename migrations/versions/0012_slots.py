"""slots: interview slots grouped for one offer; outbox rows name their broadcast

Revision ID: 0012_slots
Revises: 0011_tags
Create Date: 2026-11-25

``outbox.broadcast_id`` replaces the ``broadcast:<id>:<contact>`` key as what ties a row to its
broadcast, so an event's invitation can keep the event's key whoever queues it (one invitation
per contact per event). Existing rows are carried over: each broadcast row gets its broadcast's
id, and an invitation broadcast's row takes the event's key unless that key is already used.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_slots"
down_revision = "0011_tags"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("slot_group", sa.String(length=32), nullable=True))
        batch_op.create_index(batch_op.f("ix_events_slot_group"), ["slot_group"], unique=False)
    with op.batch_alter_table("broadcasts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("slot_group", sa.String(length=32), nullable=True))
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("broadcast_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_outbox_broadcast_id"), ["broadcast_id"], unique=False)
    _carry_over_broadcast_rows()


def _carry_over_broadcast_rows() -> None:
    bind = op.get_bind()
    outbox = sa.table(
        "outbox",
        sa.column("id", sa.Integer),
        sa.column("idempotency_key", sa.String),
        sa.column("broadcast_id", sa.Integer),
    )
    broadcasts = sa.table("broadcasts", sa.column("id", sa.Integer), sa.column("event_id"))
    event_of = dict(bind.execute(sa.select(broadcasts.c.id, broadcasts.c.event_id)).all())
    taken = set(
        bind.scalars(
            sa.select(outbox.c.idempotency_key).where(
                outbox.c.idempotency_key.like("event:%:invite:%")
            )
        )
    )
    changes = []
    rows = bind.execute(
        sa.select(outbox.c.id, outbox.c.idempotency_key)
        .where(outbox.c.idempotency_key.like("broadcast:%"))
        .order_by(outbox.c.id)
    )
    for row_id, key in rows:
        _, broadcast_id, contact_id = key.split(":")
        new_key = key
        event_id = event_of.get(int(broadcast_id))
        if event_id is not None and f"event:{event_id}:invite:{contact_id}" not in taken:
            new_key = f"event:{event_id}:invite:{contact_id}"
            taken.add(new_key)
        changes.append({"b_id": row_id, "b_broadcast": int(broadcast_id), "b_key": new_key})
    if changes:
        bind.execute(
            sa.update(outbox)
            .where(outbox.c.id == sa.bindparam("b_id"))
            .values(
                broadcast_id=sa.bindparam("b_broadcast"),
                idempotency_key=sa.bindparam("b_key"),
            ),
            changes,
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_broadcast_id"))
        batch_op.drop_column("broadcast_id")
    with op.batch_alter_table("broadcasts", schema=None) as batch_op:
        batch_op.drop_column("slot_group")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_events_slot_group"))
        batch_op.drop_column("slot_group")
