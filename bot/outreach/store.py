"""Reading and writing events and RSVPs: the one owner of the RSVP rules.

Seats: a yes takes a seat when the event has room, else goes on the waitlist. When a seat frees
up (a yes becomes no, maybe or "can't make it"), the oldest waitlisted yes is promoted and
returned, so the caller can start a message for them.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .models import (
    CANCELLED,
    DROPPED,
    FEEDBACK_ANSWERS,
    INVITED,
    KINDS,
    MAYBE,
    NO,
    RSVP_STATUSES,
    SCHEDULED,
    WAITLIST,
    YES,
    EventFeedback,
    EventNote,
    OutreachEvent,
    Rsvp,
    RsvpChange,
)

DEFAULT_LENGTH = timedelta(hours=1, minutes=30)
# Answers a resident may still change: they said something and the event has not happened.
ANSWERED = (YES, NO, MAYBE, WAITLIST, DROPPED)


class EventError(ValueError):
    """An event an organizer tried to create or change is not valid; the message says why."""


@dataclass(frozen=True)
class EventDraft:
    kind: str
    title_en: str
    title_es: str
    starts_at: datetime
    timezone: str
    ends_at: datetime | None = None
    description_en: str | None = None
    description_es: str | None = None
    place: str | None = None
    link: str | None = None
    capacity: int | None = None
    sms_details_en: str | None = None
    sms_details_es: str | None = None
    remind_minutes: tuple[int, ...] = (1440, 120)


def check_draft(draft: EventDraft) -> None:
    """Refuse what residents could not use: no Spanish title, no place nor link, and so on."""
    if draft.kind not in KINDS:
        raise EventError(f"kind must be one of {', '.join(KINDS)}, not {draft.kind!r}")
    if not draft.title_en.strip():
        raise EventError("an event needs an English title (--title)")
    if not draft.title_es.strip():
        raise EventError(
            "an event needs a Spanish title (--title-es): every resident reads it in their language"
        )
    if draft.starts_at.tzinfo is None:
        raise EventError("the start time needs a time zone")
    if draft.ends_at is not None and draft.ends_at <= draft.starts_at:
        raise EventError("the event must end after it starts")
    if not (draft.place or draft.link):
        raise EventError("an event needs a place (--place) or a video link (--link), or both")
    if draft.capacity is not None and draft.capacity < 1:
        raise EventError("capacity must be at least 1")
    if any(minutes <= 0 for minutes in draft.remind_minutes):
        raise EventError("reminders are minutes before the start, each above 0")


def create_event(session: Session, draft: EventDraft, now: datetime) -> OutreachEvent:
    check_draft(draft)
    event = OutreachEvent(
        token=secrets.token_urlsafe(12),
        kind=draft.kind,
        title_en=draft.title_en.strip(),
        title_es=draft.title_es.strip(),
        description_en=draft.description_en,
        description_es=draft.description_es,
        starts_at=draft.starts_at,
        ends_at=draft.ends_at or draft.starts_at + DEFAULT_LENGTH,
        timezone=draft.timezone,
        place=draft.place,
        link=draft.link,
        capacity=draft.capacity,
        sms_details_en=draft.sms_details_en,
        sms_details_es=draft.sms_details_es,
        remind_minutes=sorted(set(draft.remind_minutes), reverse=True),
        sequence=0,
        created_at=now,
        updated_at=now,
    )
    session.add(event)
    session.flush()
    return event


def get(session: Session, event_id: int) -> OutreachEvent | None:
    return session.get(OutreachEvent, event_id)


def by_token(session: Session, token: str) -> OutreachEvent | None:
    return session.scalar(select(OutreachEvent).where(OutreachEvent.token == token))


def all_events(session: Session) -> list[OutreachEvent]:
    return list(session.scalars(select(OutreachEvent).order_by(OutreachEvent.starts_at)))


def reschedule(
    session: Session, event: OutreachEvent, now: datetime, **changes: object
) -> OutreachEvent:
    """Change an event's time, place or link; residents who said yes hear of it (SEQUENCE)."""
    for name, value in changes.items():
        if name not in ("starts_at", "ends_at", "place", "link"):
            raise EventError(f"cannot change {name!r} this way")
        setattr(event, name, value)
    if event.ends_at <= event.starts_at:
        raise EventError("the event must end after it starts")
    event.sequence += 1
    event.updated_at = now
    return event


# What residents who said yes are told about when it changes (a notice, and a new SEQUENCE in
# the calendar file). Titles, descriptions and details are read afresh by every later message.
ANNOUNCED = ("starts_at", "ends_at", "place", "link")


def edit_event(
    session: Session, event: OutreachEvent, draft: EventDraft, now: datetime
) -> tuple[list[str], list[Rsvp]]:
    """Replace an event's details with ``draft`` (checked like a new one).

    Returns the fields that changed and the waitlisted RSVPs promoted because the capacity
    grew (the caller queues ``sending.promoted`` for each). A change to the time, place or
    link bumps SEQUENCE, so the worker tells those who said yes, once.
    """
    check_draft(draft)
    if event.status != SCHEDULED:
        raise EventError(f"event {event.id} is {event.status}: it can no longer be changed")
    wanted = {
        "kind": draft.kind,
        "title_en": draft.title_en.strip(),
        "title_es": draft.title_es.strip(),
        "description_en": draft.description_en,
        "description_es": draft.description_es,
        "starts_at": draft.starts_at,
        "ends_at": draft.ends_at or draft.starts_at + DEFAULT_LENGTH,
        "place": draft.place,
        "link": draft.link,
        "capacity": draft.capacity,
        "sms_details_en": draft.sms_details_en,
        "sms_details_es": draft.sms_details_es,
        "remind_minutes": sorted(set(draft.remind_minutes), reverse=True),
    }
    changed = [name for name, value in wanted.items() if getattr(event, name) != value]
    for name in changed:
        setattr(event, name, wanted[name])
    if not changed:
        return [], []
    if any(name in ANNOUNCED for name in changed):
        event.sequence += 1
    event.updated_at = now
    session.flush()
    promoted: list[Rsvp] = []
    while (seat := promote_next(session, event, now)) is not None:
        promoted.append(seat)
    return changed, promoted


def cancel_event(session: Session, event: OutreachEvent, now: datetime) -> bool:
    """Cancel; False when it was already cancelled (nothing changes, nobody is told twice)."""
    if event.status == CANCELLED:
        return False
    event.status = CANCELLED
    event.sequence += 1
    event.updated_at = now
    return True


# ---- RSVPs ----------------------------------------------------------------------------------


def rsvp_of(session: Session, event_id: int, contact_id: int) -> Rsvp | None:
    return session.scalar(
        select(Rsvp).where(Rsvp.event_id == event_id, Rsvp.contact_id == contact_id)
    )


def invite(session: Session, event: OutreachEvent, contact_id: int, now: datetime) -> Rsvp:
    """An open invitation (status ``invited``), unless they already answered."""
    rsvp = rsvp_of(session, event.id, contact_id)
    if rsvp is None:
        rsvp = Rsvp(
            event_id=event.id,
            contact_id=contact_id,
            status=INVITED,
            source="invitation",
            invited_at=now,
            updated_at=now,
        )
        session.add(rsvp)
        session.flush()
    elif rsvp.invited_at is None:
        rsvp.invited_at = now
    return rsvp


def open_invitations(session: Session, contact_id: int, now: datetime) -> list[OutreachEvent]:
    """Upcoming scheduled events this contact was invited to and has not answered, by date."""
    query = (
        select(OutreachEvent)
        .join(Rsvp, Rsvp.event_id == OutreachEvent.id)
        .where(
            Rsvp.contact_id == contact_id,
            Rsvp.status == INVITED,
            OutreachEvent.status == SCHEDULED,
            OutreachEvent.starts_at > now,
        )
        .order_by(OutreachEvent.starts_at)
    )
    return list(session.scalars(query))


def upcoming_for(
    session: Session,
    contact_id: int,
    now: datetime,
    statuses: tuple[str, ...],
    with_slots: bool = True,
) -> list[OutreachEvent]:
    """Upcoming scheduled events where this contact's RSVP is one of ``statuses``, by date;
    ``with_slots=False`` leaves out interview slots (booked only from their offer)."""
    query = (
        select(OutreachEvent)
        .join(Rsvp, Rsvp.event_id == OutreachEvent.id)
        .where(
            Rsvp.contact_id == contact_id,
            Rsvp.status.in_(statuses),
            OutreachEvent.status == SCHEDULED,
            OutreachEvent.starts_at > now,
        )
        .order_by(OutreachEvent.starts_at)
    )
    if not with_slots:
        query = query.where(OutreachEvent.slot_group.is_(None))
    return list(session.scalars(query))


def seats_taken(session: Session, event_id: int) -> int:
    query = select(func.count()).where(Rsvp.event_id == event_id, Rsvp.status == YES)
    return session.scalar(query) or 0


@dataclass(frozen=True)
class RsvpOutcome:
    """What an answer did: the status stored, and who got a seat because of it."""

    rsvp: Rsvp
    status: str
    promoted: Rsvp | None = None
    changed: bool = True


def answer(
    session: Session,
    event: OutreachEvent,
    contact_id: int,
    wanted: str,
    source: str,
    now: datetime,
    message_id: int | None = None,
) -> RsvpOutcome:
    """Record ``wanted`` (yes, no, maybe, or cancelled for "can't make it") for an event.

    Callers check that the event is open first (``closed_reason``). A yes to a full event is
    stored as ``waitlist``; a seat given up promotes the oldest waitlisted yes.
    """
    if wanted not in RSVP_STATUSES or wanted == INVITED:
        raise ValueError(f"not an answer: {wanted!r}")
    # Lock the event row so two yes-replies for the last seat cannot both take it.
    session.scalar(select(OutreachEvent.id).where(OutreachEvent.id == event.id).with_for_update())
    rsvp = invite(session, event, contact_id, now)
    before = rsvp.status
    status = wanted
    if wanted == YES and before != YES and _full(session, event):
        status = WAITLIST
    if wanted == DROPPED and before not in (YES, WAITLIST, MAYBE):
        status = NO  # "can't make it" from someone who never said yes is simply a no
    if status == before:
        return RsvpOutcome(rsvp, status, changed=False)
    rsvp.status, rsvp.source, rsvp.responded_at, rsvp.updated_at = status, source, now, now
    if status != YES:
        rsvp.promoted_at = None
    session.add(
        RsvpChange(rsvp_id=rsvp.id, status=status, source=source, at=now, message_id=message_id)
    )
    session.flush()
    promoted = promote_next(session, event, now) if before == YES else None
    return RsvpOutcome(rsvp, status, promoted)


def _full(session: Session, event: OutreachEvent) -> bool:
    return event.capacity is not None and seats_taken(session, event.id) >= event.capacity


def promote_next(session: Session, event: OutreachEvent, now: datetime) -> Rsvp | None:
    """Give a free seat to the oldest waitlisted yes; None when nobody waits or it is full."""
    if _full(session, event):
        return None
    waiting = session.scalar(
        select(Rsvp)
        .where(Rsvp.event_id == event.id, Rsvp.status == WAITLIST)
        .order_by(Rsvp.responded_at, Rsvp.id)
        .limit(1)
    )
    if waiting is None:
        return None
    waiting.status, waiting.promoted_at, waiting.updated_at = YES, now, now
    session.add(RsvpChange(rsvp_id=waiting.id, status=YES, source="waitlist", at=now))
    session.flush()
    return waiting


def closed_reason(event: OutreachEvent | None, now: datetime) -> str | None:
    """Why an event takes no RSVP (``unknown``, ``cancelled``, ``past``), or None."""
    if event is None:
        return "unknown"
    if event.status == CANCELLED:
        return "cancelled"
    if event.status != SCHEDULED or event.starts_at <= now:
        return "past"
    return None


def counts(session: Session, event_id: int) -> dict[str, int]:
    """RSVPs by status, every status present (zero when none)."""
    rows = session.execute(
        select(Rsvp.status, func.count()).where(Rsvp.event_id == event_id).group_by(Rsvp.status)
    )
    found = {status: number for status, number in rows}
    return {status: found.get(status, 0) for status in RSVP_STATUSES}


def rsvps(session: Session, event_id: int) -> list[Rsvp]:
    return list(session.scalars(select(Rsvp).where(Rsvp.event_id == event_id).order_by(Rsvp.id)))


def mark_attended(session: Session, event_id: int, contact_id: int, now: datetime) -> Rsvp:
    """Attendance, also for walk-ins who never answered (their RSVP row is created)."""
    rsvp = rsvp_of(session, event_id, contact_id)
    if rsvp is None:
        rsvp = Rsvp(event_id=event_id, contact_id=contact_id, status=YES, source="walk_in")
        rsvp.updated_at = now
        session.add(rsvp)
    rsvp.attended_at = rsvp.attended_at or now
    session.flush()
    return rsvp


def save_feedback(
    session: Session, event_id: int, contact_id: int, answer: str, language: str | None,
    now: datetime,
) -> EventFeedback:  # fmt: skip
    """An attendee's "how useful was it?"; answering again replaces the earlier answer."""
    if answer not in FEEDBACK_ANSWERS:
        raise ValueError(f"feedback is one of {FEEDBACK_ANSWERS}, not {answer!r}")
    found = session.scalar(
        select(EventFeedback).where(
            EventFeedback.event_id == event_id, EventFeedback.contact_id == contact_id
        )
    )
    if found is None:
        found = EventFeedback(event_id=event_id, contact_id=contact_id)
        session.add(found)
    found.answer, found.language, found.answered_at = answer, language, now
    session.flush()
    return found


def feedback_counts(session: Session, event_id: int) -> dict[str, int]:
    """Feedback answers by value, every value present (zero when none)."""
    rows = session.execute(
        select(EventFeedback.answer, func.count())
        .where(EventFeedback.event_id == event_id)
        .group_by(EventFeedback.answer)
    )
    found = {answer: number for answer, number in rows}
    return {answer: found.get(answer, 0) for answer in FEEDBACK_ANSWERS}


def add_note(session: Session, event: OutreachEvent, text: str, now: datetime) -> EventNote:
    """Record a session's reflections; refuses an empty note."""
    text = text.strip()
    if not text:
        raise EventError("the note is empty: nothing was recorded")
    note = EventNote(event_id=event.id, text=text, created_at=now)
    session.add(note)
    session.flush()
    return note


def notes(session: Session, event_id: int) -> list[EventNote]:
    query = select(EventNote).where(EventNote.event_id == event_id).order_by(EventNote.id)
    return list(session.scalars(query))


def awaiting_feedback(
    session: Session, contact_id: int, now: datetime, window: timedelta
) -> OutreachEvent | None:
    """The latest event this contact attended, ended within ``window``, not answered yet: what
    a late answer to "how useful was it?" is about once the conversation has timed out."""
    answered = select(EventFeedback.event_id).where(EventFeedback.contact_id == contact_id)
    query = (
        select(OutreachEvent)
        .join(Rsvp, Rsvp.event_id == OutreachEvent.id)
        .where(
            Rsvp.contact_id == contact_id,
            Rsvp.attended_at.is_not(None),
            OutreachEvent.status != CANCELLED,
            OutreachEvent.ends_at <= now,
            OutreachEvent.ends_at > now - window,
            OutreachEvent.id.not_in(answered),
        )
        .order_by(OutreachEvent.ends_at.desc())
        .limit(1)
    )
    return session.scalar(query)
