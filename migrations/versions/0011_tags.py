"""tags: contact tags, vote eligibility by tag, survey broadcasts, event feedback, notes

Revision ID: 0011_tags
Revises: 0009_broadcasts
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.models

revision = "0011_tags"
down_revision = "0009_broadcasts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "contact_tags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("tag", sa.String(length=32), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("created_at", bot.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_contact_tags_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_tags")),
        sa.UniqueConstraint("contact_id", "tag", name=op.f("uq_contact_tags_contact_id_tag")),
    )
    op.create_index("ix_contact_tags_tag_contact", "contact_tags", ["tag", "contact_id"])
    op.create_table(
        "event_feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("answer", sa.String(length=16), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("answered_at", bot.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_event_feedback_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_event_feedback_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_feedback")),
        sa.UniqueConstraint(
            "event_id", "contact_id", name=op.f("uq_event_feedback_event_id_contact_id")
        ),
    )
    op.create_index(
        op.f("ix_event_feedback_contact_id"), "event_feedback", ["contact_id"], unique=False
    )
    op.create_table(
        "event_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", bot.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_event_notes_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_notes")),
    )
    op.create_index(op.f("ix_event_notes_event_id"), "event_notes", ["event_id"], unique=False)
    with op.batch_alter_table("votes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("tag", sa.String(length=32), nullable=True))
    with op.batch_alter_table("broadcasts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("survey_key", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("broadcasts", schema=None) as batch_op:
        batch_op.drop_column("survey_key")
    with op.batch_alter_table("votes", schema=None) as batch_op:
        batch_op.drop_column("tag")
    op.drop_index(op.f("ix_event_notes_event_id"), table_name="event_notes")
    op.drop_table("event_notes")
    op.drop_index(op.f("ix_event_feedback_contact_id"), table_name="event_feedback")
    op.drop_table("event_feedback")
    op.drop_index("ix_contact_tags_tag_contact", table_name="contact_tags")
    op.drop_table("contact_tags")
