"""Residents' conversations, for staff. Numbers are masked; an admin may reveal one (audited).

A resident who asked for a person (``bot.handoff``) waits here: staff read the thread, reply
from the page (through the outbox, like every message Vecino sends), then hand back to the
bot. Replies and handbacks are audited; partner staff never reach these pages.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import func, select

from bot import contacts, handoff
from bot.i18n import N_
from bot.models import Contact, ConversationState, Message, OutboxMessage, StaffFlag
from bot.outbound.policy import HANDED_BACK, STAFF_REPLY, QuietHours
from bot.outbound.status import OutboxStatus
from bot.segments import count_segments

from .. import audit
from ..blueprint import ADMIN, STAFF, allow, blueprint
from ..context import client_ip, current_user, now, reading, services, transaction
from ..context import gettext as _
from ..models import AdminUser, FlagNote
from ..templating import when

PAGE = 50
THREAD = 200
REFUSALS = {
    "empty": N_("Write a reply first: an empty message cannot be sent."),
    "too_long": N_("The reply is too long: at most {limit} characters."),
    "too_many_segments": N_(
        "The reply is too long for a text message: at most {limit} SMS segments. "
        "Shorten it or split it in two."
    ),
    "opted_out": N_(
        "This resident opted out (STOP), so nothing can be sent to them. They can write "
        "START to get messages again."
    ),
    "unreachable": N_(
        "This number cannot take messages (the provider refused it), so the reply was not "
        "sent. It works again once the resident writes to us."
    ),
}
BAD_INPUT = ("empty", "too_long", "too_many_segments")  # 400; the rest are 409 (the contact)
# Shown in the thread for what Vecino sent (message and outbox statuses).
STATUS_LABELS = {
    "queued": N_("queued"),
    "sending": N_("sending"),
    "replied": N_("sent"),
    "sent": N_("sent"),
    "delivered": N_("delivered"),
    "read": N_("read"),
    "undelivered": N_("not delivered"),
    "failed": N_("failed"),
    "unsent": N_("not sent"),
    "not sent": N_("not sent"),
    "expired": N_("not sent"),
    "canceled": N_("canceled"),
}


@dataclass(frozen=True)
class Line:
    """One line of the thread as staff see it: a message, or a staff reply not yet sent."""

    id: int | None
    direction: str  # "in" or "out"
    body: str
    created_at: datetime
    status: str | None = None  # for what Vecino sent: queued, sent, delivered, failed, ...
    staff: str | None = None  # who on staff wrote it (a staff reply or the handback notice)
    not_before: datetime | None = None  # a queued reply held back by quiet hours
    error: str | None = None


@blueprint.route("/conversations")
@allow(*STAFF)
def conversations():  # type: ignore[no-untyped-def]
    channel = request.args.get("channel") or None
    language = request.args.get("language") or None
    waiting_only = request.args.get("waiting") == "1"
    waiting_since = (
        select(StaffFlag.contact_id, func.max(StaffFlag.created_at).label("since"))
        .where(StaffFlag.reason == handoff.REASON, StaffFlag.resolved_at.is_(None))
        .group_by(StaffFlag.contact_id)
        .subquery()
    )
    query = (
        select(Contact, ConversationState, waiting_since.c.since)
        .outerjoin(ConversationState, ConversationState.contact_id == Contact.id)
        .outerjoin(waiting_since, waiting_since.c.contact_id == Contact.id)
        .limit(PAGE)
    )
    if waiting_only:  # newest request first: the page a shift starts from
        query = query.where(waiting_since.c.since.is_not(None)).order_by(
            waiting_since.c.since.desc(), Contact.id.desc()
        )
    else:
        query = query.order_by(Contact.last_seen_at.desc(), Contact.id.desc())
    if channel:
        query = query.where(Contact.channel == channel)
    if language:
        query = query.where(Contact.language == language)
    with reading() as db:
        rows = db.execute(query).all()
        waiting_count = db.scalar(select(func.count()).select_from(waiting_since))
    return render_template(
        "admin/conversations.html",
        rows=rows,
        channel=channel,
        language=language,
        waiting_only=waiting_only,
        waiting_count=waiting_count or 0,
    )


@dataclass(frozen=True)
class Thread:
    contact: Contact
    lines: list[Line]
    waiting: StaffFlag | None  # the open handoff flag; None when nobody waits for a person
    paused: bool  # the bot leaves this resident to staff (an open request or the pause set)
    tags: list[str]


def _thread(contact_id: int) -> Thread:
    """The contact, the latest messages with staff replies marked and those not yet sent
    merged in, and the handoff state, all from one read."""
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
        staff_rows = db.scalars(
            select(OutboxMessage).where(
                OutboxMessage.contact_id == contact_id,
                OutboxMessage.reason.in_((STAFF_REPLY, HANDED_BACK)),
            )
        ).all()
        user_ids = {row.params.get("staff_user_id") for row in staff_rows if row.params}
        emails = {
            user_id: email
            for user_id, email in db.execute(
                select(AdminUser.id, AdminUser.email).where(AdminUser.id.in_(user_ids))
            )
        }
        waiting = handoff.open_flags(db, contact_id)
        paused = handoff.is_paused(contact)
        tags = contacts.tags_of(db, contact_id)
    by_row = {row.id: row for row in staff_rows}
    lines = [_line(message, by_row, emails) for message in reversed(messages)]
    for row in staff_rows:
        if row.status != OutboxStatus.SENT:  # a sent reply is a message above, with receipts
            lines.append(_unsent_line(row, emails))
    lines.sort(key=lambda line: line.created_at)
    flag = max(waiting, key=lambda f: f.created_at) if waiting else None
    return Thread(contact, lines, flag, flag is not None or paused, tags)


def _writer(row: OutboxMessage, emails: dict[int, str]) -> str:
    user_id = (row.params or {}).get("staff_user_id")
    return emails.get(user_id, _("staff")) if user_id else _("staff")


def _line(message: Message, by_row: dict[int, OutboxMessage], emails: dict[int, str]) -> Line:
    row = by_row.get(message.outbox_id) if message.outbox_id else None
    staff = _writer(row, emails) if row is not None else None
    status = message.status if message.direction == "out" else None
    return Line(message.id, message.direction, message.body, message.created_at, status, staff)


def _unsent_line(row: OutboxMessage, emails: dict[int, str]) -> Line:
    body = " ".join(item.get("text", "") for item in row.payload or [])
    status = {
        OutboxStatus.PENDING: "queued",
        OutboxStatus.SENDING: "sending",
        OutboxStatus.SUPPRESSED: "not sent",
    }.get(row.status, row.status)
    held = row.not_before if row.status == OutboxStatus.PENDING else None
    return Line(
        None, "out", body, row.created_at, status, _writer(row, emails), held, row.last_error
    )


def _page(contact_id: int, revealed: str | None = None, draft: str = "", status: int = 200):  # type: ignore[no-untyped-def]
    thread = _thread(contact_id)
    contact = thread.contact
    return (
        render_template(
            "admin/conversation.html",
            contact=contact,
            thread=thread.lines,
            revealed=revealed,
            tags=thread.tags,
            waiting=thread.waiting,
            paused=thread.paused,
            draft=draft,
            draft_segments=count_segments(draft).segments if draft else 0,
            reply_token=secrets.token_urlsafe(16),
            max_reply=handoff.MAX_REPLY_CHARACTERS,
            status_label=lambda status: (
                _(STATUS_LABELS[status]) if status in STATUS_LABELS else status
            ),
            texted=contact.channel in handoff.SMS_CHANNELS,
        ),
        status,
    )


@blueprint.route("/conversations/<int:contact_id>")
@allow(*STAFF)
def conversation(contact_id: int):  # type: ignore[no-untyped-def]
    return _page(contact_id)


@blueprint.route("/conversations/<int:contact_id>/reveal", methods=["POST"])
@allow(*ADMIN)
def reveal(contact_id: int):  # type: ignore[no-untyped-def]
    """Show the full number once, in this response only; the audit log keeps who and when."""
    with reading() as db:
        contact = db.get(Contact, contact_id)
        address = contact.address if contact is not None else None
    if address is None:
        abort(404, description=_("There is no resident {id}.", id=contact_id))
    with transaction() as db:
        audit.record(
            db,
            current_user(),
            "number.reveal",
            now(),
            target=f"contact:{contact_id}",
            ip=client_ip(),
        )
    return _page(contact_id, revealed=address)


@blueprint.route("/conversations/<int:contact_id>/reply", methods=["POST"])
@allow(*STAFF)
def reply(contact_id: int):  # type: ignore[no-untyped-def]
    """Queue a staff member's reply in the outbox; refusals keep the text and say why."""
    text = (request.form.get("text") or "").replace("\r\n", "\n")
    token = (request.form.get("reply_token") or "")[:64] or secrets.token_urlsafe(16)
    user = current_user()
    moment = now()
    vecino = services()
    quiet = QuietHours.parse(vecino.settings.quiet_hours, vecino.settings.timezone)
    with transaction() as db:
        contact = handoff.lock(db, contact_id)
        if contact is None:
            abort(404, description=_("There is no resident {id}.", id=contact_id))
        refusal = handoff.check_reply(contact, text)
        if refusal is None:
            queued = handoff.queue_reply(
                db, contact, text, moment, token=token, staff_user_id=user.id, quiet=quiet
            )
            if queued.row_id is not None:
                audit.record(
                    db,
                    user,
                    "conversation.reply",
                    moment,
                    target=f"contact:{contact_id}",
                    detail={
                        "outbox_id": queued.row_id,
                        "segments": count_segments(text.strip()).segments,
                        "channel": contact.channel,
                    },
                    ip=client_ip(),
                )
    if refusal is not None:
        flash(_(REFUSALS[refusal.code], limit=refusal.limit), "error")
        return _page(contact_id, draft=text, status=400 if refusal.code in BAD_INPUT else 409)
    if queued.row_id is None:
        flash(_("This reply was already sent once; it was not queued again."), "info")
    elif queued.not_before > moment:
        flash(
            _(
                "Reply queued. It is quiet hours, so it goes out at {when}.",
                when=when(queued.not_before, "short"),
            ),
            "info",
        )
    else:
        flash(_("Reply queued: it goes out in a moment."), "info")
    return redirect(url_for("admin.conversation", contact_id=contact_id))


@blueprint.route("/conversations/<int:contact_id>/handback", methods=["POST"])
@allow(*STAFF)
def hand_back(contact_id: int):  # type: ignore[no-untyped-def]
    """The bot answers this resident again; their open "asked for a person" flags close."""
    tell = request.form.get("tell") == "1"
    user = current_user()
    moment = now()
    vecino = services()
    quiet = QuietHours.parse(vecino.settings.quiet_hours, vecino.settings.timezone)
    with transaction() as db:
        contact = handoff.lock(db, contact_id)
        if contact is None:
            abort(404, description=_("There is no resident {id}.", id=contact_id))
        was_paused = handoff.is_paused(contact)
        closed = handoff.hand_back(db, contact, moment)
        for flag_id in closed:
            db.add(
                FlagNote(
                    flag_id=flag_id,
                    user_id=user.id,
                    actor=user.email,
                    note=_("Handed back to the bot."),
                    handled_at=moment,
                )
            )
        notice = None
        if tell and (was_paused or closed):
            token = (request.form.get("reply_token") or "")[:64] or secrets.token_urlsafe(16)
            notice = handoff.queue_back_to_bot_notice(
                db, contact, vecino.catalogs, vecino.settings, moment, token=token, quiet=quiet
            )
        audit.record(
            db,
            user,
            "conversation.handback",
            moment,
            target=f"contact:{contact_id}",
            detail={
                "flags": closed,
                "was_paused": was_paused,
                "notice_outbox_id": notice.row_id if notice else None,
            },
            ip=client_ip(),
        )
    if was_paused or closed:
        flash(_("Handed back: the bot answers this resident again."), "info")
    else:
        flash(_("This resident was not waiting for a person; nothing changed."), "info")
    return redirect(url_for("admin.conversation", contact_id=contact_id))
