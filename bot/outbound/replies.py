"""Replies a channel sends itself (outside the webhook response), and sending them again.

Telegram answers through the Bot API, not in the webhook response, so a reply can fail after
the turn was stored. Each reply's fate is recorded on its stored message; when the provider
delivers the same update again, only replies that could not go out because the provider was
unreachable are claimed and sent again. Any channel that answers through an API call can use
this; nothing here knows Telegram.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..engine import Outbound
from ..models import Message
from .sender import NETWORK, SendReport
from .status import MessageStatus


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


def claim_unsent(session: Session, channel: str, provider_id: str) -> list[tuple[int, Outbound]]:
    """Claim the replies to a redelivered message that never reached the resident.

    Only replies that could not go out because the provider was unreachable are sent again: a
    reply that went out once must not go out twice, and one that timed out may have. Claiming
    (status ``sending``, under a row lock) makes two redeliveries racing each other send each
    reply once. A reply split into several messages is re-sent whole; that needs the network
    to fail between its pieces.
    """
    rows = session.scalars(
        select(Message)
        .where(
            Message.in_reply_to_id == inbound_id(session, channel, provider_id),
            Message.status.in_((MessageStatus.FAILED, MessageStatus.UNSENT)),
            Message.error_code == NETWORK,
        )
        .order_by(Message.id)
        .with_for_update()
    ).all()
    for row in rows:
        row.status = MessageStatus.SENDING
    return [(row.id, Outbound.from_payload(row.payload or {"text": row.body})) for row in rows]


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
    rows = session.scalars(query.order_by(Message.id)).all()
    for row, (status, error) in zip(rows, fates.statuses, strict=False):
        row.status = status
        row.error_code = error[:16] if error else None


def inbound_id(session: Session, channel: str, provider_id: str) -> int | None:
    return session.scalar(
        select(Message.id).where(Message.channel == channel, Message.provider_id == provider_id)
    )
