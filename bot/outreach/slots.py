"""Interview slots: one-person interview events created together and offered as one list.

An organizer creates a group of slots at once (``vecino events slots``): each is an ordinary
event of kind ``interview`` with capacity 1, so reminders, "can't make it", WHEN, the calendar
file and attendance work as for any event. The group is offered by broadcast
(``vecino broadcasts send --slots GROUP``): the resident gets the open slots numbered and
books one by replying with its number. A booking is a yes RSVP (source ``slot_offer``); "none
of these" is a no on each slot offered (so the group is not offered to them again) and a
staff flag, so a person can call to find another time.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..contacts import TagError, normalize_tag
from . import plan, store
from .models import DROPPED, NO, SCHEDULED, YES, OutreachEvent, Rsvp
from .store import EventDraft, EventError, RsvpOutcome

KIND = "interview"
SOURCE = "slot_offer"  # the RSVP source of a booking or a "none fits" by text
DEFAULT_MINUTES = 30
# Staff flag reasons (bot/contacts.py writes them): a person calls to find a time.
NO_SLOT_FITS = "interview_no_slot_fits"
NO_SLOT_LEFT = "interview_no_slot_left"


@dataclass(frozen=True)
class SlotsDraft:
    """Several slots of one interview: the same titles and place, different start times."""

    title_en: str
    title_es: str
    starts: tuple[datetime, ...]
    timezone: str
    minutes: int = DEFAULT_MINUTES
    place: str | None = None
    link: str | None = None
    group: str | None = None
    remind_minutes: tuple[int, ...] = (1440, 120)
    description_en: str | None = None
    description_es: str | None = None


def create_slots(session: Session, draft: SlotsDraft, now: datetime) -> list[OutreachEvent]:
    """Create one capacity-1 interview event per start, in one group; refuses a start in the
    past, the same start twice, a group name already used, and whatever ``events create``
    refuses (no Spanish title, no place nor link, ...)."""
    if not draft.starts:
        raise EventError("give at least one slot start (--starts TIME, repeatable)")
    if not 5 <= draft.minutes <= 480:
        raise EventError("a slot lasts from 5 to 480 minutes (--minutes)")
    starts = sorted(draft.starts)
    if len(set(starts)) != len(starts):
        raise EventError("two slots start at the same time: give each start once")
    if starts[0] <= now:
        raise EventError("a slot starts in the past: every --starts must be in the future")
    group = _group_name(session, draft.group)
    created = []
    for start in starts:
        event = store.create_event(
            session,
            EventDraft(
                kind=KIND, title_en=draft.title_en, title_es=draft.title_es,
                starts_at=start, ends_at=start + timedelta(minutes=draft.minutes),
                timezone=draft.timezone, place=draft.place, link=draft.link, capacity=1,
                remind_minutes=draft.remind_minutes, description_en=draft.description_en,
                description_es=draft.description_es,
            ),
            now,
        )  # fmt: skip
        event.slot_group = group
        created.append(event)
    session.flush()
    return created


def _group_name(session: Session, wanted: str | None) -> str:
    if wanted is None:
        while True:  # six hex digits: short to type, and a clash is rare (and retried)
            name = secrets.token_hex(3)
            if not slots_of(session, name):
                return name
    try:
        name = normalize_tag(wanted)  # the same spelling rules as a tag: a-z, 0-9, hyphens
    except TagError as error:
        raise EventError(str(error).replace("a tag", "a slot group")) from error
    if slots_of(session, name):
        raise EventError(f"slot group {name!r} exists already: choose another --group")
    return name


def slots_of(session: Session, group: str) -> list[OutreachEvent]:
    """Every slot in a group (cancelled and past ones too), by start."""
    query = select(OutreachEvent).where(OutreachEvent.slot_group == group)
    return list(session.scalars(query.order_by(OutreachEvent.starts_at, OutreachEvent.id)))


def taken_ids(session: Session, event_ids: list[int]) -> set[int]:
    """The slots among ``event_ids`` whose seat is taken (a yes)."""
    if not event_ids:
        return set()
    query = (
        select(Rsvp.event_id)
        .where(Rsvp.event_id.in_(event_ids), Rsvp.status == YES)
        .group_by(Rsvp.event_id)
    )
    return set(session.scalars(query))


def open_slots(session: Session, group: str, now: datetime) -> list[OutreachEvent]:
    """The slots still worth offering: scheduled, more than an hour ahead, seat free."""
    upcoming = [
        e
        for e in slots_of(session, group)
        if e.status == SCHEDULED and e.starts_at - plan.INVITATION_CUTOFF > now
    ]
    taken = taken_ids(session, [e.id for e in upcoming])
    return [e for e in upcoming if e.id not in taken]


def booked(session: Session, group: str, contact_id: int, now: datetime) -> OutreachEvent | None:
    """The upcoming slot of this group this contact has booked, if any."""
    query = (
        select(OutreachEvent)
        .join(Rsvp, Rsvp.event_id == OutreachEvent.id)
        .where(
            OutreachEvent.slot_group == group,
            OutreachEvent.status == SCHEDULED,
            OutreachEvent.starts_at > now,
            Rsvp.contact_id == contact_id,
            Rsvp.status == YES,
        )
    )
    return session.scalars(query.limit(1)).first()


def book(
    session: Session,
    event: OutreachEvent,
    contact_id: int,
    now: datetime,
    message_id: int | None = None,
) -> RsvpOutcome | None:
    """Book the slot for this contact; None when it is taken (by someone else), cancelled or
    about to start. A booking in the same group is let go first: one slot per person."""
    # Lock the slot's row first, so two residents replying at once cannot both book it.
    session.scalar(select(OutreachEvent.id).where(OutreachEvent.id == event.id).with_for_update())
    session.refresh(event)
    if event.status != SCHEDULED or event.starts_at <= now:
        return None
    mine = store.rsvp_of(session, event.id, contact_id)
    if mine is not None and mine.status == YES:
        return RsvpOutcome(mine, YES, changed=False)
    if store.seats_taken(session, event.id) >= (event.capacity or 1):
        return None
    earlier = booked(session, event.slot_group or "", contact_id, now)
    if earlier is not None and earlier.id != event.id:
        store.answer(session, earlier, contact_id, DROPPED, SOURCE, now, message_id)
    return store.answer(session, event, contact_id, YES, SOURCE, now, message_id)


def decline(
    session: Session, slots: list[OutreachEvent], contact_id: int, now: datetime,
    message_id: int | None = None,
) -> int:  # fmt: skip
    """Record "none of these times": a no on each slot offered that they had not answered.

    Returns how many were recorded; a slot they booked stays booked.
    """
    recorded = 0
    for event in slots:
        if store.rsvp_of(session, event.id, contact_id) is None:
            store.answer(session, event, contact_id, NO, SOURCE, now, message_id)
            recorded += 1
    return recorded


@dataclass(frozen=True)
class GroupSummary:
    """A group at a glance, for ``vecino events list`` and the admin's events page."""

    group: str
    slots: int
    booked: int
    declined: int  # contacts who said none of the times fit


def summary(session: Session, group: str) -> GroupSummary:
    events = slots_of(session, group)
    ids = [e.id for e in events]
    booked_count = len(taken_ids(session, ids))
    declined = session.scalar(
        select(func.count(func.distinct(Rsvp.contact_id))).where(
            Rsvp.event_id.in_(ids), Rsvp.status == NO, Rsvp.source == SOURCE
        )
    )
    return GroupSummary(group, len(events), booked_count, int(declined or 0))
