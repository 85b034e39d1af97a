"""What to start, for whom, and when: invitations, reminders, change and cancel notices.

Pure functions over plain values. They return ``Start`` values that the outbox enqueues (one
row each, deduplicated on ``idempotency_key``), so a scheduler job can compute the plan as
often as it likes: a reminder or a notice already queued is never queued twice. Nothing here
sends anything.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from .models import CANCELLED, DONE, SCHEDULED, YES

INVITATION_FLOW = "event_invitation"
REMINDER_FLOW = "event_reminder"
NOTICE_FLOW = "event_notice"
PROMOTED_FLOW = "event_promoted"
FEEDBACK_FLOW = "event_feedback"
SLOTS_FLOW = "interview_slots"
# "How useful was it?" is worth asking for a few days after the event; later it is noise.
FEEDBACK_WINDOW = timedelta(days=3)
# An invitation is worth sending until an hour before the start; later it only confuses.
INVITATION_CUTOFF = timedelta(hours=1)


@dataclass(frozen=True)
class Start:
    """One flow for the outbox to start for one contact."""

    contact_id: int
    flow_id: str
    params: dict[str, Any]
    idempotency_key: str
    not_before: datetime
    expires_at: datetime


@dataclass(frozen=True)
class EventFacts:
    id: int
    status: str
    starts_at: datetime
    sequence: int
    remind_minutes: Sequence[int] = field(default_factory=tuple)


@dataclass(frozen=True)
class RsvpFacts:
    contact_id: int
    status: str
    responded_at: datetime | None
    promoted_at: datetime | None = None


def invitation_prefix(event_id: int) -> str:
    """What every invitation key to this event starts with (the contact's id follows)."""
    return f"event:{event_id}:invite:"


def invitations(event: EventFacts, contact_ids: Iterable[int], now: datetime) -> list[Start]:
    """One invitation per contact, while the event is scheduled and far enough ahead.

    The key names the event and the contact, never who asked: ``vecino events invite`` and
    every broadcast to the event share it, so the outbox queues one invitation per contact.
    """
    expires = event.starts_at - INVITATION_CUTOFF
    if event.status != SCHEDULED or now >= expires:
        return []
    return [
        Start(
            contact_id,
            INVITATION_FLOW,
            {"event_id": event.id},
            f"{invitation_prefix(event.id)}{contact_id}",
            now,
            expires,
        )
        for contact_id in contact_ids
    ]


def slot_offer_prefix(group: str) -> str:
    """What every slot-offer key for this group starts with (the contact's id follows)."""
    return f"slots:{group}:offer:"


def slot_offers(
    group: str, contact_ids: Iterable[int], now: datetime, last_start: datetime
) -> list[Start]:
    """One offer of a group's interview slots per contact (keyed on the group, so whichever
    broadcast asks, a contact gets the list once), until an hour before the last slot."""
    expires = last_start - INVITATION_CUTOFF
    if now >= expires:
        return []
    params = {"slot_group": group}
    prefix = slot_offer_prefix(group)
    return [
        Start(contact_id, SLOTS_FLOW, params, f"{prefix}{contact_id}", now, expires)
        for contact_id in contact_ids
    ]


def reminders(event: EventFacts, rsvps: Iterable[RsvpFacts], now: datetime) -> list[Start]:
    """Reminders for yes RSVPs (promoted ones included), each offset before the start.

    Never after the start (``expires_at`` is the start), never for a cancelled event, and not
    for a time that had passed before the resident said yes (they just heard the details).
    """
    if event.status != SCHEDULED or now >= event.starts_at:
        return []
    plan = []
    for rsvp in rsvps:
        if rsvp.status != YES:
            continue
        since = rsvp.promoted_at or rsvp.responded_at
        for minutes in sorted(set(event.remind_minutes), reverse=True):
            at = event.starts_at - timedelta(minutes=minutes)
            if since is not None and at < since:
                continue
            key = f"event:{event.id}:remind:{minutes}:{event.sequence}:{rsvp.contact_id}"
            params = {"event_id": event.id, "minutes": minutes}
            plan.append(Start(rsvp.contact_id, REMINDER_FLOW, params, key, at, event.starts_at))
    return plan


def notices(event: EventFacts, rsvps: Iterable[RsvpFacts], now: datetime) -> list[Start]:
    """Tell those who said yes that the event changed or was cancelled, once per change.

    The key carries the event's SEQUENCE, so each change is told once, and a cancel once.
    Nothing for an event that has started, nor for an unchanged one.
    """
    if event.sequence == 0 or now >= event.starts_at:
        return []
    kind = "cancelled" if event.status == CANCELLED else "changed"
    return [
        Start(
            rsvp.contact_id,
            NOTICE_FLOW,
            {"event_id": event.id, "kind": kind},
            f"event:{event.id}:{kind}:{event.sequence}:{rsvp.contact_id}",
            now,
            event.starts_at,
        )
        for rsvp in rsvps
        if rsvp.status == YES
    ]


def promoted(event: EventFacts, contact_id: int, now: datetime) -> list[Start]:
    """A waitlisted resident got a seat: tell them (once)."""
    if event.status != SCHEDULED or now >= event.starts_at:
        return []
    key = f"event:{event.id}:promoted:{contact_id}"
    params = {"event_id": event.id}
    return [Start(contact_id, PROMOTED_FLOW, params, key, now, event.starts_at)]


def feedback(
    event: EventFacts, ends_at: datetime, contact_ids: Iterable[int], now: datetime
) -> list[Start]:
    """The one-question feedback for attendees: after the event ends, once each.

    Nothing for a cancelled event, nor once the window after the end has passed.
    """
    expires = ends_at + FEEDBACK_WINDOW
    if event.status not in (SCHEDULED, DONE) or now >= expires:
        return []
    at = max(now, ends_at)
    return [
        Start(
            contact_id,
            FEEDBACK_FLOW,
            {"event_id": event.id},
            f"event:{event.id}:feedback:{contact_id}",
            at,
            expires,
        )
        for contact_id in contact_ids
    ]
