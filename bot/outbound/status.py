"""The status values a stored message goes through, in one place.

Replies (``replied``) are stored in the conversation's transaction; a channel that sends them
itself (Telegram) then records ``sent``, ``failed`` or ``unsent``. Providers report the rest
through delivery receipts.
"""

from __future__ import annotations

from enum import StrEnum


class MessageStatus(StrEnum):
    RECEIVED = "received"  # an inbound message
    REPLIED = "replied"  # a reply stored with its turn, not yet known to be sent
    ACCEPTED = "accepted"
    SCHEDULED = "scheduled"
    QUEUED = "queued"
    SENDING = "sending"  # claimed by a sender (a resend of Telegram replies)
    UNSENT = "unsent"  # not attempted: an earlier reply of the same turn failed
    SENT = "sent"
    DELIVERED = "delivered"
    READ = "read"
    UNDELIVERED = "undelivered"
    FAILED = "failed"
    CANCELED = "canceled"


# Callbacks can arrive out of order ("delivered" before "sent"); never move a status backwards.
STATUS_RANK: dict[str, int] = {
    MessageStatus.ACCEPTED: 0,
    MessageStatus.SCHEDULED: 0,
    MessageStatus.QUEUED: 1,
    MessageStatus.SENDING: 2,
    MessageStatus.SENT: 3,
    MessageStatus.DELIVERED: 4,
    MessageStatus.READ: 5,
    MessageStatus.UNDELIVERED: 4,
    MessageStatus.FAILED: 4,
    MessageStatus.CANCELED: 4,
}


class OutboxStatus(StrEnum):
    """Where a message Vecino starts is on its way out (``OutboxMessage.status``)."""

    PENDING = "pending"  # waiting for ``not_before`` (quiet hours and retries move it)
    SENDING = "sending"  # claimed by a worker until ``lease_until``
    SENT = "sent"  # the provider accepted it; receipts update the stored messages
    FAILED = "failed"  # the provider refused it, or retries ran out; ``error_code`` says why
    SUPPRESSED = "suppressed"  # not sent: the contact opted out or cannot be reached
    EXPIRED = "expired"  # not sent: past ``expires_at`` (a reminder after its event)


FINAL_OUTBOX_STATUSES = (
    OutboxStatus.SENT,
    OutboxStatus.FAILED,
    OutboxStatus.SUPPRESSED,
    OutboxStatus.EXPIRED,
)
