"""Broadcasts: a bilingual text, an event's invitation, interview slots or a survey, to an
audience built from contact facts, previewed before anything is queued.

Every recipient gets an outbox row that starts a flow at send time (``broadcast`` for a text,
``event_invitation`` for an event, ``interview_slots`` for a group of slots, the survey's own
flow for a survey: its consent question is the invitation), not pre-rendered messages: the
engine then writes in the
contact's language of that moment, leaves a resident in the middle of a survey alone until
they finish, and the sender applies quiet hours, opt-out, expiry and the rate as for every
message Vecino starts. A text broadcast's row carries only the broadcast's id; the words live
once, on the broadcast row.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, exists, func, select, update
from sqlalchemy.orm import Session

from ..contacts import TagError, normalize_tag
from ..conversations import Deps, conversation_of
from ..engine import Engine
from ..models import Contact, ContactTag, Message, OutboxMessage
from ..outbound.status import MessageStatus, OutboxStatus
from ..segments import count_segments
from ..surveys import store as survey_store
from . import plan, sending, slots, store
from .models import SCHEDULED, Broadcast, OutreachEvent, Rsvp

FLOW = "broadcast"
REASON = "broadcast"
QUEUED, CANCELLED = "queued", "cancelled"
# A text nobody could receive within a day (quiet hours, a busy survey) is stale news.
TEXT_EXPIRES = timedelta(days=1)
LANGUAGES = ("es", "en", None)


class BroadcastError(ValueError):
    """A broadcast that cannot be sent as asked; the message says why, for the organizer."""


def key(broadcast_id: int, contact_id: int) -> str:
    return f"broadcast:{broadcast_id}:{contact_id}"


def audience_of(draft: Broadcast) -> Select[tuple[Contact]]:
    """The audience of a broadcast as drafted (its filters, its event or slot group)."""
    return audience(list(draft.filters), draft.event_id, draft.slot_group)


def audience(
    filters: list[str], event_id: int | None = None, slot_group: str | None = None
) -> Select[tuple[Contact]]:
    """The contacts matching every filter (AND), never opted-out or unreachable ones.

    For an event, contacts already invited are left out: those with an RSVP row (shown the
    invitation, or answered) and those whose invitation waits in the outbox (another
    broadcast's, or ``vecino events invite``'s, not sent yet), so the preview counts whom
    the outbox would really queue. For interview slots, likewise: contacts offered the group
    already (waiting or sent), and those who booked a slot or said none fits.
    """
    query = select(Contact).where(Contact.opted_out_at.is_(None), Contact.unreachable_at.is_(None))
    for text in filters:
        query = query.where(_condition(text))
    if event_id is not None:
        invited = exists().where(Rsvp.event_id == event_id, Rsvp.contact_id == Contact.id)
        queued = sending.pending_or_given(plan.invitation_prefix(event_id), Contact.id)
        query = query.where(~invited, ~queued)
    if slot_group is not None:
        in_group = select(OutreachEvent.id).where(OutreachEvent.slot_group == slot_group)
        answered = exists().where(Rsvp.contact_id == Contact.id, Rsvp.event_id.in_(in_group))
        offered = sending.pending_or_given(plan.slot_offer_prefix(slot_group), Contact.id)
        query = query.where(~answered, ~offered)
    return query.order_by(Contact.id)


def _condition(text: str) -> Any:
    name, sep, value = text.partition("=")
    name, value = name.strip().lower(), value.strip()
    if not sep or not value:
        raise BroadcastError(f"a filter is NAME=VALUE, e.g. lang=es (not {text!r})")
    values = [v.strip() for v in value.split(",") if v.strip()]
    if name in ("tag", "tag!"):
        return _tag_condition(values, negated=name == "tag!")
    if name.endswith("!"):
        raise BroadcastError(f"only tags can be excluded (tag!=partner), not {name[:-1]!r}")
    if name == "lang":
        return Contact.language.in_(values)
    if name == "channel":
        return Contact.channel.in_(values)
    if name == "zip":
        return Contact.zip_code.in_(values)
    if name == "source":
        return Contact.source.in_(values)
    if name.startswith("rsvp:") and name[5:].isdigit():
        return exists().where(
            Rsvp.event_id == int(name[5:]), Rsvp.contact_id == Contact.id, Rsvp.status.in_(values)
        )
    raise BroadcastError(
        f"unknown filter {name!r}: use lang=, channel=, zip=, source=, tag=, tag!= "
        "or rsvp:EVENT_ID="
    )


def _tag_condition(values: list[str], negated: bool) -> Any:
    """``tag=a,b``: contacts with any of the tags; ``tag!=a,b``: contacts with none of them."""
    try:
        tags = [normalize_tag(value) for value in values]
    except TagError as error:
        raise BroadcastError(str(error)) from error
    tagged = exists().where(ContactTag.contact_id == Contact.id, ContactTag.tag.in_(tags))
    return ~tagged if negated else tagged


@dataclass
class Preview:
    """What a broadcast would send, before anything is queued."""

    recipients: int = 0
    by_language_channel: Counter[tuple[str, str]] = field(default_factory=Counter)
    first_message: dict[str, str] = field(default_factory=dict)  # language -> rendered text
    segments: dict[str, int] = field(default_factory=dict)  # language -> per SMS recipient
    sms_by_language: Counter[str] = field(default_factory=Counter)

    @property
    def total_segments(self) -> int:
        return sum(self.segments.get(lang, 0) * n for lang, n in self.sms_by_language.items())


def _language(value: str | None) -> str:
    return value if value in ("es", "en") else "none"


def preview(
    session: Session,
    engine: Engine,
    settings: Any,
    draft: Broadcast,
    now: datetime,
) -> Preview:
    """Count the audience per language and channel, and render the first recipient's message
    per language through the real flow (in a savepoint rolled back: nothing is kept)."""
    found = Preview()
    firsts: dict[str, int] = {}
    rows = session.execute(
        audience_of(draft).with_only_columns(Contact.id, Contact.language, Contact.channel)
    )
    for contact_id, language, channel in rows:
        lang = _language(language)
        found.recipients += 1
        found.by_language_channel[(lang, channel)] += 1
        if channel == "sms":
            found.sms_by_language[lang] += 1
        firsts.setdefault(lang, contact_id)
    savepoint = session.begin_nested()  # the renders write (an invitation's RSVP): undone
    try:
        if draft.id is None and _flow(draft)[0] == FLOW:
            # a text's flow reads its row
            draft.status, draft.created_at = draft.status or QUEUED, draft.created_at or now
            session.add(draft)
            session.flush()
        for lang, contact_id in firsts.items():
            texts = _render(session, engine, settings, draft, contact_id, now)
            found.first_message[lang] = "\n---\n".join(texts)
            found.segments[lang] = sum(count_segments(text).segments for text in texts)
    finally:
        savepoint.rollback()
    return found


def _render(
    session: Session,
    engine: Engine,
    settings: Any,
    draft: Broadcast,
    contact_id: int,
    now: datetime,
) -> list[str]:
    """What the flow says to this contact now, as if they were in no conversation."""
    flow_id, params = _flow(draft)
    contact = session.get(Contact, contact_id)
    assert contact is not None
    _, conversation = conversation_of(contact)
    deps = Deps(session, contact, settings, now)
    turn = engine.start(conversation.at(None, None), flow_id, now, deps, params)
    return [message.text for message in turn.messages]


def _flow(draft: Broadcast) -> tuple[str, dict[str, Any]]:
    if draft.event_id is not None:
        return plan.INVITATION_FLOW, {"event_id": draft.event_id}
    if draft.slot_group is not None:
        return plan.SLOTS_FLOW, {"slot_group": draft.slot_group}
    if draft.survey_key is not None:
        return draft.survey_key, {}
    return FLOW, {"broadcast_id": draft.id}


def check(session: Session, draft: Broadcast, now: datetime) -> OutreachEvent | None:
    """Refuse a time in the past, a one-language text, or an event not open for invitations."""
    if draft.send_at < now - timedelta(minutes=1):
        raise BroadcastError("that time has passed: give a time in the future, or no --at")
    if draft.survey_key is not None:
        if not survey_store.is_open(session, draft.survey_key):
            raise BroadcastError(
                f"survey {draft.survey_key!r} is not open: vecino surveys open {draft.survey_key}"
            )
        return None
    if draft.slot_group is not None:
        _open_slots(session, draft)
        return None
    if draft.event_id is None:
        if not (draft.text_en or "").strip() or not (draft.text_es or "").strip():
            raise BroadcastError("a text broadcast needs both --text and --text-es")
        return None
    event = store.get(session, draft.event_id)
    if event is None:
        raise BroadcastError(f"no event {draft.event_id}")
    if event.status != SCHEDULED:
        raise BroadcastError(f"event {event.id} is {event.status}: nobody can be invited")
    if not plan.invitations(sending.facts(event), [0], draft.send_at):
        raise BroadcastError(f"event {event.id} starts too soon for invitations at that time")
    return event


def _open_slots(session: Session, draft: Broadcast) -> list[OutreachEvent]:
    """The group's slots still open at the send time; refuses an unknown or a full group."""
    group = str(draft.slot_group)
    if not slots.slots_of(session, group):
        raise BroadcastError(f"no slot group {group!r} (vecino events list shows the groups)")
    found = slots.open_slots(session, group, draft.send_at)
    if not found:
        raise BroadcastError(
            f"slot group {group!r} has no open slot at that time: all taken, cancelled or "
            "less than an hour away"
        )
    return found


def enqueue(session: Session, draft: Broadcast, now: datetime) -> int:
    """Store the broadcast and queue one row per recipient; returns how many were queued."""
    event = check(session, draft, now)
    draft.status, draft.created_at = QUEUED, now
    session.add(draft)
    session.flush()
    ids = list(session.scalars(audience_of(draft).with_only_columns(Contact.id)))
    if not ids:
        raise BroadcastError("nobody matches: the audience is empty, nothing was queued")
    if event is not None:
        # The event's own keys: a contact another broadcast (or ``events invite``) queued
        # meanwhile is skipped by the outbox, so nobody is invited twice.
        sending.free_unsent(session, plan.invitation_prefix(event.id))
        starts = plan.invitations(sending.facts(event), ids, draft.send_at)
    elif draft.slot_group is not None:
        # Keyed on the group likewise: one offer per contact, whichever broadcast asks.
        sending.free_unsent(session, plan.slot_offer_prefix(draft.slot_group))
        last = max(e.starts_at for e in _open_slots(session, draft))
        starts = plan.slot_offers(draft.slot_group, ids, draft.send_at, last)
    else:
        expires = draft.send_at + TEXT_EXPIRES
        flow_id, params = _flow(draft)
        starts = [
            plan.Start(c, flow_id, params, key(draft.id, c), draft.send_at, expires) for c in ids
        ]
    draft.recipients = sending.enqueue_starts(
        session, starts, now, reason=REASON, broadcast_id=draft.id
    )
    if not draft.recipients:
        raise BroadcastError(
            "everyone it matches got it meanwhile from another broadcast: nothing was queued"
        )
    return draft.recipients


def _rows(broadcast_id: int) -> Any:
    return OutboxMessage.broadcast_id == broadcast_id


def progress(session: Session, broadcast_id: int) -> dict[str, int]:
    """Outbox counts for one broadcast: queued, sent, delivered, failed, suppressed, expired."""
    statuses = dict(
        session.execute(
            select(OutboxMessage.status, func.count())
            .where(_rows(broadcast_id))
            .group_by(OutboxMessage.status)
        ).all()
    )
    delivered = session.scalar(
        select(func.count(func.distinct(Message.outbox_id)))
        .join(OutboxMessage, OutboxMessage.id == Message.outbox_id)
        .where(
            _rows(broadcast_id), Message.status.in_((MessageStatus.DELIVERED, MessageStatus.READ))
        )
    )
    return {
        "queued": statuses.get(OutboxStatus.PENDING, 0) + statuses.get(OutboxStatus.SENDING, 0),
        "sent": statuses.get(OutboxStatus.SENT, 0),
        "delivered": int(delivered or 0),
        "failed": statuses.get(OutboxStatus.FAILED, 0),
        "suppressed": statuses.get(OutboxStatus.SUPPRESSED, 0),
        "expired": statuses.get(OutboxStatus.EXPIRED, 0),
    }


def cancel(session: Session, broadcast: Broadcast, now: datetime) -> int:
    """Stop what is still waiting (rows a worker is sending right now still go out); returns
    how many rows were stopped. They stay, as ``suppressed``, so the count tells the truth."""
    result = session.execute(
        update(OutboxMessage)
        .where(_rows(broadcast.id), OutboxMessage.status == OutboxStatus.PENDING)
        .values(status=OutboxStatus.SUPPRESSED, last_error="broadcast cancelled", updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if broadcast.status != CANCELLED:
        broadcast.status, broadcast.cancelled_at = CANCELLED, now
    return int(result.rowcount or 0)
