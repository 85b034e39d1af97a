"""The referral follow-up: "did you get the help you needed?" a few days after a search.

The worker's scan (``due_searches``) finds searches that showed places and are old enough;
the ``referral_followup`` flow (``flows/followup.yaml``) asks, and ``followup_record`` stores
the answer on that search's referrals. Once per search: the outbox key is the search's id.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from .. import contacts
from ..engine import ActionContext, ActionResult, Capabilities
from ..models import Contact
from .models import Referral, ResourceSearch

FLOW = "referral_followup"
SEARCH_PARAM = "search_id"
ANSWER_KEY = "followup_answer"
# Searches older than the delay plus this are never followed up (a worker that was off for a
# week, or a first deploy on an old database, does not send a flood of stale questions).
LOOKBACK = timedelta(days=2)


def due_searches(session: Session, now: datetime, after: timedelta) -> list[tuple[int, Contact]]:
    """``(search id, contact)`` to follow up now: each contact's newest search that showed
    places and is between ``after`` and ``after + LOOKBACK`` old, for contacts we may write."""
    cutoff = now - after
    rows = session.execute(
        select(ResourceSearch.id, ResourceSearch.contact_id, ResourceSearch.created_at)
        .where(
            ResourceSearch.contact_id.is_not(None),
            ResourceSearch.shown > 0,
            ResourceSearch.created_at > cutoff - LOOKBACK,
        )
        .order_by(ResourceSearch.created_at.desc(), ResourceSearch.id.desc())
    ).all()
    newest: dict[int, tuple[int, datetime]] = {}
    for search_id, contact_id, created in rows:
        newest.setdefault(contact_id, (search_id, created))  # rows are newest first
    due = []
    for contact_id, (search_id, created) in newest.items():
        if created > cutoff:
            continue  # their newest search is too recent; an older one is not asked about
        contact = session.get(Contact, contact_id)
        if contact is not None and contacts.may_receive(contact):
            due.append((search_id, contact))
    return due


def record(context: ActionContext) -> ActionResult:
    """Store the answer on the search's referrals; the outcome is the answer."""
    answer = context.conversation.data.get(ANSWER_KEY)
    search_id = context.conversation.data.get(SEARCH_PARAM)
    if isinstance(search_id, int) and isinstance(answer, str):
        context.deps.session.execute(
            update(Referral)
            .where(Referral.search_id == search_id, Referral.contact_id == context.deps.contact.id)
            .values(outcome=answer[:32], followed_up_at=context.now)
        )
    return ActionResult(outcome=answer if isinstance(answer, str) else None)


def ask_for_a_person(context: ActionContext) -> ActionResult:
    """The resident did not get help and wants a person: a flag for staff to follow."""
    deps = context.deps
    contacts.flag_for_staff(deps.session, deps.contact, "followup_no_help", context.now)
    return ActionResult()


def register(capabilities: Capabilities) -> None:
    capabilities.actions["followup_record"] = record
    capabilities.actions["followup_person"] = ask_for_a_person
