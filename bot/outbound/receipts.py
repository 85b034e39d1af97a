"""Delivery receipts: what providers tell us happened to a message we sent."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import contacts
from ..models import Contact, Message
from .status import STATUS_RANK

log = logging.getLogger(__name__)

# Twilio error 21610: the recipient replied STOP to the carrier; sending again is refused.
UNSUBSCRIBED_ERRORS = {"21610"}


def record_status(
    session: Session,
    channel: str,
    provider_id: str,
    status: str,
    error_code: str | None,
    now: datetime,
) -> bool:
    """Apply a delivery receipt; False when we never sent a message with that id."""
    message = session.scalars(
        select(Message)
        .where(Message.channel == channel, Message.provider_id == provider_id)
        .with_for_update()
    ).one_or_none()
    if message is None or message.direction != "out":
        return False
    status = status.lower()
    if STATUS_RANK.get(status, -1) >= STATUS_RANK.get(message.status, -1):
        message.status = status[:16]
        message.updated_at = now
    if error_code:
        message.error_code = error_code[:16]
    if error_code in UNSUBSCRIBED_ERRORS:
        contact = session.get(Contact, message.contact_id)
        if contact is not None:
            contacts.opt_out(contact, now, reason=f"carrier error {error_code}")
    return True
