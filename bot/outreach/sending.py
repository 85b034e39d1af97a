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

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ..models import Contact
from ..outbound import outbox
from . import plan, store
from .models import CANCELLED, SCHEDULED, OutreachEvent

REASONS = {
    plan.INVITATION_FLOW: "event_invite",
    plan.REMINDER_FLOW: "event_reminder",
    plan.NOTICE_FLOW: "event_notice",
    plan.PROMOTED_FLOW: "event_promoted",
    plan.FEEDBACK_FLOW: "event_feedback",
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
    session: Session, starts: Iterable[plan.Start], now: datetime, reason: str | None = None
) -> int:
    """One outbox row per ``Start`` (``reason`` defaults to the flow's); returns how many
    were new. Contacts that no longer exist are skipped."""
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
    """Queue the invitation for these contacts (once each, whoever asks again)."""
    return enqueue_starts(session, plan.invitations(facts(event), contact_ids, now), now)


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
