"""Least data, for the least time: old message text blanked, and a resident erased on request.

Plain functions over a session and ``now``, so the CLI (``vecino retention apply``,
``vecino contacts forget``) and the worker's housekeeping job share them. What is kept after
either is what the organization counts: how many messages, searches by category and ZIP,
survey totals from other residents; never who said what.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, null, or_, select, update
from sqlalchemy.orm import Session

from .directory.models import Referral, ResourceSearch
from .models import Contact, ContactTag, ConversationState, Message, OutboxMessage, StaffFlag
from .outreach import sending, store
from .outreach.models import (
    YES,
    Ballot,
    EventFeedback,
    PublicComment,
    Rsvp,
    RsvpChange,
)
from .surveys.models import SurveyResponse

log = logging.getLogger(__name__)

DEFAULT_RETENTION_DAYS = 180
# An outbound message still waiting to go out keeps its text, however old.
UNSENT = ("queued", "scheduled", "sending", "pending", "accepted")


@dataclass(frozen=True)
class RetentionReport:
    cutoff: datetime
    messages_blanked: int
    conversations_cleared: int
    searches_deidentified: int
    referrals_deleted: int


def apply_retention(
    session: Session, now: datetime, days: int = DEFAULT_RETENTION_DAYS
) -> RetentionReport:
    """Blank what residents wrote and what we answered, older than ``days``.

    Message rows stay (direction, channel, status, time: the counts); their ``body`` becomes
    empty and their ``payload`` (choices, rounded locations) NULL. Idle conversations lose
    their saved answers; searches lose the link to the resident (category and ZIP stay);
    referrals (which place a family was sent to) are deleted. Running it again changes nothing.
    """
    if days < 1:
        raise ValueError("retention must be at least 1 day")
    cutoff = now - timedelta(days=days)
    messages = session.execute(
        update(Message)
        .where(
            Message.created_at < cutoff,
            Message.status.not_in(UNSENT),
            or_(Message.body != "", Message.payload.is_not(None)),
        )
        .values(body="", payload=null())
        .execution_options(synchronize_session=False)
    ).rowcount
    conversations = 0
    for state in session.scalars(
        select(ConversationState).where(ConversationState.updated_at < cutoff)
    ):
        if state.data or state.flow_id or state.step_id:
            state.data, state.flow_id, state.step_id, state.invalid_count = {}, None, None, 0
            conversations += 1
    searches = _deidentify_searches(session, ResourceSearch.created_at < cutoff)
    referrals = session.execute(
        delete(Referral)
        .where(Referral.created_at < cutoff)
        .execution_options(synchronize_session=False)
    ).rowcount
    report = RetentionReport(cutoff, messages, conversations, searches, referrals)
    log.info("retention (%d days): %s", days, report)
    return report


@dataclass(frozen=True)
class ForgetReport:
    contact_id: int
    messages: int
    survey_responses: int
    searches_deidentified: int
    referrals: int
    staff_flags: int
    kept_opt_out: bool
    rsvps: int = 0
    ballots: int = 0
    public_comments: int = 0


def forget_contact(session: Session, contact: Contact, now: datetime) -> ForgetReport:
    """Erase one resident: messages, survey answers, referrals, flags, conversation, tags,
    event RSVPs, ballots, public comments, event feedback, their outbox rows, contact.

    Searches stay as de-identified counts (category, ZIP, what was near). A resident who
    opted out keeps a bare row (channel, address, opt-out time) and nothing else: it is what
    keeps them from being texted again, which is what they asked for. Their RSVPs, ballots and
    comments go explicitly, for that bare row too (a deleted row would lose them by cascade);
    a seat they held goes to the next person on the waitlist, who is told.
    """
    cid = contact.id
    searches = _deidentify_searches(session, ResourceSearch.contact_id == cid)
    rsvps = _forget_rsvps(session, cid, now)
    counts = {
        name: session.execute(
            delete(model)
            .where(model.contact_id == cid)
            .execution_options(synchronize_session=False)
        ).rowcount
        for name, model in (
            ("referrals", Referral),
            ("staff_flags", StaffFlag),
            ("survey_responses", SurveyResponse),  # their answers go with them (cascade)
            ("messages", Message),
            ("conversation", ConversationState),
            ("tags", ContactTag),  # "partner", "interview-ok": facts about them, gone with them
            ("event_feedback", EventFeedback),
            ("ballots", Ballot),  # a tally drops their vote, as if never cast
            ("public_comments", PublicComment),
            # What was queued for them: a sent row's payload is the text they were sent.
            ("outbox", OutboxMessage),
        )
    }
    session.expire(contact, ["conversation"])
    kept = contact.opted_out
    if kept:
        contact.language = contact.zip_code = contact.source = None
        contact.opted_in_at = None
        contact.first_seen_at = contact.last_seen_at = contact.opted_out_at  # type: ignore[assignment]
    else:
        session.delete(contact)
    session.flush()
    report = ForgetReport(
        cid,
        counts["messages"],
        counts["survey_responses"],
        searches,
        counts["referrals"],
        counts["staff_flags"],
        kept,
        rsvps,
        counts["ballots"],
        counts["public_comments"],
    )
    log.info("forgot contact %s: %s", cid, report)  # the id only: the number is gone
    return report


def _forget_rsvps(session: Session, contact_id: int, now: datetime) -> int:
    """Delete a contact's RSVPs and their history; an upcoming event's freed seat goes to the
    oldest waitlisted yes (told through the outbox). Returns how many RSVPs went."""
    held = session.scalars(
        select(Rsvp.event_id).where(Rsvp.contact_id == contact_id, Rsvp.status == YES)
    ).all()
    mine = select(Rsvp.id).where(Rsvp.contact_id == contact_id)
    session.execute(
        delete(RsvpChange)
        .where(RsvpChange.rsvp_id.in_(mine))
        .execution_options(synchronize_session=False)
    )
    deleted = session.execute(
        delete(Rsvp)
        .where(Rsvp.contact_id == contact_id)
        .execution_options(synchronize_session=False)
    ).rowcount
    for event_id in held:
        event = store.get(session, event_id)
        if event is None or store.closed_reason(event, now) is not None:
            continue
        while (seat := store.promote_next(session, event, now)) is not None:
            sending.promoted(session, event.id, seat.contact_id, now)
    return int(deleted or 0)


def _deidentify_searches(session: Session, where) -> int:  # type: ignore[no-untyped-def]
    return session.execute(
        update(ResourceSearch)
        .where(where, ResourceSearch.contact_id.is_not(None))
        .values(contact_id=None, pending=[])
        .execution_options(synchronize_session=False)
    ).rowcount
