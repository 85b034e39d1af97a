"""Residents' conversations, for staff. Numbers are masked; an admin may reveal one (audited).

Replying from this page and the "talk to a person" handoff go through the outbox, which is
built on another branch; they join this page once it lands.
"""

from __future__ import annotations

from flask import abort, render_template, request
from sqlalchemy import select

from bot import contacts
from bot.models import Contact, ConversationState, Message

from .. import audit
from ..blueprint import ADMIN, STAFF, allow, blueprint
from ..context import client_ip, current_user, now, reading, transaction
from ..context import gettext as _

PAGE = 50
THREAD = 200


@blueprint.route("/conversations")
@allow(*STAFF)
def conversations():  # type: ignore[no-untyped-def]
    channel = request.args.get("channel") or None
    language = request.args.get("language") or None
    query = (
        select(Contact, ConversationState)
        .outerjoin(ConversationState, ConversationState.contact_id == Contact.id)
        .order_by(Contact.last_seen_at.desc())
        .limit(PAGE)
    )
    if channel:
        query = query.where(Contact.channel == channel)
    if language:
        query = query.where(Contact.language == language)
    with reading() as db:
        rows = db.execute(query).all()
    return render_template(
        "admin/conversations.html", rows=rows, channel=channel, language=language
    )


def _thread(contact_id: int) -> tuple[Contact, list[Message], list[str]]:
    with reading() as db:
        contact = db.get(Contact, contact_id)
        if contact is None:
            abort(404, description=_("There is no resident {id}.", id=contact_id))
        messages = db.scalars(
            select(Message)
            .where(Message.contact_id == contact_id)
            .order_by(Message.id.desc())
            .limit(THREAD)
        ).all()
        tags = contacts.tags_of(db, contact_id)
    return contact, list(reversed(messages)), tags


@blueprint.route("/conversations/<int:contact_id>")
@allow(*STAFF)
def conversation(contact_id: int):  # type: ignore[no-untyped-def]
    contact, thread, tags = _thread(contact_id)
    return render_template(
        "admin/conversation.html", contact=contact, thread=thread, tags=tags, revealed=None
    )


@blueprint.route("/conversations/<int:contact_id>/reveal", methods=["POST"])
@allow(*ADMIN)
def reveal(contact_id: int):  # type: ignore[no-untyped-def]
    """Show the full number once, in this response only; the audit log keeps who and when."""
    contact, thread, tags = _thread(contact_id)
    with transaction() as db:
        audit.record(
            db,
            current_user(),
            "number.reveal",
            now(),
            target=f"contact:{contact_id}",
            ip=client_ip(),
        )
    return render_template(
        "admin/conversation.html",
        contact=contact,
        thread=thread,
        tags=tags,
        revealed=contact.address,
    )
