"""A resident's turn in the database: the few statements ``ConversationService.receive`` runs.

All of it happens holding the contact's lock (the whole database's on SQLite), so each
statement is built once and run with Core, never through the unit of work, and the two
databases get the shape that costs each least:

- SQLite (one writer at a time, no round trips): the contact's upsert returns their state,
  then the inbound message, the state and the replies, each its own statement, sent to the
  driver directly (``bot.driver``: SQLAlchemy's execution cost more than SQLite's);
- PostgreSQL (every statement a round trip to another process): the contact's lock, then the
  inbound message and the state read in one statement, then the state, a language switch and
  the replies in one statement with data-modifying CTEs. Three statements, whatever the turn.

``open_turn`` runs before the engine, ``close_turn`` after it; bench/statements.py counts them.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Executable,
    bindparam,
    literal,
    literal_column,
    select,
    true,
    union_all,
    update,
)
from sqlalchemy import insert as sa_insert

from . import contacts, driver
from .db import conflict_insert
from .engine import Turn
from .models import ConversationState, Message
from .outbound.status import MessageStatus

MAX_STORED_BODY = 20_000  # far above any provider's limit; only a defence against abuse


@dataclass(frozen=True)
class StoredState:
    """A contact's conversation state row as read with (or right after) their lock."""

    flow_id: str | None
    step_id: str | None
    data: dict[str, Any] | None
    invalid_count: int | None
    updated_at: datetime


@dataclass(frozen=True)
class InboundRow:
    """The inbound message as the messages table keeps it."""

    channel: str
    address: str
    provider_id: str | None
    body: str
    payload: dict[str, Any] | None


@dataclass(frozen=True)
class OpenedTurn:
    channel: str
    contact: contacts.ContactRow
    state: StoredState | None  # None: the resident never talked to us
    inbound_id: int | None  # None: the provider id is stored already (a redelivery)


_STATE = ConversationState.__table__
_MESSAGES = Message.__table__
_STATE_FIELDS = ("flow_id", "step_id", "data", "invalid_count", "updated_at")
_REPLY_FIELDS = (
    "contact_id",
    "channel",
    "direction",
    "body",
    "payload",
    "status",
    "lease_until",
    "in_reply_to_id",
    "created_at",
    "updated_at",
)

# SQLite. The state's columns as subqueries the contact's upsert can return: BEGIN IMMEDIATE
# already holds the database's write lock, so nothing can change between the two.
_STATE_INLINE = tuple(
    select(_STATE.c[name])
    .where(_STATE.c.contact_id == literal_column("contacts.id"))
    .scalar_subquery()
    .label(f"state_{name}")
    for name in _STATE_FIELDS
)


def _bound(table: Any, prefix: str, names: tuple[str, ...]) -> dict[str, Any]:
    """``{column: bindparam}`` for an INSERT built once and bound per call."""
    return {name: bindparam(f"{prefix}{name}", type_=table.c[name].type) for name in names}


_INBOUND_FIELDS = (
    "contact_id",
    "channel",
    "direction",
    "provider_id",
    "body",
    "payload",
    "status",
    "created_at",
    "updated_at",
)


# SQLite's statements, each with every value a bind parameter: bot.driver compiles them once
# and runs them on the driver's cursor.
_INSERT_INBOUND = (
    conflict_insert("sqlite")(_MESSAGES)
    .values(_bound(_MESSAGES, "m_", _INBOUND_FIELDS))
    .on_conflict_do_nothing(index_elements=["channel", "provider_id"])
    .returning(_MESSAGES.c.id)
)


def _update_state(fields: tuple[str, ...]) -> Executable:
    return (
        update(_STATE)
        .where(_STATE.c.contact_id == bindparam("s_contact_id"))
        .values(_bound(_STATE, "s_", fields))
    )


# SQLite rewrites an index entry for every indexed column an UPDATE sets, even to the value it
# had: setting ``invalid_count`` only when it changes spares ix_conversation_states_invalid a
# page in the WAL on most turns.
_UPDATE_STATE = _update_state(_STATE_FIELDS)
_UPDATE_STATE_SAME_INVALID = _update_state(
    tuple(name for name in _STATE_FIELDS if name != "invalid_count")
)
_INSERT_STATE = sa_insert(_STATE).values(_bound(_STATE, "s_", ("contact_id", *_STATE_FIELDS)))


@functools.cache
def _insert_replies(replies: int) -> Executable:
    """SQLite: ``replies`` replies in one INSERT, ids in the order given (one statement for the
    driver, where an executemany is one per row)."""
    rows = [_bound(_MESSAGES, f"r{index}_", _REPLY_FIELDS) for index in range(replies)]
    return sa_insert(_MESSAGES).values(rows)


def _inbound_with_state() -> Executable:
    """PostgreSQL: store the inbound message and read the state, in one statement.

    A statement of its own after the lock: its snapshot is taken once the contact's row lock
    is granted, so it reads the state the lock's last holder committed (a join into the locking
    statement would read it from before the wait; see ``conversations.lock_contact``). No row
    back: the provider id was stored already.
    """
    inbound = (
        conflict_insert("postgresql")(_MESSAGES)
        .values(_bound(_MESSAGES, "m_", _INBOUND_FIELDS))
        .on_conflict_do_nothing(index_elements=["channel", "provider_id"])
        .returning(_MESSAGES.c.id)
        .cte("inbound")
    )
    state = (
        select(*(_STATE.c[name] for name in _STATE_FIELDS))
        .where(_STATE.c.contact_id == bindparam("m_contact_id"))
        .subquery("state")
    )
    columns = (state.c[name] for name in _STATE_FIELDS)
    return select(inbound.c.id, *columns).select_from(inbound.outerjoin(state, true()))


_INBOUND_WITH_STATE = _inbound_with_state()


@functools.cache
def _state_language_replies(replies: int, language: bool) -> Executable:
    """PostgreSQL: the state (upserted), a language switch and ``replies`` replies, in one
    statement; one shape per reply count, built once."""
    state_values = _bound(_STATE, "s_", ("contact_id", *_STATE_FIELDS))
    upsert = conflict_insert("postgresql")(_STATE).values(state_values)
    upsert = upsert.on_conflict_do_update(
        index_elements=["contact_id"],
        set_={name: upsert.excluded[name] for name in _STATE_FIELDS},
    )
    ctes = [upsert.cte("state")]
    if language:
        ctes.append(contacts.SET_LANGUAGE.cte("language"))
    if not replies:
        return select(literal(1)).add_cte(*ctes)
    # INSERT ... SELECT rather than a multi-row VALUES, which SQLAlchemy compiles afresh on
    # every call (it has no cache key); the ordinal keeps the replies' ids in order.
    rows = [
        select(literal_column(str(index)).label("ordinal"), *_bound_row(f"r{index}_"))
        for index in range(replies)
    ]
    listed = (union_all(*rows) if replies > 1 else rows[0]).subquery("replies")
    ordered = select(*(listed.c[name] for name in _REPLY_FIELDS)).order_by(listed.c.ordinal)
    return sa_insert(_MESSAGES).from_select(_REPLY_FIELDS, ordered).add_cte(*ctes)


def _bound_row(prefix: str) -> list[Any]:
    """A reply's columns as labelled, typed bind parameters (a SELECT of one row)."""
    return [
        bindparam(f"{prefix}{name}", type_=_MESSAGES.c[name].type).label(name)
        for name in _REPLY_FIELDS
    ]


def open_turn(connection: Connection, inbound: InboundRow, now: datetime) -> OpenedTurn:
    """Lock the contact (created if new) and mark them seen, store the inbound message once,
    and read the state."""
    postgresql = connection.dialect.name == "postgresql"
    channel, address = inbound.channel, inbound.address
    # SQLite always upserts: one statement whether the resident is new or known. PostgreSQL
    # updates first, because its upsert spends a contacts.id sequence number on every call.
    row = contacts.arrived(connection, channel, address, now) if postgresql else None
    if row is None:  # someone new (a twin may race us: the upsert settles it)
        inline = () if postgresql else _STATE_INLINE
        row = contacts.arrived(connection, channel, address, now, inline, create=True)
        if row is None:
            raise AssertionError("an upsert returns its row")
    contact, inlined = row
    values = {
        "contact_id": contact.id,
        "channel": channel,
        "direction": "in",
        "provider_id": inbound.provider_id,
        "body": inbound.body[:MAX_STORED_BODY],
        "payload": inbound.payload,
        "status": "received",
        "created_at": now,
        "updated_at": now,
    }
    params = {f"m_{name}": value for name, value in values.items()}
    if postgresql:
        found = connection.execute(_INBOUND_WITH_STATE, params).one_or_none()
        if found is None:
            return OpenedTurn(channel, contact, None, None)
        inbound_id, state = found[0], tuple(found[1:])
    else:
        inserted = driver.run(connection, _INSERT_INBOUND, params)
        inbound_id = inserted[0][0] if inserted else None
        state = inlined
    stored = StoredState(*state) if state[-1] is not None else None
    return OpenedTurn(channel, contact, stored, inbound_id)


def close_turn(
    connection: Connection,
    opened: OpenedTurn,
    turn: Turn,
    now: datetime,
    lease_until: datetime | None,
    language: str | None,
) -> None:
    """Store the state the turn left, its replies in order, and ``language`` when it differs
    from the contact's (the caller passes the contact's own when the turn wrote it through
    the loaded object)."""
    contact, inbound_id = opened.contact, opened.inbound_id
    state = state_values(turn, now)
    replies = [
        {
            "contact_id": contact.id,
            "channel": opened.channel,
            "direction": "out",
            "body": reply.text,
            "payload": reply.to_payload(),
            "status": MessageStatus.REPLIED,
            "lease_until": lease_until,
            "in_reply_to_id": inbound_id,
            "created_at": now,
            "updated_at": now,
        }
        for reply in turn.messages
    ]
    # Both databases' statements take the same bind names: s_<column>, r<n>_<column>.
    stored = {"s_contact_id": contact.id, **{f"s_{name}": value for name, value in state.items()}}
    listed = {
        f"r{index}_{name}": value
        for index, reply in enumerate(replies)
        for name, value in reply.items()
    }
    switch = contact.language != language
    if connection.dialect.name == "postgresql":
        params = {**stored, **listed}
        if switch:
            params.update(contacts.set_language_params(contact.id, language))
        connection.execute(_state_language_replies(len(replies), switch), params)
        contact.language = language
        return
    if switch:
        contacts.set_language_of(connection, contact, language)
    if opened.state is None:
        statement = _INSERT_STATE
    elif opened.state.invalid_count == state["invalid_count"]:
        statement = _UPDATE_STATE_SAME_INVALID
    else:
        statement = _UPDATE_STATE
    driver.run(connection, statement, stored)
    if replies:
        driver.run(connection, _insert_replies(len(replies)), listed)


def state_values(turn: Turn, now: datetime) -> dict[str, Any]:
    """The state row's columns as a turn leaves them."""
    conversation = turn.conversation
    return {
        "flow_id": conversation.flow_id,
        "step_id": conversation.step_id,
        "data": dict(conversation.data),
        "invalid_count": conversation.invalid_count,
        "updated_at": now,
    }
