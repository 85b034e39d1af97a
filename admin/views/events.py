"""Events: the list with RSVP counts, create and edit, cancel, the RSVP list and attendance.

Everything goes through ``bot/outreach/store``, as the CLI does. Cancelling and changing the
time, place or link bump the event's SEQUENCE; the worker's event scan then tells those who
said yes, once per change (``sending.scan``). Partner staff see the list and its counts only:
the RSVP list names residents (masked), so it is for organizers.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import func, select

from bot.i18n import N_
from bot.models import Contact
from bot.outreach import present, sending, store
from bot.outreach.models import (
    CANCELLED,
    KINDS,
    RSVP_STATUSES,
    SCHEDULED,
    YES,
    OutreachEvent,
    Rsvp,
)
from bot.outreach.store import EventError
from bot.surveys.definitions import load_surveys

from .. import audit
from ..blueprint import EVERYONE, STAFF, allow, blueprint
from ..context import client_ip, current_user, now, reading, services, transaction
from ..context import gettext as _
from ..outreach_forms import FormRefused, event_draft, event_values

KIND_NAMES = {
    "town_hall": N_("Town hall"),
    "sense_making": N_("Sense-making session"),
    "interview": N_("Interview"),
    "meeting": N_("Meeting"),
}
STATUS_NAMES = {
    "invited": N_("invited (no answer yet)"),
    "yes": N_("yes"),
    "no": N_("no"),
    "maybe": N_("maybe"),
    "waitlist": N_("waitlist"),
    "cancelled": N_("cancelled (can't make it)"),
}
EVENT_STATUS_NAMES = {
    "scheduled": N_("scheduled"),
    "cancelled": N_("cancelled"),
    "done": N_("done"),
}
PAGE = 200


def kind_label(kind: str) -> str:
    return _(KIND_NAMES[kind]) if kind in KIND_NAMES else kind


def status_label(status: str) -> str:
    return _(STATUS_NAMES[status]) if status in STATUS_NAMES else status


def event_status_label(status: str) -> str:
    return _(EVENT_STATUS_NAMES[status]) if status in EVENT_STATUS_NAMES else status


def _helpers() -> dict[str, object]:
    return {
        "kind_label": kind_label,
        "status_label": status_label,
        "event_status_label": event_status_label,
        "kinds": KINDS,
    }


def _counts(db, event_ids: list[int]) -> dict[int, dict[str, int]]:  # type: ignore[no-untyped-def]
    """RSVPs by status for many events in one query (``store.counts`` is one event's)."""
    found: dict[int, dict[str, int]] = {i: dict.fromkeys(RSVP_STATUSES, 0) for i in event_ids}
    if event_ids:
        rows = db.execute(
            select(Rsvp.event_id, Rsvp.status, func.count())
            .where(Rsvp.event_id.in_(event_ids))
            .group_by(Rsvp.event_id, Rsvp.status)
        )
        for event_id, status, number in rows:
            found[event_id][status] = number
    return found


def upcoming(db, moment, limit: int) -> tuple[list[OutreachEvent], dict[int, dict[str, int]]]:  # type: ignore[no-untyped-def]
    """The next scheduled events and their RSVP counts (the dashboard's table)."""
    rows = list(
        db.scalars(
            select(OutreachEvent)
            .where(OutreachEvent.status == SCHEDULED, OutreachEvent.ends_at >= moment)
            .order_by(OutreachEvent.starts_at)
            .limit(limit)
        )
    )
    return rows, _counts(db, [event.id for event in rows])


@blueprint.route("/events")
@allow(*EVERYONE)
def events():  # type: ignore[no-untyped-def]
    show = "past" if request.args.get("show") == "past" else "upcoming"
    moment = now()
    query = select(OutreachEvent).limit(PAGE)
    if show == "upcoming":
        query = query.where(OutreachEvent.ends_at >= moment).order_by(OutreachEvent.starts_at)
    else:
        query = query.where(OutreachEvent.ends_at < moment).order_by(OutreachEvent.starts_at.desc())
    with reading() as db:
        rows = list(db.scalars(query))
        counts = _counts(db, [event.id for event in rows])
    return render_template(
        "admin/events.html", rows=rows, counts=counts, show=show, statuses=RSVP_STATUSES,
        **_helpers(),
    )  # fmt: skip


def _event(db, event_id: int) -> OutreachEvent:  # type: ignore[no-untyped-def]
    event = store.get(db, event_id)
    if event is None:
        abort(404, description=_("There is no event {id}.", id=event_id))
    return event


def calendar_url(event: OutreachEvent) -> str:
    """The link residents get (``PUBLIC_BASE_URL``), else this server's own."""
    public = present.calendar_url(services().settings.public_base_url, event)
    return public or url_for("event_pages.event_ics", token=event.token)


@blueprint.route("/events/<int:event_id>")
@allow(*STAFF)
def event(event_id: int):  # type: ignore[no-untyped-def]
    with reading() as db:
        found = _event(db, event_id)
        counts = store.counts(db, event_id)
        rsvps = db.execute(
            select(Rsvp, Contact)
            .join(Contact, Contact.id == Rsvp.contact_id)
            .where(Rsvp.event_id == event_id)
            .order_by(Rsvp.id)
        ).all()
    return render_template(
        "admin/event.html",
        event=found,
        counts=counts,
        rsvps=rsvps,
        statuses=RSVP_STATUSES,
        calendar_url=calendar_url(found),
        # A sense-making session reads survey results together: offer the printable sheets.
        surveys=_survey_titles() if found.kind == "sense_making" else [],
        **_helpers(),
    )


def _survey_titles() -> list[tuple[str, dict[str, str]]]:
    return sorted(
        (key, survey.title) for key, survey in load_surveys(services().settings.flows_dir).items()
    )


def _form_page(event: OutreachEvent | None, values: dict, error: str | None = None):  # type: ignore[no-untyped-def]
    page = render_template(
        "admin/event_form.html", event=event, values=values, error=error, **_helpers()
    )
    return (page, 400) if error else page


@blueprint.route("/events/new", methods=["GET", "POST"])
@allow(*STAFF)
def new_event():  # type: ignore[no-untyped-def]
    tz = services().settings.timezone
    if request.method == "GET":
        return _form_page(None, event_values(None, tz))
    moment = now()
    try:
        draft = event_draft(request.form, tz, moment)
        if draft.starts_at <= moment:
            raise FormRefused(_("The event must start in the future."))
        with transaction() as db:
            created = store.create_event(db, draft, moment)
            audit.record(
                db, current_user(), "event.create", moment, target=f"event:{created.id}",
                detail={"kind": draft.kind, "title_en": draft.title_en,
                        "title_es": draft.title_es},
                ip=client_ip(),
            )  # fmt: skip
            event_id = created.id
    except (FormRefused, EventError) as refused:
        return _form_page(None, request.form.to_dict(), str(refused))
    flash(_("Event created."), "info")
    return redirect(url_for("admin.event", event_id=event_id))


@blueprint.route("/events/<int:event_id>/edit", methods=["GET", "POST"])
@allow(*STAFF)
def edit_event(event_id: int):  # type: ignore[no-untyped-def]
    tz = services().settings.timezone
    if request.method == "GET":
        with reading() as db:
            found = _event(db, event_id)
        if found.status != SCHEDULED:
            abort(409, description=_("This event is {status}: it can no longer be changed.",
                                     status=event_status_label(found.status)))  # fmt: skip
        return _form_page(found, event_values(found, tz))
    moment = now()
    try:
        draft = event_draft(request.form, tz, moment)
        with transaction() as db:
            found = _event(db, event_id)
            if found.status != SCHEDULED:
                raise FormRefused(_("This event is {status}: it can no longer be changed.",
                                    status=event_status_label(found.status)))  # fmt: skip
            if draft.starts_at <= moment and draft.starts_at != found.starts_at:
                raise FormRefused(_("The event must start in the future."))
            changed, promoted = store.edit_event(db, found, draft, moment)
            for seat in promoted:  # a bigger room: the waitlist moves up, and they are told
                sending.promoted(db, event_id, seat.contact_id, moment)
            if changed:
                audit.record(
                    db, current_user(), "event.edit", moment, target=f"event:{event_id}",
                    detail={"changed": changed, "promoted": len(promoted)}, ip=client_ip(),
                )  # fmt: skip
    except (FormRefused, EventError) as refused:
        with reading() as db:
            found = _event(db, event_id)
        return _form_page(found, request.form.to_dict(), str(refused))
    flash(_("Saved.") if changed else _("Nothing changed."), "info")
    return redirect(url_for("admin.event", event_id=event_id))


@blueprint.route("/events/<int:event_id>/cancel", methods=["GET", "POST"])
@allow(*STAFF)
def cancel_event(event_id: int):  # type: ignore[no-untyped-def]
    if request.method == "GET":
        with reading() as db:
            found = _event(db, event_id)
            counts = store.counts(db, event_id)
        return render_template(
            "admin/event_cancel.html", event=found, told=counts[YES], **_helpers()
        )
    moment = now()
    with transaction() as db:
        found = _event(db, event_id)
        changed = store.cancel_event(db, found, moment)
        if changed:
            audit.record(
                db, current_user(), "event.cancel", moment, target=f"event:{event_id}",
                ip=client_ip(),
            )  # fmt: skip
    if changed:
        flash(_("Event cancelled. Everyone who said yes will get a text saying so."), "info")
    else:
        flash(_("This event was already cancelled; nobody is told twice."), "info")
    return redirect(url_for("admin.event", event_id=event_id))


@blueprint.route("/events/<int:event_id>/attendance", methods=["POST"])
@allow(*STAFF)
def attendance(event_id: int):  # type: ignore[no-untyped-def]
    chosen = {int(v) for v in request.form.getlist("present") if v.isdigit()}
    moment = now()
    with transaction() as db:
        found = _event(db, event_id)
        if found.status == CANCELLED:
            abort(409, description=_("This event was cancelled: nobody can be marked present."))
        invited = set(
            db.scalars(select(Rsvp.contact_id).where(Rsvp.event_id == event_id))
        )  # only people on this event's list: a forged id is refused, not a walk-in
        if chosen - invited:
            abort(400, description=_("Someone marked present is not on this event's list."))
        marked = [
            contact_id
            for contact_id in sorted(chosen)
            if store.rsvp_of(db, event_id, contact_id).attended_at is None  # type: ignore[union-attr]
        ]
        for contact_id in marked:
            store.mark_attended(db, event_id, contact_id, moment)
        if marked:
            audit.record(
                db, current_user(), "event.attendance", moment, target=f"event:{event_id}",
                detail={"marked": len(marked)}, ip=client_ip(),
            )  # fmt: skip
    flash(_("{n} marked present.", n=len(marked)), "info")
    return redirect(url_for("admin.event", event_id=event_id))
