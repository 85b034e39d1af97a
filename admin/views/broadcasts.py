"""Broadcasts: compose (audience builder, bilingual text or an event's invitation, now or at a
time), PREVIEW, then an explicit confirmation; the list with progress; cancel while queued.

Nothing is queued before the confirmation. The preview page carries the exact draft it
showed, signed with the app's key (so the confirmation queues what was previewed, not a
tampered copy) and with a one-time token: the confirmation is recorded in the audit log under
that token, in the transaction that queues, after taking a lock on the organizer's account
row, so a double click or a resent form queues once. The domain (``broadcasts.check``,
``preview``, ``enqueue``, ``progress``, ``cancel``) does the work, as for the CLI.
"""

from __future__ import annotations

import secrets
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select

from bot.outreach import broadcasts
from bot.outreach.models import RSVP_STATUSES, SCHEDULED, Broadcast, OutreachEvent

from .. import audit
from ..blueprint import STAFF, allow, blueprint
from ..context import client_ip, current_user, now, reading, services, transaction
from ..context import gettext as _
from ..models import AdminUser, AuditEntry
from ..outreach_forms import (
    BroadcastForm,
    FormRefused,
    broadcast_form,
    builder_values,
    local_input,
    refuse_past,
    supports,
)
from .events import event_status_label, status_label

DRAFT_SALT = "vecino-admin-broadcast-draft"
DRAFT_MAX_AGE = 3600  # an hour: after that the audience may have changed; preview again
CONFIRM_ACTION = "broadcast.send"
PAGE = 100


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(services().settings.secret_key, salt=DRAFT_SALT)


def _open_events(db) -> list[OutreachEvent]:  # type: ignore[no-untyped-def]
    """Events people can still be invited to (the domain checks the cut-off again). Not
    interview slots: a group is offered as one list (``vecino broadcasts send --slots``)."""
    return list(
        db.scalars(
            select(OutreachEvent)
            .where(
                OutreachEvent.status == SCHEDULED,
                OutreachEvent.starts_at > now(),
                OutreachEvent.slot_group.is_(None),
            )
            .order_by(OutreachEvent.starts_at)
        )
    )


def _all_events(db) -> list[OutreachEvent]:  # type: ignore[no-untyped-def]
    return list(db.scalars(select(OutreachEvent).order_by(OutreachEvent.starts_at.desc())))


def _composer(values: dict[str, Any], error: str | None = None):  # type: ignore[no-untyped-def]
    with reading() as db:
        open_events, every_event = _open_events(db), _all_events(db)
    page = render_template(
        "admin/broadcast_new.html",
        values=values,
        error=error,
        open_events=open_events,
        every_event=every_event,
        statuses=RSVP_STATUSES,
        status_label=status_label,
        tags_supported=supports("tag"),
    )
    return (page, 400) if error else page


@blueprint.route("/broadcasts")
@allow(*STAFF)
def broadcasts_list():  # type: ignore[no-untyped-def]
    with reading() as db:
        rows = list(db.scalars(select(Broadcast).order_by(Broadcast.id.desc()).limit(PAGE)))
        progress = {row.id: broadcasts.progress(db, row.id) for row in rows}
        titles = _titles(db, rows)
    return render_template("admin/broadcasts.html", rows=rows, progress=progress, titles=titles)


def _titles(db, rows: list[Broadcast]) -> dict[int, OutreachEvent]:  # type: ignore[no-untyped-def]
    ids = {row.event_id for row in rows if row.event_id is not None}
    if not ids:
        return {}
    return {e.id: e for e in db.scalars(select(OutreachEvent).where(OutreachEvent.id.in_(ids)))}


@blueprint.route("/broadcasts/new")
@allow(*STAFF)
def new_broadcast():  # type: ignore[no-untyped-def]
    event_id = request.args.get("event", "")
    values: dict[str, Any] = {"content": "text", "when": "now"}
    if event_id.isdigit():
        values.update(content="event", event_id=event_id)
    return _composer(values)


def _values(form) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """The composer's fields as posted, to show the form again after a refusal."""
    values: dict[str, Any] = form.to_dict()
    for name in ("lang", "channel", "rsvp_status"):
        values[name] = form.getlist(name)
    return values


@blueprint.route("/broadcasts/preview", methods=["POST"])
@allow(*STAFF)
def preview_broadcast():  # type: ignore[no-untyped-def]
    """Count and render; queue nothing. The page ends with the confirmation form."""
    vecino = services()
    moment = now()
    tz = vecino.settings.timezone
    try:
        draft = broadcast_form(request.form, tz, moment)
        shown, event = _preview(draft, moment)
    except FormRefused as refused:
        return _composer(_values(request.form), str(refused))
    signed = _serializer().dumps({**draft.as_dict(), "token": secrets.token_urlsafe(16)})
    return render_template(
        "admin/broadcast_preview.html",
        draft=draft,
        event=event,
        shown=shown,
        signed=signed,
        send_at=local_input(draft.send_at, tz).replace("T", " ") if draft.send_at else None,
        values=_values(request.form),
    )


def _preview(draft: BroadcastForm, moment) -> tuple[broadcasts.Preview, OutreachEvent | None]:  # type: ignore[no-untyped-def]
    vecino = services()
    with transaction() as db:  # preview renders in a savepoint it rolls back: nothing is kept
        broadcast = draft.broadcast(moment)
        try:
            event = broadcasts.check(db, broadcast, moment)
            shown = broadcasts.preview(db, vecino.engine, vecino.settings, broadcast, moment)
        except broadcasts.BroadcastError as error:
            raise _refusal(db, draft, error) from error
        if event is not None:
            db.refresh(event)  # loaded now, for the page after the transaction
    if shown.recipients == 0:
        raise FormRefused(_empty())
    return shown, event


def _empty() -> str:
    return _(
        "Nobody matches this audience (opted-out and unreachable residents are always left "
        "out, and so is anyone already invited to the event), so there is nothing to send."
    )


def _refusal(db, draft: BroadcastForm, error: broadcasts.BroadcastError) -> FormRefused:  # type: ignore[no-untyped-def]
    """The domain's refusal in the organizer's language, for the cases it has."""
    if draft.event_id is not None:
        event = db.get(OutreachEvent, draft.event_id)
        if event is None:
            return FormRefused(_("There is no event {id}.", id=draft.event_id))
        if event.status != SCHEDULED:
            return FormRefused(
                _("This event is {status}: nobody can be invited.",
                  status=event_status_label(event.status))
            )  # fmt: skip
        return FormRefused(
            _("This event starts too soon to invite anyone (invitations stop an hour before).")
        )
    return FormRefused(_("The broadcast cannot be sent: {reason}", reason=str(error)))


@blueprint.route("/broadcasts/confirm", methods=["POST"])
@allow(*STAFF)
def confirm_broadcast():  # type: ignore[no-untyped-def]
    """Queue the previewed draft, once."""
    try:
        data = _serializer().loads(request.form.get("draft", ""), max_age=DRAFT_MAX_AGE)
    except SignatureExpired:
        abort(400, description=_("This preview is more than an hour old. Preview it again."))
    except BadSignature:
        abort(400, description=_("This confirmation was changed after the preview, so it was "
                                 "refused. Preview the broadcast again."))  # fmt: skip
    token = str(data.get("token", ""))
    draft = BroadcastForm.from_dict(data)
    moment = now()
    user = current_user()
    try:
        with transaction() as db:
            # Two clicks of the same account queue one after the other (SQLite serializes
            # writers anyway); the second finds the first's audit row and queues nothing.
            db.scalar(select(AdminUser.id).where(AdminUser.id == user.id).with_for_update())
            done = db.scalar(
                select(AuditEntry.detail).where(
                    AuditEntry.action == CONFIRM_ACTION, AuditEntry.target == f"draft:{token}"
                )
            )
            if done is not None:
                flash(_("This broadcast was already confirmed; it was not queued twice."), "info")
                return redirect(url_for("admin.broadcast", broadcast_id=done["broadcast"]))
            if draft.send_at is not None:
                refuse_past(draft.send_at, moment, services().settings.timezone)
            broadcast = draft.broadcast(moment)
            matching = select(func.count()).select_from(
                broadcasts.audience(list(draft.filters), draft.event_id).subquery()
            )
            if not db.scalar(matching):
                raise FormRefused(_empty())
            try:
                queued = broadcasts.enqueue(db, broadcast, moment)
            except broadcasts.BroadcastError as error:
                raise _refusal(db, draft, error) from error
            audit.record(
                db, user, CONFIRM_ACTION, moment, target=f"draft:{token}",
                detail={"broadcast": broadcast.id, "recipients": queued,
                        "filters": draft.filters, "event": draft.event_id,
                        "send_at": broadcast.send_at.isoformat()},
                ip=client_ip(),
            )  # fmt: skip
            broadcast_id = broadcast.id
    except FormRefused as refused:
        abort(400, description=str(refused))
    flash(_("Broadcast queued for {n} resident(s).", n=queued), "info")
    return redirect(url_for("admin.broadcast", broadcast_id=broadcast_id))


@blueprint.route("/broadcasts/<int:broadcast_id>")
@allow(*STAFF)
def broadcast(broadcast_id: int):  # type: ignore[no-untyped-def]
    with reading() as db:
        found = db.get(Broadcast, broadcast_id)
        if found is None:
            abort(404, description=_("There is no broadcast {id}.", id=broadcast_id))
        progress = broadcasts.progress(db, broadcast_id)
        event = db.get(OutreachEvent, found.event_id) if found.event_id else None
    return render_template(
        "admin/broadcast.html",
        broadcast=found,
        progress=progress,
        event=event,
        audience=builder_values(list(found.filters)),
    )


@blueprint.route("/broadcasts/<int:broadcast_id>/cancel", methods=["POST"])
@allow(*STAFF)
def cancel_broadcast(broadcast_id: int):  # type: ignore[no-untyped-def]
    moment = now()
    with transaction() as db:
        found = db.get(Broadcast, broadcast_id)
        if found is None:
            abort(404, description=_("There is no broadcast {id}.", id=broadcast_id))
        if found.status == broadcasts.CANCELLED:
            abort(409, description=_("This broadcast was already cancelled."))
        stopped = broadcasts.cancel(db, found, moment)
        audit.record(
            db, current_user(), "broadcast.cancel", moment, target=f"broadcast:{broadcast_id}",
            detail={"stopped": stopped}, ip=client_ip(),
        )  # fmt: skip
    flash(_("Broadcast cancelled: {n} message(s) will not be sent.", n=stopped), "info")
    return redirect(url_for("admin.broadcast", broadcast_id=broadcast_id))
