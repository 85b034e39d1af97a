"""The outbox: every message Vecino starts is a row here before it goes out.

Enqueue is idempotent (a key unique per purpose, so a job that runs twice enqueues once).
Workers claim due rows for a lease: on PostgreSQL with ``FOR UPDATE SKIP LOCKED``, so several
workers share the queue and never claim the same row; on SQLite one worker runs (``BEGIN
IMMEDIATE`` serialises claims anyway). A claim whose worker died is taken back once its lease
has run out: the message may then go out twice, never zero times.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, func, or_, select, text, update
from sqlalchemy.orm import Session

from ..db import conflict_insert
from ..engine import Outbound
from ..models import Contact, Message, OutboxMessage
from .status import FINAL_OUTBOX_STATUSES, OutboxStatus

# Long enough for a send and its bookkeeping (HTTP timeouts are 10-15 s), short enough that a
# message claimed by a worker that was killed goes out within a couple of minutes.
LEASE = timedelta(seconds=90)


def enqueue(
    session: Session,
    contact: Contact,
    *,
    reason: str,
    key: str,
    now: datetime,
    flow_id: str | None = None,
    params: dict[str, Any] | None = None,
    messages: Sequence[Outbound] | None = None,
    not_before: datetime | None = None,
    expires_at: datetime | None = None,
) -> bool:
    """Queue a flow to start (``flow_id``) or messages to send. False when ``key`` was queued
    before, whatever became of it."""
    row = values(
        contact.id, contact.channel, reason=reason, key=key, now=now, flow_id=flow_id,
        params=params, messages=messages, not_before=not_before, expires_at=expires_at,
    )  # fmt: skip
    return enqueue_many(session, [row]) == 1


def values(
    contact_id: int,
    channel: str,
    *,
    reason: str,
    key: str,
    now: datetime,
    flow_id: str | None = None,
    params: dict[str, Any] | None = None,
    messages: Sequence[Outbound] | None = None,
    not_before: datetime | None = None,
    expires_at: datetime | None = None,
    broadcast_id: int | None = None,
) -> dict[str, Any]:
    """One outbox row, for ``enqueue_many`` (the arguments are ``enqueue``'s, and the
    broadcast that queues it, if one does)."""
    if (flow_id is None) == (messages is None):
        raise ValueError("enqueue needs exactly one of flow_id and messages")
    return {
        "contact_id": contact_id,
        "channel": channel,
        "reason": reason[:32],
        "idempotency_key": key[:128],
        "broadcast_id": broadcast_id,
        "flow_id": flow_id,
        "params": params,
        "payload": [m.to_payload() for m in messages] if messages is not None else None,
        "status": OutboxStatus.PENDING,
        "not_before": not_before or now,
        "expires_at": expires_at,
        "attempts": 0,
        "created_at": now,
        "updated_at": now,
    }


def enqueue_many(session: Session, rows: Sequence[dict[str, Any]]) -> int:
    """Queue many rows (from ``values``; a broadcast to tens of thousands) in batched
    statements; returns how many were new (a key queued before is skipped)."""
    if not rows:
        return 0
    dialect = session.get_bind().dialect.name
    postgresql = dialect == "postgresql"
    statement = conflict_insert(dialect)(OutboxMessage).on_conflict_do_nothing(
        index_elements=["idempotency_key"]
    )
    session.flush()  # as an ORM statement would: the rows' contacts must be in the database
    connection = session.connection()
    if postgresql and len(rows) > 1:
        # psycopg re-parses every multi-row INSERT ... RETURNING batch in Python (70% of a
        # 50,000-row broadcast's 33 s); one parameter set per row without RETURNING runs 4x
        # faster. The keys already queued, counted first in this transaction, give how many
        # are new. Each key is still queued once; only the count can run high, by the rows of
        # another transaction inserting the same keys at this moment (two broadcasts inviting
        # one resident to one event, confirmed in the same instant).
        keys = [row["idempotency_key"] for row in rows]
        before = connection.execute(_KEYS_QUEUED, {"keys": keys}).scalar_one()
        connection.execute(statement, list(rows))
        return len(set(keys)) - int(before)
    # One compiled statement, many parameter sets: SQLAlchemy batches them ("insertmanyvalues").
    result = connection.execute(statement.returning(OutboxMessage.id), list(rows))
    return len(result.all())


_KEYS_QUEUED = text("SELECT count(*) FROM outbox WHERE idempotency_key = ANY(:keys)")


def claim(
    session: Session, worker: str, now: datetime, limit: int, lease: timedelta = LEASE
) -> list[int]:
    """Claim up to ``limit`` due rows for ``worker``, oldest due first; returns their ids.

    Due means pending with ``not_before`` passed, or claimed by a worker whose lease ran out
    (it died mid-send).
    """
    due = or_(
        and_(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.not_before <= now),
        and_(OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.lease_until < now),
    )
    query = (
        select(OutboxMessage.id)
        .where(due)
        .order_by(OutboxMessage.not_before, OutboxMessage.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    ids = list(session.scalars(query))
    if ids:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids))
            .values(
                status=OutboxStatus.SENDING,
                claimed_by=worker[:64],
                lease_until=now + lease,
                updated_at=now,
            )
        )
    return ids


def take_back_stale(session: Session, now: datetime) -> int:
    """Return rows whose worker died mid-send to the queue (housekeeping; ``claim`` also takes
    them directly)."""
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.lease_until < now)
        .values(status=OutboxStatus.PENDING, claimed_by=None, lease_until=None, updated_at=now)
    )
    return int(result.rowcount or 0)


def expire_overdue(session: Session, now: datetime) -> int:
    """Mark pending rows past ``expires_at`` expired, so status counts tell the truth even
    when no worker has looked at them."""
    result = session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.expires_at.is_not(None),
            OutboxMessage.expires_at <= now,
        )
        .values(status=OutboxStatus.EXPIRED, updated_at=now)
    )
    return int(result.rowcount or 0)


def prune(session: Session, older_than: datetime) -> int:
    """Delete finished rows last touched before ``older_than`` (their sent messages stay in
    ``messages``, unlinked)."""
    ids = select(OutboxMessage.id).where(
        OutboxMessage.status.in_(FINAL_OUTBOX_STATUSES), OutboxMessage.updated_at < older_than
    )
    session.execute(update(Message).where(Message.outbox_id.in_(ids)).values(outbox_id=None))
    result = session.execute(
        delete(OutboxMessage).where(
            OutboxMessage.status.in_(FINAL_OUTBOX_STATUSES),
            OutboxMessage.updated_at < older_than,
        )
    )
    return int(result.rowcount or 0)


def retry_failed(session: Session, now: datetime, reason: str | None = None) -> int:
    """Put failed rows back in the queue (``vecino outbox retry-failed``), attempts reset."""
    query = update(OutboxMessage).where(OutboxMessage.status == OutboxStatus.FAILED)
    if reason:
        query = query.where(OutboxMessage.reason == reason)
    result = session.execute(
        query.values(status=OutboxStatus.PENDING, attempts=0, not_before=now, updated_at=now)
    )
    return int(result.rowcount or 0)


def counts(session: Session) -> dict[tuple[str, str], int]:
    """``{(status, reason): count}`` for ``vecino outbox status``."""
    rows = session.execute(
        select(OutboxMessage.status, OutboxMessage.reason, func.count()).group_by(
            OutboxMessage.status, OutboxMessage.reason
        )
    )
    return {(status, reason): count for status, reason, count in rows}


def next_due(session: Session) -> datetime | None:
    return session.scalar(
        select(func.min(OutboxMessage.not_before)).where(
            OutboxMessage.status == OutboxStatus.PENDING
        )
    )
