"""Outreach storage: events (town halls, sense-making sessions, ...) and residents' RSVPs.

Times are UTC; ``timezone`` keeps the zone the event was planned in, for showing it. An RSVP
row holds a contact's current answer to one event; every change is also kept in
``event_rsvp_changes`` with its source and time, so nothing a resident said is lost.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..models import Base, utcnow

KINDS = ("town_hall", "sense_making", "interview", "meeting")

SCHEDULED = "scheduled"
CANCELLED = "cancelled"
DONE = "done"
EVENT_STATUSES = (SCHEDULED, CANCELLED, DONE)

# RSVP statuses. ``invited`` means asked and not answered yet (an open invitation);
# ``cancelled`` means they had said yes (or were waitlisted) and dropped out later.
INVITED = "invited"
YES = "yes"
NO = "no"
MAYBE = "maybe"
WAITLIST = "waitlist"
DROPPED = "cancelled"
RSVP_STATUSES = (INVITED, YES, NO, MAYBE, WAITLIST, DROPPED)

DEFAULT_REMINDERS = (1440, 120)


class OutreachEvent(Base):
    """An event residents are invited to. ``token`` names it in public URLs (the .ics)."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    title_en: Mapped[str] = mapped_column(String(200))
    title_es: Mapped[str] = mapped_column(String(200))
    description_en: Mapped[str | None] = mapped_column(Text)
    description_es: Mapped[str | None] = mapped_column(Text)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    timezone: Mapped[str] = mapped_column(String(64))
    place: Mapped[str | None] = mapped_column(String(300))
    link: Mapped[str | None] = mapped_column(String(500))
    capacity: Mapped[int | None] = mapped_column(Integer)
    # What to bring, child care, interpretation: shown under the invitation, per language.
    sms_details_en: Mapped[str | None] = mapped_column(Text)
    sms_details_es: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=SCHEDULED)
    remind_minutes: Mapped[list[Any]] = mapped_column(JSON, default=lambda: list(DEFAULT_REMINDERS))
    # RFC 5545 SEQUENCE: bumped on every change residents should hear about.
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    # Interview slots created together share a group (``vecino events slots``); the group is
    # offered as one numbered list (``vecino broadcasts send --slots GROUP``).
    slot_group: Mapped[str | None] = mapped_column(String(32), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    def title(self, language: str | None) -> str:
        return self.title_es if language == "es" else self.title_en

    def description(self, language: str | None) -> str | None:
        return self.description_es if language == "es" else self.description_en

    def sms_details(self, language: str | None) -> str | None:
        return self.sms_details_es if language == "es" else self.sms_details_en


class Rsvp(Base):
    """One contact's current answer to one event."""

    __tablename__ = "event_rsvps"
    __table_args__ = (
        UniqueConstraint("event_id", "contact_id"),
        Index("ix_event_rsvps_contact_status", "contact_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(16))
    invited_at: Mapped[datetime | None]
    responded_at: Mapped[datetime | None]
    # When a waitlisted yes became a seat (they are told, and reminded like any yes).
    promoted_at: Mapped[datetime | None]
    attended_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class RsvpChange(Base):
    """Every RSVP a resident (or an organizer) gave, in order: the audit trail."""

    __tablename__ = "event_rsvp_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    rsvp_id: Mapped[int] = mapped_column(
        ForeignKey("event_rsvps.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime]
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="SET NULL"))


# Answers to the one-question feedback after an event (``flows/event_feedback.yaml``).
FEEDBACK_ANSWERS = ("very", "somewhat", "not")


class EventFeedback(Base):
    """An attendee's answer to "how useful was it?"; changeable, one per contact and event."""

    __tablename__ = "event_feedback"
    __table_args__ = (UniqueConstraint("event_id", "contact_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    answer: Mapped[str] = mapped_column(String(16))
    language: Mapped[str | None] = mapped_column(String(8))
    answered_at: Mapped[datetime]


class EventNote(Base):
    """What a sense-making session concluded, written down by an organizer afterwards.

    Reflections about the findings, not about people: no names or numbers are expected here.
    """

    __tablename__ = "event_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Vote(Base):
    """A community partnership decision: a bilingual question and its options."""

    __tablename__ = "votes"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_en: Mapped[str] = mapped_column(Text)
    question_es: Mapped[str] = mapped_column(Text)
    # [{"en": "...", "es": "..."}, ...]; a ballot stores the option's number (1-based).
    options: Mapped[list[Any]] = mapped_column(JSON)
    is_open: Mapped[bool] = mapped_column(Boolean, default=True)
    # Only contacts with this tag may vote (e.g. "partner"); None: anyone.
    tag: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]

    def question(self, language: str | None) -> str:
        return self.question_es if language == "es" else self.question_en


class Ballot(Base):
    """One contact's vote; changeable (overwritten) until the vote closes."""

    __tablename__ = "vote_ballots"
    __table_args__ = (UniqueConstraint("vote_id", "contact_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    vote_id: Mapped[int] = mapped_column(ForeignKey("votes.id", ondelete="CASCADE"), index=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    option: Mapped[int] = mapped_column(Integer)
    language: Mapped[str | None] = mapped_column(String(8))
    cast_at: Mapped[datetime]
    changed_at: Mapped[datetime]


class CommentRound(Base):
    """A named item open for public comment (e.g. the County's prevention recommendations)."""

    __tablename__ = "comment_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    title_en: Mapped[str] = mapped_column(String(200))
    title_es: Mapped[str] = mapped_column(String(200))
    is_open: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]

    def title(self, language: str | None) -> str:
        return self.title_es if language == "es" else self.title_en


class PublicComment(Base):
    """A resident's comment, stored only once they agreed to have it submitted."""

    __tablename__ = "public_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("comment_rounds.id", ondelete="CASCADE"), index=True
    )
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(8))
    consented_at: Mapped[datetime]


class Broadcast(Base):
    """A bilingual text, an event's invitation, interview slots or a survey's start, queued
    for an audience (``vecino broadcasts``). Each recipient's outbox row carries the
    broadcast's id (``OutboxMessage.broadcast_id``); progress is counted from those rows, so it
    is never kept twice. A text's or a survey's row is keyed ``broadcast:<id>:<contact id>``;
    an invitation's or a slot offer's keeps the event's (the group's) key, so a contact is
    invited once whichever broadcast asks."""

    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"))
    # A survey to start for each recipient (its consent question is the invitation).
    survey_key: Mapped[str | None] = mapped_column(String(64))
    # Interview slots to offer, by group: each recipient picks one by number.
    slot_group: Mapped[str | None] = mapped_column(String(32))
    text_en: Mapped[str | None] = mapped_column(Text)
    text_es: Mapped[str | None] = mapped_column(Text)
    # The --where filters as given (e.g. ["lang=es", "zip=90057"]), for the record.
    filters: Mapped[list[Any]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16))  # queued | cancelled
    recipients: Mapped[int] = mapped_column(Integer, default=0)
    send_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    cancelled_at: Mapped[datetime | None]

    def text(self, language: str | None) -> str:
        """The text in ``language``; both (Spanish first) for a contact whose language we do
        not know yet, as an invitation shows both."""
        if language == "es":
            return self.text_es or ""
        if language == "en":
            return self.text_en or ""
        return f"{self.text_es}\n{self.text_en}"
