"""Replies a channel sends itself (outside the webhook response), and sending them again.

Telegram answers through the Bot API, not in the webhook response, so a reply can fail, or
the process die, after the turn was stored. Each reply is stored with a lease
(``Message.lease_until``): the request that ran the turn holds it while it sends, and records
each reply's fate, which ends the lease. A reply whose lease ran out was left behind by a dead
process; it is claimed (status ``sending``, a new lease) and sent by whichever comes first: the
provider delivering the same update again (``claim_unsent``) or the worker's sweep
(``claim_abandoned``). The claim is a row lock plus the new lease, so two paths never both
send it. A process killed after the provider took a reply but before its fate was recorded
makes that turn's replies go out twice: never zero times.

Any channel that answers through an API call can use this; nothing here knows Telegram.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import groupby

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ..engine import Outbound
from ..models import Contact, Message
from . import outbox
from .sender import NETWORK, SendReport
from .status import MessageStatus

# The outbox's lease: longer than a webhook's sends take (PTB's timeouts bound a Bot API call
# to about 5-15 s, a rate-limit wait to 5 s, and a turn has a few replies), short enough that a
# reply left by a dead process goes out within a couple of minutes.
LEASE = outbox.LEASE
# A reply left behind longer than this is not sent any more (the worker was down): the
# conversation has moved on, and Telegram stopped redelivering the update long ago.
MAX_AGE = timedelta(hours=24)
EXPIRED = "expired"


@dataclass
class Fates:
    """What became of each reply of one send, in order, and the batch's report."""

    statuses: list[tuple[str, str | None]] = field(default_factory=list)
    report: SendReport = field(default_factory=SendReport)


def send_in_order(replies: Sequence[Outbound], send_one: Callable[[Outbound], SendReport]) -> Fates:
    """Send each reply in order; after the first that cannot go out, none of the rest."""
    fates = Fates()
    total = fates.report
    for reply in replies:
        if total.error is not None:
            fates.statuses.append((MessageStatus.UNSENT, total.error))
            continue
        report = send_one(reply)
        total.add(report)
        fates.statuses.append(
            (MessageStatus.SENT, None) if report.ok else (MessageStatus.FAILED, report.error)
        )
    return fates


def claim_unsent(
    session: Session, channel: str, provider_id: str, now: datetime, lease: timedelta = LEASE
) -> list[tuple[int, Outbound]]:
    """Claim the replies to a redelivered message that never reached the resident.

    Sent again: replies that could not go out because the provider was unreachable, and
    replies whose sender's lease ran out (it died before recording their fate). Not a reply
    that went out once, nor one that timed out (it may have), nor one whose sender may still
    be sending it: a twin delivery racing the first leaves those alone. Claiming under a row
    lock makes two redeliveries (or a redelivery and the sweep) send each reply once. A reply
    split into several messages is re-sent whole.
    """
    rows = session.scalars(
        select(Message)
        .where(
            Message.in_reply_to_id == inbound_id(session, channel, provider_id),
            or_(
                Message.lease_until < now,
                Message.status.in_((MessageStatus.FAILED, MessageStatus.UNSENT))
                & (Message.error_code == NETWORK),
            ),
        )
        .order_by(Message.id)
        .with_for_update()
    ).all()
    _claim(rows, now, lease)
    return [(row.id, _outbound(row)) for row in rows]


@dataclass(frozen=True)
class Abandoned:
    """One turn's replies left behind by a dead sender, claimed by the sweep."""

    channel: str
    address: str
    language: str | None
    replies: list[tuple[int, Outbound]]


def claim_abandoned(
    session: Session,
    now: datetime,
    limit: int,
    channels: Collection[str],
    lease: timedelta = LEASE,
) -> list[Abandoned]:
    """Claim up to ``limit`` replies on ``channels`` (those the caller can send on) whose
    sender's lease ran out, grouped by turn, in order.

    On PostgreSQL the rows are taken with ``SKIP LOCKED``, so a redelivery sending them now
    is not waited for (and it re-checks the lease once we commit). Replies older than
    ``MAX_AGE`` are given up, marked failed ``expired``.
    """
    query = (
        select(Message)
        .where(Message.lease_until < now, Message.channel.in_(channels))
        .order_by(Message.in_reply_to_id, Message.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=Message)
    rows = list(session.scalars(query))
    fresh = []
    for row in rows:
        if row.created_at < now - MAX_AGE:
            row.status, row.error_code, row.lease_until = MessageStatus.FAILED, EXPIRED, None
        else:
            fresh.append(row)
    _claim(fresh, now, lease)
    contact_ids = {row.contact_id for row in fresh}
    contacts = {
        c.id: c for c in session.scalars(select(Contact).where(Contact.id.in_(contact_ids)))
    }
    claimed = []
    for _, group in groupby(fresh, key=lambda row: row.in_reply_to_id):
        turn = list(group)
        contact = contacts[turn[0].contact_id]
        replies = [(row.id, _outbound(row)) for row in turn]
        claimed.append(Abandoned(contact.channel, contact.address, contact.language, replies))
    return claimed


def record_fates(
    session: Session,
    channel: str,
    provider_id: str,
    fates: Fates,
    only: list[int] | None = None,
) -> None:
    """Each stored reply's fate, so organizers (and a redelivery) see what went out.

    ``fates`` are in the order of the replies sent: all the message's replies, or the rows in
    ``only``.
    """
    if not fates.statuses:
        return
    query = select(Message).where(
        Message.in_reply_to_id == inbound_id(session, channel, provider_id)
    )
    if only is not None:
        query = query.where(Message.id.in_(only))
    _apply_fates(session.scalars(query.order_by(Message.id)).all(), fates)


def record_claimed(session: Session, row_ids: list[int], fates: Fates) -> None:
    """The fates of replies claimed by id (the sweep), in the order of ``row_ids``."""
    rows = session.scalars(select(Message).where(Message.id.in_(row_ids)).order_by(Message.id))
    _apply_fates(rows.all(), fates)


def _apply_fates(rows: Sequence[Message], fates: Fates) -> None:
    for row, (status, error) in zip(rows, fates.statuses, strict=False):
        row.status = status
        row.error_code = error[:16] if error else None
        row.lease_until = None  # its fate is known: nobody needs to send it again


def _claim(rows: Sequence[Message], now: datetime, lease: timedelta) -> None:
    for row in rows:
        row.status = MessageStatus.SENDING
        row.lease_until = now + lease


def _outbound(row: Message) -> Outbound:
    return Outbound.from_payload(row.payload or {"text": row.body})


def inbound_id(session: Session, channel: str, provider_id: str) -> int | None:
    return session.scalar(
        select(Message.id).where(Message.channel == channel, Message.provider_id == provider_id)
    )
