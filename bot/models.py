"""SQLAlchemy models for contacts, conversations and messages. Times are stored in UTC."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    Unicode,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that is always timezone-aware UTC in Python, whatever the backend keeps."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; Vecino stores aware UTC times only")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:  # SQLite drops the offset; we only ever wrote UTC.
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
    }


class Contact(Base):
    """A resident on one channel. The address is what we need to reply, nothing more."""

    __tablename__ = "contacts"
    __table_args__ = (UniqueConstraint("channel", "address"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(64))
    language: Mapped[str | None] = mapped_column(String(8))
    opted_out_at: Mapped[datetime | None]
    opted_in_at: Mapped[datetime | None]
    first_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    # How they found us (a Telegram deep link such as /start townhall); never personal data.
    source: Mapped[str | None] = mapped_column(String(64))
    zip_code: Mapped[str | None] = mapped_column(String(5))  # last ZIP searched (directory)
    # The provider says this address cannot receive messages (an invalid or landline number);
    # cleared when the resident writes again.
    unreachable_at: Mapped[datetime | None]

    conversation: Mapped[ConversationState | None] = relationship(
        back_populates="contact", uselist=False, cascade="all, delete-orphan"
    )

    @property
    def opted_out(self) -> bool:
        return self.opted_out_at is not None


class ContactTag(Base):
    """A label an organizer gives a contact (``partner``, ``parent-leader``, ``interview-ok``),
    written only through ``bot.contacts``. Broadcast audiences and vote eligibility read it."""

    __tablename__ = "contact_tags"
    __table_args__ = (
        UniqueConstraint("contact_id", "tag"),
        # Audiences ask "who has this tag": the tag leads.
        Index("ix_contact_tags_tag_contact", "tag", "contact_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    tag: Mapped[str] = mapped_column(String(32))
    # Who or what gave it ("cli", "survey:family_checkin"), never a person's name.
    source: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ConversationState(Base):
    """Where a contact is in a flow; one row per contact, rewritten each turn."""

    __tablename__ = "conversation_states"

    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True
    )
    flow_id: Mapped[str | None] = mapped_column(String(64))
    step_id: Mapped[str | None] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    invalid_count: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    contact: Mapped[Contact] = relationship(back_populates="conversation")


def _index_when_present(name: str, column: str) -> Index:
    """An index of the rows where ``column`` is set (``= ?`` and ``< ?`` imply that)."""
    present = text(f"{column} IS NOT NULL")
    return Index(name, column, sqlite_where=present, postgresql_where=present)


class Message(Base):
    """Every message in and out. ``provider_id`` (Twilio MessageSid, Telegram update id) is
    unique per channel, which is what makes a retried webhook harmless."""

    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("channel", "provider_id"),
        Index("ix_messages_contact_created", "contact_id", "created_at"),
        # Partial: most messages have none of these, and every index entry is written inside
        # the write lock (0013, 0014). Only replies in flight have a lease: the sweep's search
        # stays small. Only messages Vecino started came from the outbox.
        _index_when_present("ix_messages_in_reply_to_id", "in_reply_to_id"),
        _index_when_present("ix_messages_lease_until", "lease_until"),
        _index_when_present("ix_messages_outbox_id", "outbox_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(16))
    direction: Mapped[str] = mapped_column(String(8))  # "in" or "out"
    provider_id: Mapped[str | None] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text, default="")
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))
    error_code: Mapped[str | None] = mapped_column(String(16))
    in_reply_to_id: Mapped[int | None] = mapped_column(
        ForeignKey("messages.id", ondelete="SET NULL")
    )
    # The outbox row a message Vecino started was sent from (None for replies).
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id", ondelete="SET NULL"))
    # A reply a channel sends itself (Telegram) is held by its sender until then; past it, the
    # sender is presumed dead and the reply is sent by whoever claims it next (a redelivery of
    # the update, or the worker's sweep). None once its fate is known (``outbound.replies``).
    lease_until: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class StaffFlag(Base):
    """Something a person on staff must look at: a crisis message, a request for a human."""

    __tablename__ = "staff_flags"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]


class OutboxMessage(Base):
    """A message Vecino starts, from enqueue to the provider's answer (see ``bot.outbound``).

    Either ``flow_id`` (with ``params``): the engine starts that flow at send time, so the text
    is in the contact's language of that moment and a busy contact is not interrupted; or
    ``payload``: messages already produced by the engine. Once the flow has run, ``payload``
    holds its messages, so a retry sends the same words.
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_not_before", "status", "not_before"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(32))  # "followup", "survey_nudge", ...
    # Unique per purpose ("followup:search:42"): a job that runs twice enqueues once.
    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)
    # The broadcast that queued this row, for its progress and its cancel. Not in the key: an
    # event's invitation keeps the event's key whoever queues it (``vecino events invite`` or
    # any broadcast), so one contact is invited to one event once. No foreign key: the outbox
    # knows nothing of outreach's tables.
    broadcast_id: Mapped[int | None] = mapped_column(Integer, index=True)
    flow_id: Mapped[str | None] = mapped_column(String(64))
    params: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    payload: Mapped[list[Any] | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))
    not_before: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(200))
    error_code: Mapped[str | None] = mapped_column(String(16))
    provider_id: Mapped[str | None] = mapped_column(String(64))
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]


class SendPacing(Base):
    """When each sender may next send, shared by every worker (``bot.outbound.pacing``)."""

    __tablename__ = "outbox_pacing"

    sender: Mapped[str] = mapped_column(String(32), primary_key=True)
    next_free_at: Mapped[datetime] = mapped_column(default=utcnow)


# APScheduler's job store table, declared here (as APScheduler 3.11 defines it) so migrations
# create it and the schema check knows it; APScheduler only creates it when missing.
scheduler_jobs = Table(
    "apscheduler_jobs",
    Base.metadata,
    Column("id", Unicode(191), primary_key=True),
    Column("next_run_time", Float(25), index=True),
    Column("job_state", LargeBinary, nullable=False),
)
