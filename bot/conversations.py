"""Receiving a resident's message: store it once, run the engine, store the replies.

This is the one path every channel uses (Twilio, Telegram, ``vecino chat``). It knows the
database but nothing of HTTP: channels parse their provider's format into an ``Envelope`` and
render the returned replies.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from . import contacts, handoff
from .config import Settings
from .db import Database
from .engine import Conversation, Engine, Inbound, Outbound, Turn
from .models import Contact, ConversationState, Message, utcnow
from .outbound.status import MessageStatus
from .outreach import sending
from .privacy import coarse_point, mask_address

log = logging.getLogger(__name__)

MAX_STORED_BODY = 20_000  # far above any provider's limit; only a defence against abuse
ATTEMPTS = 3


@dataclass(frozen=True)
class Envelope:
    """An inbound message as a channel hands it over."""

    channel: str
    address: str
    message: Inbound
    provider_id: str | None = None
    source: str | None = None  # e.g. a Telegram deep-link payload
    # Set by a channel that sends its replies itself (Telegram): they are stored held by it
    # for this long, and sent by someone else if it dies first (``outbound.replies``).
    reply_lease: timedelta | None = None


@dataclass
class Delivery:
    """What to send back, and whether this was a provider's retry of a message we had."""

    contact_id: int
    replies: list[Outbound]
    duplicate: bool = False
    language: str | None = None


@dataclass
class Deps:
    """What actions may touch during a turn (``bot.action_deps.ActionDeps``): the open
    transaction and the contact."""

    session: Session
    contact: Contact
    settings: Settings
    now: datetime
    inbound_message_id: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class ConversationService:
    def __init__(
        self,
        db: Database,
        engine: Engine,
        settings: Settings,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.db = db
        self.engine = engine
        self.settings = settings
        self.clock = clock

    def receive(self, envelope: Envelope) -> Delivery:
        """Handle one inbound message exactly once, however often the provider delivers it."""
        for attempt in range(1, ATTEMPTS + 1):
            try:
                with self.db.transaction() as session:
                    return self._receive(session, envelope)
            except (IntegrityError, OperationalError) as error:
                # A twin delivery committed first (unique provider id), or the database asked
                # us to retry (lock timeout, serialization failure). The retry sees the
                # committed state and answers from it.
                if attempt == ATTEMPTS:
                    raise
                log.warning("retrying inbound on %s: %s", envelope.channel, type(error).__name__)
        raise AssertionError("unreachable")

    def _receive(self, session: Session, envelope: Envelope) -> Delivery:
        now = self.clock()
        contact = lock_contact(session, envelope.channel, envelope.address, now)
        if envelope.provider_id is not None:
            earlier = session.scalar(
                select(Message).where(
                    Message.channel == envelope.channel,
                    Message.provider_id == envelope.provider_id,
                )
            )
            if earlier is not None:
                log.info("duplicate delivery for contact %s ignored", contact.id)
                return Delivery(
                    contact.id,
                    replies_to(session, earlier),
                    duplicate=True,
                    language=contact.language,
                )

        inbound = Message(
            contact_id=contact.id,
            channel=envelope.channel,
            direction="in",
            provider_id=envelope.provider_id,
            body=envelope.message.text[:MAX_STORED_BODY],
            payload=_inbound_payload(envelope.message),
            status="received",
            created_at=now,
        )
        session.add(inbound)
        session.flush()
        if envelope.source and not contact.source:
            contact.source = envelope.source[:64]

        state, conversation = conversation_of(contact)
        deps = Deps(session, contact, self.settings, now, inbound.id)
        turn = self.engine.handle(conversation, envelope.message, now, deps)
        lease_until = now + envelope.reply_lease if envelope.reply_lease else None
        self._apply(session, contact, state, inbound, turn, now, lease_until)
        log.info(
            "contact %s (%s %s): %d reply message(s), events=%s",
            contact.id,
            envelope.channel,
            mask_address(envelope.address),
            len(turn.messages),
            ",".join(e.kind for e in turn.events) or "-",
        )
        return Delivery(contact.id, turn.messages, language=contact.language)

    def _apply(
        self,
        session: Session,
        contact: Contact,
        state: ConversationState,
        inbound: Message,
        turn: Turn,
        now: datetime,
        lease_until: datetime | None = None,
    ) -> None:
        save_turn(session, contact, state, turn, now, message_id=inbound.id)
        contacts.seen(contact, now)
        for reply in turn.messages:
            session.add(
                Message(
                    contact_id=contact.id,
                    channel=inbound.channel,
                    direction="out",
                    body=reply.text,
                    payload=reply.to_payload(),
                    status=MessageStatus.REPLIED,
                    lease_until=lease_until,
                    in_reply_to_id=inbound.id,
                    created_at=now,
                )
            )


def conversation_of(contact: Contact) -> tuple[ConversationState, Conversation]:
    """The contact's stored state row (new if none) and the engine's view of it."""
    state = contact.conversation or ConversationState(contact_id=contact.id, data={})
    conversation = Conversation(
        language=contact.language,
        opted_out=contact.opted_out,
        flow_id=state.flow_id,
        step_id=state.step_id,
        data=dict(state.data or {}),
        invalid_count=state.invalid_count or 0,
        updated_at=state.updated_at if contact.conversation else None,
    )
    return state, conversation


def save_turn(
    session: Session,
    contact: Contact,
    state: ConversationState,
    turn: Turn,
    now: datetime,
    message_id: int | None = None,
) -> None:
    """Store what a turn changed: the contact's standing (through ``contacts``) and state.

    Used for turns a resident started (``receive``) and turns Vecino started (the outbox).
    """
    for event in turn.events:
        if event.kind == "opted_out":
            contacts.opt_out(contact, now)
        elif event.kind == "opted_in":
            contacts.opt_in(contact, now)
        elif event.kind in ("crisis", "safety"):
            contacts.flag_for_staff(session, contact, event.kind, now, message_id=message_id)
        elif event.kind == "handoff_ended":  # MENU or STOP while waiting for a person
            handoff.close_flags(session, contact.id, now)
        elif event.kind == "waitlist_promoted":  # tell them, in this same transaction
            sending.promoted(
                session, int(event.detail["event_id"]), int(event.detail["contact_id"]), now
            )
    contacts.set_language(contact, turn.conversation.language)
    state.flow_id = turn.conversation.flow_id
    state.step_id = turn.conversation.step_id
    state.data = dict(turn.conversation.data)
    state.invalid_count = turn.conversation.invalid_count
    state.updated_at = now
    if contact.conversation is None:
        session.add(state)


def lock_contact(session: Session, channel: str, address: str, now: datetime) -> Contact:
    """The contact for this address, created if new, locked for the rest of the transaction.

    The insert ignores a conflict so that two first messages arriving together cannot both
    create the contact; the row lock then makes their turns run one after the other.

    Do not join the conversation state into this locking query: under READ COMMITTED a joined
    row comes from the snapshot taken before the lock was granted, so a turn would run on state
    its twin had just replaced (the concurrency tests catch it on PostgreSQL).
    """
    query = (
        select(Contact)
        .where(Contact.channel == channel, Contact.address == address)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    contact = session.scalars(query).one_or_none()
    if contact is not None:  # the common case: someone we know, one statement
        return contact
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    session.execute(
        insert(Contact)
        .values(channel=channel, address=address, first_seen_at=now, last_seen_at=now)
        .on_conflict_do_nothing(index_elements=["channel", "address"])
    )
    return session.scalars(query).one()


def replies_to(session: Session, inbound: Message) -> list[Outbound]:
    rows = session.scalars(
        select(Message).where(Message.in_reply_to_id == inbound.id).order_by(Message.id)
    )
    return [Outbound.from_payload(row.payload or {"text": row.body}) for row in rows]


def _inbound_payload(message: Inbound) -> dict[str, Any] | None:
    payload: dict[str, Any] = {}
    if message.location is not None:
        payload["location"] = coarse_point(message.location.latitude, message.location.longitude)
    if message.choice is not None:
        payload["choice"] = message.choice
    if message.media_count:
        payload["media_count"] = message.media_count
    return payload or None
