"""Putting the plan's ``Start`` values in the outbox: invitations, reminders, notices and
waitlist promotions.

The plan (``plan.py``) decides who and when; this module reads the facts it needs from
storage and enqueues one outbox row per ``Start``, keyed on the plan's idempotency key, so a
job that runs twice, or a turn retried after a conflict, enqueues once. The sender loop does
the rest at send time (quiet hours, opt-out, expiry, rate).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import String, cast, exists, literal, or_, select, update
from sqlalchemy.orm import Session

from ..models import Contact, OutboxMessage
from ..outbound import outbox
from ..outbound.status import OutboxStatus
from . import plan, store
from .models import CANCELLED, SCHEDULED, OutreachEvent

REASONS = {
    plan.INVITATION_FLOW: "event_invite",
    plan.REMINDER_FLOW: "event_reminder",
    plan.NOTICE_FLOW: "event_notice",
    plan.PROMOTED_FLOW: "event_promoted",
    plan.FEEDBACK_FLOW: "event_feedback",
    plan.SLOTS_FLOW: "slot_offer",
}


def facts(event: OutreachEvent) -> plan.EventFacts:
    return plan.EventFacts(
        event.id, event.status, event.starts_at, event.sequence, tuple(event.remind_minutes or ())
    )


def rsvp_facts(session: Session, event_id: int) -> list[plan.RsvpFacts]:
    return [
        plan.RsvpFacts(r.contact_id, r.status, r.responded_at, r.promoted_at)
        for r in store.rsvps(session, event_id)
    ]


def enqueue_starts(
    session: Session,
    starts: Iterable[plan.Start],
    now: datetime,
    reason: str | None = None,
    broadcast_id: int | None = None,
) -> int:
    """One outbox row per ``Start`` (``reason`` defaults to the flow's; ``broadcast_id`` marks
    the broadcast that queues them); returns how many were new. Contacts that no longer exist
    are skipped."""
    starts = list(starts)
    channels = _channels(session, sorted({start.contact_id for start in starts}))
    rows = [
        outbox.values(
            start.contact_id,
            channels[start.contact_id],
            reason=reason or REASONS[start.flow_id],
            key=start.idempotency_key,
            now=now,
            flow_id=start.flow_id,
            params=dict(start.params),
            not_before=start.not_before,
            expires_at=start.expires_at,
            broadcast_id=broadcast_id,
        )
        for start in starts
        if start.contact_id in channels
    ]
    return outbox.enqueue_many(session, rows)


def _channels(session: Session, contact_ids: list[int], chunk: int = 1000) -> dict[int, str]:
    """Contact id -> channel, looked up a thousand at a time (SQLite caps bound parameters)."""
    found: dict[int, str] = {}
    for start in range(0, len(contact_ids), chunk):
        part = contact_ids[start : start + chunk]
        query = select(Contact.id, Contact.channel).where(Contact.id.in_(part))
        found.update((contact_id, channel) for contact_id, channel in session.execute(query))
    return found


def due_reminders(
    event: OutreachEvent, rsvps: list[plan.RsvpFacts], now: datetime
) -> list[plan.Start]:
    """The reminders whose time has come, the latest one per contact only.

    Queued when due rather than all ahead of time, so a rescheduled event is never reminded at
    its old times; and after a worker outage, a resident gets the latest due reminder, not
    every one missed.
    """
    latest: dict[int, plan.Start] = {}
    for start in plan.reminders(facts(event), rsvps, now):
        if start.not_before > now:
            continue
        kept = latest.get(start.contact_id)
        if kept is None or start.not_before > kept.not_before:
            latest[start.contact_id] = start
    return list(latest.values())


def due_notices(
    event: OutreachEvent, rsvps: list[plan.RsvpFacts], now: datetime
) -> list[plan.Start]:
    """Notices for the latest change, only to those whose yes came before it (a yes given
    after the change was given to the new details)."""
    before = [
        r for r in rsvps if (r.promoted_at or r.responded_at or event.updated_at) < event.updated_at
    ]
    return plan.notices(facts(event), before, now)


def scan(session: Session, now: datetime) -> dict[str, int]:
    """Queue due reminders and pending notices for every upcoming event (the worker's job)."""
    events = session.scalars(
        select(OutreachEvent).where(
            OutreachEvent.starts_at > now,
            or_(
                OutreachEvent.status == SCHEDULED,
                (OutreachEvent.status == CANCELLED) & (OutreachEvent.sequence > 0),
            ),
        )
    )
    done = {"reminders": 0, "notices": 0}
    for event in events:
        rsvps = rsvp_facts(session, event.id)
        done["reminders"] += enqueue_starts(session, due_reminders(event, rsvps, now), now)
        if event.sequence > 0:
            done["notices"] += enqueue_starts(session, due_notices(event, rsvps, now), now)
    return done


def invite(
    session: Session, event: OutreachEvent, contact_ids: Iterable[int], now: datetime
) -> int:
    """Queue the invitation for these contacts (once each, whoever asks again, a broadcast
    included)."""
    free_unsent(session, plan.invitation_prefix(event.id))
    return enqueue_starts(session, plan.invitations(facts(event), contact_ids, now), now)


# Rows that never reached the resident: a cancelled broadcast's, an expired one, one held
# back because the contact had opted out then. Such an invitation was never given.
NEVER_SENT = (OutboxStatus.SUPPRESSED, OutboxStatus.EXPIRED)


def free_unsent(session: Session, prefix: str) -> int:
    """Free the keys starting with ``prefix`` whose rows never went out, so the same start can
    be queued again (``retired:<row id>`` instead); returns how many.

    The rows stay, with their status and broadcast, so the broadcast that queued them still
    counts them as it did.
    """
    retired = literal("retired:", String) + cast(OutboxMessage.id, String)
    result = session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.idempotency_key.startswith(prefix, autoescape=True),
            OutboxMessage.status.in_(NEVER_SENT),
        )
        .values(idempotency_key=retired)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)


def pending_or_given(prefix: str, contact_id: Any) -> Any:
    """SQL: a row keyed ``prefix`` + the contact's id exists and did not die unsent (it waits,
    or went out): for leaving contacts out of an audience exactly as the outbox would."""
    return exists().where(
        OutboxMessage.idempotency_key == literal(prefix, String) + cast(contact_id, String),
        OutboxMessage.status.not_in(NEVER_SENT),
    )


def promoted(session: Session, event_id: int, contact_id: int, now: datetime) -> int:
    """A waitlisted yes got a seat: queue ``event_promoted`` for them, in the caller's
    transaction (the one that freed the seat)."""
    event = store.get(session, event_id)
    if event is None:
        return 0
    return enqueue_starts(session, plan.promoted(facts(event), contact_id, now), now)


def feedback(
    session: Session, event: OutreachEvent, contact_ids: Iterable[int], now: datetime
) -> int:
    """Queue "how useful was it?" for attendees (sent once the event has ended; once each,
    however often attendance is marked)."""
    starts = plan.feedback(facts(event), event.ends_at, contact_ids, now)
    return enqueue_starts(session, starts, now)
