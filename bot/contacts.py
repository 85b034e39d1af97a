"""The one writer of a contact's standing: opted out or in, language, unreachable, staff flags,
tags.

Inbound turns (STOP, START, a language switch, a crisis), delivery receipts (Twilio 21610),
senders (Telegram 403, a number Twilio rejects) and jobs all change a contact through these
functions, so the rule for each flag lives in one place.
"""

from __future__ import annotations

import functools
import logging
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, bindparam, delete, select, update
from sqlalchemy.orm import Session

from . import driver
from .db import conflict_insert
from .models import Contact, ContactTag, StaffFlag

log = logging.getLogger(__name__)


def opt_out(contact: Contact, now: datetime, reason: str = "keyword") -> bool:
    """Stop sending anything Vecino starts. True when the contact was not opted out before
    (an earlier opt-out keeps its time)."""
    if contact.opted_out_at is not None:
        return False
    contact.opted_out_at = now
    if reason != "keyword":  # a STOP is logged with its turn; a refusal has no turn of its own
        log.info("contact %s opted out (%s)", contact.id, reason)
    return True


def opt_out_address(
    session: Session, channel: str, address: str, now: datetime, reason: str
) -> bool:
    """``opt_out`` for a contact known only by its address (a provider's refusal)."""
    contact = find(session, channel, address, lock=True)
    return contact is not None and opt_out(contact, now, reason)


def opt_in(contact: Contact, now: datetime) -> None:
    """START / UNSTOP / ALTA: messages may flow again."""
    contact.opted_out_at = None
    contact.opted_in_at = now


def set_language(contact: Contact, language: str | None) -> None:
    if contact.language != language:  # an unchanged value would still cost a flush
        contact.language = language


def arrived(
    connection: Connection,
    channel: str,
    address: str,
    now: datetime,
    also: Sequence[ColumnElement[Any]] = (),
    *,
    create: bool = False,
) -> tuple[ContactRow, tuple[Any, ...]] | None:
    """Mark the contact who just wrote as seen and lock their row, in one statement.

    Seen: the resident wrote to us, so the address plainly works again (``unreachable_at``
    cleared) and ``last_seen_at`` moves to now. A provider's retry of a stored message does
    not count (``ConversationService.receive`` rolls its transaction back).

    Returns the few columns a turn reads (``loaded`` gives the session's ``Contact`` when a
    turn needs the object) and the values of ``also``, extra expressions returned with it (the
    conversation state on SQLite); None when the address is new. The UPDATE takes the same
    row lock as ``SELECT ... FOR UPDATE`` on PostgreSQL and, waiting for it, returns the row
    as the lock holder committed it.

    ``create``: a new address becomes a contact in the same statement (an upsert, which locks
    and returns an existing row the same way), so the first message costs no extra statements.
    """
    params = {"b_channel": channel, "b_address": address, "b_now": now}
    if create:
        statement = _created_statement(connection.dialect.name, tuple(also))
    else:
        statement = _arrived_statement(tuple(also))
    rows = driver.run(connection, statement, params)
    if not rows:
        return None
    row = rows[0]
    width = len(_ROW_COLUMNS)
    return ContactRow(*row[:width]), tuple(row[width:])


@dataclass
class ContactRow:
    """What a resident's turn reads of their contact (``arrived``): loading the whole object
    costs more than the turn's statements, and most turns need no more than this."""

    id: int
    language: str | None
    opted_out_at: datetime | None
    source: str | None

    @property
    def opted_out(self) -> bool:
        return self.opted_out_at is not None


def loaded(session: Session, row: ContactRow) -> Contact:
    """The session's ``Contact`` for a row ``arrived`` read, for a turn that needs the
    object (one SELECT unless the session holds it already)."""
    contact = session.get(Contact, row.id)
    if contact is None:
        raise LookupError(f"contact {row.id} is gone")
    return contact


def set_language_of(connection: Connection, row: ContactRow, language: str | None) -> None:
    """``set_language`` for a contact only ``arrived`` read: one UPDATE, without loading the
    object or the unit of work."""
    if row.language != language:
        driver.run(connection, SET_LANGUAGE, set_language_params(row.id, language))
        row.language = language


_CONTACTS = Contact.__table__
_ROW_COLUMNS = tuple(_CONTACTS.c[name] for name in ("id", "language", "opted_out_at", "source"))
# A language switch as a statement of its own (SQLite) or a CTE of the turn's last statement
# (PostgreSQL, bot.turn_storage), bound with ``set_language_params``.
SET_LANGUAGE = (
    update(_CONTACTS)
    .where(_CONTACTS.c.id == bindparam("b_id"))
    .values(language=bindparam("b_language"))
)


def set_language_params(contact_id: int, language: str | None) -> dict[str, Any]:
    return {"b_id": contact_id, "b_language": language}


@functools.cache
def _arrived_statement(also: tuple[ColumnElement[Any], ...]) -> Any:
    # Built once per shape, and run with Core: building the statement and loading the row
    # through the ORM cost more than SQLite takes to run it, inside the write lock.
    return (
        update(_CONTACTS)
        .where(
            _CONTACTS.c.channel == bindparam("b_channel"),
            _CONTACTS.c.address == bindparam("b_address"),
        )
        .values(last_seen_at=bindparam("b_now"), unreachable_at=None)
        .returning(*_ROW_COLUMNS, *also)
    )


@functools.cache
def _created_statement(dialect: str, also: tuple[ColumnElement[Any], ...]) -> Any:
    statement = conflict_insert(dialect)(_CONTACTS).values(
        channel=bindparam("b_channel"),
        address=bindparam("b_address"),
        first_seen_at=bindparam("b_now"),
        last_seen_at=bindparam("b_now"),
    )
    return statement.on_conflict_do_update(
        index_elements=["channel", "address"],
        set_={"last_seen_at": statement.excluded.last_seen_at, "unreachable_at": None},
    ).returning(*_ROW_COLUMNS, *also)


def mark_unreachable(contact: Contact, now: datetime, reason: str) -> bool:
    """The provider says this address cannot take messages (invalid, landline, unknown).

    Nothing Vecino starts goes to it until the resident writes again (``arrived``).
    """
    if contact.unreachable_at is not None:
        return False
    contact.unreachable_at = now
    log.info("contact %s marked unreachable (%s)", contact.id, reason)
    return True


def may_receive(contact: Contact) -> bool:
    """Whether a message Vecino starts may go to this contact (checked at send time)."""
    return contact.opted_out_at is None and contact.unreachable_at is None


def flag_for_staff(
    session: Session, contact: Contact, reason: str, now: datetime, message_id: int | None = None
) -> StaffFlag:
    """Something a person on staff must look at (a crisis message, a request for a human)."""
    flag = StaffFlag(contact_id=contact.id, message_id=message_id, reason=reason, created_at=now)
    session.add(flag)
    return flag


def resolve_flag(flag: StaffFlag, now: datetime) -> None:
    """A person on staff handled this flag."""
    flag.resolved_at = now


def resolve_flags(session: Session, flag_ids: Sequence[int], now: datetime) -> None:
    """``resolve_flag`` for many at once, by id (those still open)."""
    if flag_ids:
        session.execute(
            update(StaffFlag)
            .where(StaffFlag.id.in_(flag_ids), StaffFlag.resolved_at.is_(None))
            .values(resolved_at=now)
        )


def find(session: Session, channel: str, address: str, lock: bool = False) -> Contact | None:
    query = select(Contact).where(Contact.channel == channel, Contact.address == address)
    if lock:
        query = query.with_for_update()
    return session.scalars(query).one_or_none()


# ---- tags -------------------------------------------------------------------------------------

TAG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$")
PARTNER = "partner"  # staff of a partner organization (the partner survey, partner votes)
INTERVIEW_OK = "interview-ok"  # said yes to a 30-minute conversation with the team


class TagError(ValueError):
    """A tag name that cannot be used; the message says why, for the organizer."""


def normalize_tag(text: str) -> str:
    """``Partner`` -> ``partner``, ``parent leader`` -> ``parent-leader``, ``Niñez`` ->
    ``ninez``: lowercase a-z, 0-9 and single hyphens, so one group has one spelling."""
    folded = unicodedata.normalize("NFKD", text.strip().lower())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    tag = re.sub(r"[\s_]+", "-", folded)
    tag = re.sub(r"-{2,}", "-", tag).strip("-")
    if not TAG_PATTERN.match(tag):
        raise TagError(
            f"{text!r} is not a tag: use up to 32 letters a-z, digits and hyphens, "
            "like partner or parent-leader"
        )
    return tag


def add_tag(session: Session, contact: Contact, tag: str, now: datetime, source: str) -> bool:
    """Tag a contact (``tag`` is normalised); False when they already had it."""
    tag = normalize_tag(tag)
    if has_tag(session, contact.id, tag):
        return False
    session.add(ContactTag(contact_id=contact.id, tag=tag, source=source[:64], created_at=now))
    session.flush()
    return True


def remove_tag(session: Session, contact: Contact, tag: str) -> bool:
    """Take a tag off a contact; False when they did not have it."""
    removed = session.execute(
        delete(ContactTag)
        .where(ContactTag.contact_id == contact.id, ContactTag.tag == normalize_tag(tag))
        .execution_options(synchronize_session=False)
    ).rowcount
    return bool(removed)


def has_tag(session: Session, contact_id: int, tag: str) -> bool:
    query = select(ContactTag.id).where(ContactTag.contact_id == contact_id, ContactTag.tag == tag)
    return session.scalar(query.limit(1)) is not None


def tags_of(session: Session, contact_id: int) -> list[str]:
    query = select(ContactTag.tag).where(ContactTag.contact_id == contact_id)
    return sorted(session.scalars(query))
