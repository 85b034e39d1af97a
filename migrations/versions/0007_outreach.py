"""outreach: events, RSVPs, votes, public comment

Revision ID: 0007_outreach
Revises: 0005_admin
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.models

revision = "0007_outreach"
down_revision = "0005_admin"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "comment_rounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title_en", sa.String(length=200), nullable=False),
        sa.Column("title_es", sa.String(length=200), nullable=False),
        sa.Column("is_open", sa.Boolean(), nullable=False),
        sa.Column("created_at", bot.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", bot.models.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comment_rounds")),
    )
    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("title_en", sa.String(length=200), nullable=False),
        sa.Column("title_es", sa.String(length=200), nullable=False),
        sa.Column("description_en", sa.Text(), nullable=True),
        sa.Column("description_es", sa.Text(), nullable=True),
        sa.Column("starts_at", bot.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", bot.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("place", sa.String(length=300), nullable=True),
        sa.Column("link", sa.String(length=500), nullable=True),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("sms_details_en", sa.Text(), nullable=True),
        sa.Column("sms_details_es", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("remind_minutes", sa.JSON(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("created_at", bot.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", bot.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
        sa.UniqueConstraint("token", name=op.f("uq_events_token")),
    )
    op.create_table(
        "votes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("question_en", sa.Text(), nullable=False),
        sa.Column("question_es", sa.Text(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("is_open", sa.Boolean(), nullable=False),
        sa.Column("created_at", bot.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", bot.models.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_votes")),
    )
    op.create_table(
        "event_rsvps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("invited_at", bot.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("responded_at", bot.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("promoted_at", bot.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("attended_at", bot.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("updated_at", bot.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_event_rsvps_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_event_rsvps_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_rsvps")),
        sa.UniqueConstraint(
            "event_id", "contact_id", name=op.f("uq_event_rsvps_event_id_contact_id")
        ),
    )
    with op.batch_alter_table("event_rsvps", schema=None) as batch_op:
        batch_op.create_index(
            "ix_event_rsvps_contact_status", ["contact_id", "status"], unique=False
        )

    op.create_table(
        "public_comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("consented_at", bot.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_public_comments_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["comment_rounds.id"],
            name=op.f("fk_public_comments_round_id_comment_rounds"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_public_comments")),
    )
    with op.batch_alter_table("public_comments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_public_comments_round_id"), ["round_id"], unique=False)

    op.create_table(
        "vote_ballots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("vote_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("option", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("cast_at", bot.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("changed_at", bot.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_vote_ballots_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["vote_id"],
            ["votes.id"],
            name=op.f("fk_vote_ballots_vote_id_votes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vote_ballots")),
        sa.UniqueConstraint(
            "vote_id", "contact_id", name=op.f("uq_vote_ballots_vote_id_contact_id")
        ),
    )
    with op.batch_alter_table("vote_ballots", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_vote_ballots_vote_id"), ["vote_id"], unique=False)

    op.create_table(
        "event_rsvp_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rsvp_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("at", bot.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["messages.id"],
            name=op.f("fk_event_rsvp_changes_message_id_messages"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["rsvp_id"],
            ["event_rsvps.id"],
            name=op.f("fk_event_rsvp_changes_rsvp_id_event_rsvps"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_rsvp_changes")),
    )
    with op.batch_alter_table("event_rsvp_changes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_event_rsvp_changes_rsvp_id"), ["rsvp_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("event_rsvp_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_rsvp_changes_rsvp_id"))

    op.drop_table("event_rsvp_changes")
    with op.batch_alter_table("vote_ballots", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vote_ballots_vote_id"))

    op.drop_table("vote_ballots")
    with op.batch_alter_table("public_comments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_public_comments_round_id"))

    op.drop_table("public_comments")
    with op.batch_alter_table("event_rsvps", schema=None) as batch_op:
        batch_op.drop_index("ix_event_rsvps_contact_status")

    op.drop_table("event_rsvps")
    op.drop_table("votes")
    op.drop_table("events")
    op.drop_table("comment_rounds")
