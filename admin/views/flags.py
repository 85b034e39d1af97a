"""The staff flags queue: crisis messages, positive PHQ-2 screens, call-back requests.

Newest first, open ones by default. Each flag opens on the conversation around it, for the
roles that may read residents' messages; handling one needs a note and is audited.
"""

from __future__ import annotations

import re

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from bot import contacts, handoff
from bot.i18n import N_
from bot.models import Contact, Message, StaffFlag
from bot.outreach import slots

from .. import audit
from ..blueprint import STAFF, allow, blueprint
from ..context import client_ip, current_user, now, reading, transaction
from ..context import gettext as _
from ..models import FlagNote

REASONS = {
    "crisis": N_("Crisis message"),
    "safety": N_("Violence or abuse at home"),
    "survey_phq2_positive": N_("Positive depression screen (PHQ-2)"),
    "survey_callback": N_("Asked for a call back"),
    handoff.REASON: N_("Asked for a person"),
    "followup_no_help": N_("Did not get help from a referral and asked for a person"),
    "survey_partner_capacity": N_("A partner ran short of stock, staff or space"),
    slots.NO_SLOT_FITS: N_("Interview: no offered time fits, call to find one"),
    slots.NO_SLOT_LEFT: N_("Interview: all times were taken, call to find one"),
}
# A reason is a short code written by the bot (flows may add new ones): anything else in the
# filter is a mistyped or forged link, refused with a reason instead of an empty queue.
REASON_CODE = re.compile(r"[a-z0-9_]{1,32}")
AROUND = 6  # messages shown before and after the flagged one
MAX_NOTE = 2000
PAGE = 100


def reason_label(reason: str) -> str:
    return _(REASONS[reason]) if reason in REASONS else reason


def by_urgency(counts: dict[str, int]) -> list[tuple[str, int]]:
    """Open flags per reason in the order staff should look at them: ``REASONS`` lists the
    most urgent first (crisis, violence at home); reasons it does not know come last."""
    rank = {reason: i for i, reason in enumerate(REASONS)}
    return sorted(counts.items(), key=lambda item: (rank.get(item[0], len(rank)), item[0]))


@blueprint.route("/flags")
@allow(*STAFF)
def flags():  # type: ignore[no-untyped-def]
    show = request.args.get("show", "open")
    reason = request.args.get("reason") or None
    if reason is not None and not REASON_CODE.fullmatch(reason):
        abort(400, description=_("Unknown reason for a staff flag."))
    query = (
        select(StaffFlag, Contact, FlagNote)
        .join(Contact, Contact.id == StaffFlag.contact_id)
        .outerjoin(FlagNote, FlagNote.flag_id == StaffFlag.id)
        .order_by(StaffFlag.created_at.desc(), StaffFlag.id.desc())
        .limit(PAGE)
    )
    if show == "open":
        query = query.where(StaffFlag.resolved_at.is_(None))
    elif show == "handled":
        query = query.where(StaffFlag.resolved_at.is_not(None))
    if reason is not None:
        query = query.where(StaffFlag.reason == reason)
    with reading() as db:
        rows = db.execute(query).all()
    return render_template(
        "admin/flags.html", rows=rows, show=show, reason=reason, reason_label=reason_label
    )


def thread_around(db, contact_id: int, message_id: int | None, limit: int = AROUND):  # type: ignore[no-untyped-def]
    """The messages just before and after ``message_id`` (or the latest ones)."""
    base = select(Message).where(Message.contact_id == contact_id)
    if message_id is None:
        rows = db.scalars(base.order_by(Message.id.desc()).limit(2 * limit)).all()
        return list(reversed(rows))
    before = db.scalars(
        base.where(Message.id <= message_id).order_by(Message.id.desc()).limit(limit + 1)
    ).all()
    after = db.scalars(base.where(Message.id > message_id).order_by(Message.id).limit(limit)).all()
    return list(reversed(before)) + list(after)


@blueprint.route("/flags/<int:flag_id>")
@allow(*STAFF)
def flag(flag_id: int):  # type: ignore[no-untyped-def]
    with reading() as db:
        row = db.get(StaffFlag, flag_id)
        if row is None:
            abort(404, description=_("There is no staff flag {id}.", id=flag_id))
        contact = db.get(Contact, row.contact_id)
        note = db.get(FlagNote, flag_id)
        thread = thread_around(db, row.contact_id, row.message_id)
    return render_template(
        "admin/flag.html",
        flag=row,
        contact=contact,
        note=note,
        thread=thread,
        reason_label=reason_label,
        max_note=MAX_NOTE,
    )


@blueprint.route("/flags/<int:flag_id>/handle", methods=["POST"])
@allow(*STAFF)
def handle_flag(flag_id: int):  # type: ignore[no-untyped-def]
    text = (request.form.get("note") or "").strip()
    if not text:
        abort(400, description=_("Write what you did (a short note) before marking it handled."))
    if len(text) > MAX_NOTE:
        abort(400, description=_("The note is too long (at most {n} characters).", n=MAX_NOTE))
    user = current_user()
    moment = now()
    with transaction() as db:
        row = db.get(StaffFlag, flag_id)
        if row is None:
            abort(404, description=_("There is no staff flag {id}.", id=flag_id))
        if row.resolved_at is not None:
            abort(409, description=_("Someone already marked this flag handled."))
        contacts.resolve_flag(row, moment)
        if row.reason == handoff.REASON:  # handled means answered: the bot takes over again
            contact = handoff.lock(db, row.contact_id)
            if contact is not None:
                handoff.hand_back(db, contact, moment)
        db.add(
            FlagNote(
                flag_id=flag_id, user_id=user.id, actor=user.email, note=text, handled_at=moment
            )
        )
        audit.record(db, user, "flag.handle", moment, target=f"flag:{flag_id}", ip=client_ip())
    flash(_("Flag marked handled."), "info")
    return redirect(url_for("admin.flags"))
