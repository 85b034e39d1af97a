"""Receiving a resident's message: store it once, run the engine, store the replies.

This is the one path every channel uses (Twilio, Telegram, ``vecino chat``). It knows the
database but nothing of HTTP: channels parse their provider's format into an ``Envelope`` and
render the returned replies.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from . import contacts, handoff
from .config import Settings
from .db import Database, TurnConnection, conflict_insert
from .engine import Conversation, Engine, Inbound, Outbound, Turn
from .models import Contact, ConversationState, Message, utcnow
from .outbound.replies import inbound_id as inbound_id_of
from .outreach import sending
from .privacy import coarse_point, mask_address
from .turn_storage import InboundRow, StoredState, close_turn, open_turn, state_values

log = logging.getLogger(__name__)

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


class Deps:
    """What actions may touch during a turn (``bot.action_deps.ActionDeps``): the open
    transaction and the contact.

    A resident's turn hands over its ``TurnConnection``: the ORM session on it opens when an
    action first asks for ``session``. ``contact`` may arrive as the row ``contacts.arrived``
    read; it becomes the session's ``Contact`` only when something asks for it. Most turns (a
    menu, an answer, a language switch) need neither, and both would cost more than their
    statements, all of it inside the write lock.
    """

    def __init__(
        self,
        session: Session | TurnConnection,
        contact: Contact | contacts.ContactRow,
        settings: Settings,
        now: datetime,
        inbound_message_id: int | None = None,
    ) -> None:
        self._session = session
        self._contact = contact
        self.settings = settings
        self.now = now
        self.inbound_message_id = inbound_message_id
        self.extra: dict[str, Any] = {}

    @property
    def session(self) -> Session:
        work = self._session
        return work.session if isinstance(work, TurnConnection) else work

    @property
    def database(self) -> sqlalchemy.Engine:
        """The engine of the turn's transaction, known without opening its session (what
        ``predicate_cache`` keeps answers for)."""
        work = self._session
        return work.engine if isinstance(work, TurnConnection) else work.get_bind().engine

    @property
    def contact(self) -> Contact:
        if not isinstance(self._contact, Contact):
            self._contact = contacts.loaded(self.session, self._contact)
        return self._contact

    @property
    def contact_loaded(self) -> bool:
        return isinstance(self._contact, Contact)


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
                with self.db.turn() as work:
                    delivery, turn = self._receive(work, envelope)
                # Logged once committed, and outside the write lock: a log line is I/O.
                log.info(
                    "contact %s (%s %s): %d reply message(s), events=%s",
                    delivery.contact_id,
                    envelope.channel,
                    mask_address(envelope.address),
                    len(turn.messages),
                    ",".join(e.kind for e in turn.events) or "-",
                )
                return delivery
            except _Duplicate as duplicate:  # rolled back: a retry changes nothing
                log.info("duplicate delivery for contact %s ignored", duplicate.delivery.contact_id)
                return duplicate.delivery
            except (IntegrityError, OperationalError) as error:
                # A unique constraint a statement does not settle itself (a twin's provider id
                # is settled by ON CONFLICT, see _store_inbound), or the database asked us to
                # retry (lock timeout, serialization failure, a connection cut by a restart).
                # The retry sees the committed state and answers from it.
                if attempt == ATTEMPTS:
                    raise
                log.warning("retrying inbound on %s: %s", envelope.channel, type(error).__name__)
        raise AssertionError("unreachable")

    def _receive(self, work: TurnConnection, envelope: Envelope) -> tuple[Delivery, Turn]:
        # Everything here runs holding the contact's lock (the whole database's on SQLite):
        # a few statements built once (bot.turn_storage), and neither an ORM session nor the
        # contact object unless the turn needs them.
        now = self.clock()
        message = envelope.message
        inbound = InboundRow(
            envelope.channel,
            envelope.address,
            envelope.provider_id,
            message.text,
            _inbound_payload(message),
        )
        opened = open_turn(work.connection, inbound, now)
        contact, inbound_id = opened.contact, opened.inbound_id
        if inbound_id is None:  # the unique (channel, provider_id) already holds it
            session = work.session
            earlier = inbound_id_of(session, envelope.channel, str(envelope.provider_id))
            raise _Duplicate(
                Delivery(
                    contact.id,
                    replies_to(session, earlier),
                    duplicate=True,
                    language=contact.language,
                )
            )
        deps = Deps(work, contact, self.settings, now, inbound_id)
        if envelope.source and not contact.source:
            deps.contact.source = envelope.source[:64]

        turn = self.engine.handle(_engine_view(contact, opened.state), message, now, deps)
        lease_until = now + envelope.reply_lease if envelope.reply_lease else None
        language = turn.conversation.language
        _record_events(
            lambda: work.session, contact.id, lambda: deps.contact, turn, now, inbound_id
        )
        if deps.contact_loaded:  # the object is flushed at the end, its language with it
            contacts.set_language(deps.contact, language)
            contact.language = language
        close_turn(work.connection, opened, turn, now, lease_until, language)
        return Delivery(contact.id, turn.messages, language=language), turn


class _Duplicate(Exception):
    """A provider's retry of a stored message: answer its stored replies, keep nothing."""

    def __init__(self, delivery: Delivery) -> None:
        super().__init__("duplicate delivery")
        self.delivery = delivery


def _engine_view(
    contact: Contact | contacts.ContactRow, state: StoredState | ConversationState | None
) -> Conversation:
    """What the engine sees of a contact (the object or its row) and their stored state
    (None: never talked)."""
    language, opted_out = contact.language, contact.opted_out
    if state is None:
        return Conversation(language=language, opted_out=opted_out, data={})
    return Conversation(
        language=language,
        opted_out=opted_out,
        flow_id=state.flow_id,
        step_id=state.step_id,
        data=dict(state.data or {}),
        invalid_count=state.invalid_count or 0,
        updated_at=state.updated_at,
    )


def conversation_of(contact: Contact) -> tuple[ConversationState, Conversation]:
    """The contact's stored state row (new if none) and the engine's view of it."""
    state = contact.conversation or ConversationState(contact_id=contact.id, data={})
    return state, _engine_view(contact, contact.conversation)


def record_standing(
    session: Session,
    contact: Contact,
    turn: Turn,
    now: datetime,
    message_id: int | None = None,
) -> None:
    """What a turn changed in the contact's standing, through ``contacts``."""
    _record_events(lambda: session, contact.id, lambda: contact, turn, now, message_id)
    contacts.set_language(contact, turn.conversation.language)


def _record_events(
    session: Callable[[], Session],
    contact_id: int,
    contact: Callable[[], Contact],
    turn: Turn,
    now: datetime,
    message_id: int | None,
) -> None:
    """The standing a turn's events change; ``session`` and ``contact`` are called only for
    the events that need them."""
    for event in turn.events:
        if event.kind == "opted_out":
            contacts.opt_out(contact(), now)
        elif event.kind == "opted_in":
            contacts.opt_in(contact(), now)
        elif event.kind in ("crisis", "safety"):
            contacts.flag_for_staff(session(), contact(), event.kind, now, message_id=message_id)
        elif event.kind == "handoff_ended":  # MENU or STOP while waiting for a person
            handoff.close_flags(session(), contact_id, now)
        elif event.kind == "waitlist_promoted":  # tell them, in this same transaction
            sending.promoted(
                session(), int(event.detail["event_id"]), int(event.detail["contact_id"]), now
            )


def save_turn(
    session: Session,
    contact: Contact,
    state: ConversationState,
    turn: Turn,
    now: datetime,
    message_id: int | None = None,
) -> None:
    """Store what a turn changed: the contact's standing (through ``contacts``) and state.

    Used for turns Vecino started (the outbox); ``receive`` writes the same with Core
    statements.
    """
    record_standing(session, contact, turn, now, message_id)
    for name, value in state_values(turn, now).items():
        setattr(state, name, value)
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
    _insert_contact(session, channel, address, now)
    return session.scalars(query).one()


def _insert_contact(session: Session, channel: str, address: str, now: datetime) -> None:
    """Create the contact unless a twin did: the insert ignores a conflict on the address."""
    session.execute(
        conflict_insert(session.get_bind().dialect.name)(Contact)
        .values(channel=channel, address=address, first_seen_at=now, last_seen_at=now)
        .on_conflict_do_nothing(index_elements=["channel", "address"])
    )


def replies_to(session: Session, inbound_id: int | None) -> list[Outbound]:
    rows = session.scalars(
        select(Message).where(Message.in_reply_to_id == inbound_id).order_by(Message.id)
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
