"""Public event pages: ``GET /events/<token>.ics``, a calendar file per event (no personal data)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app

from .outreach import store
from .outreach.ics import build_ics
from .outreach.present import calendar_entry

blueprint = Blueprint("event_pages", __name__)


@blueprint.get("/events/<token>.ics")
def event_ics(token: str) -> Response:
    vecino = current_app.extensions["vecino"]
    with vecino.db.transaction() as session:
        event = store.by_token(session, token)
        if event is None:
            abort(404, "no such event")
        text = build_ics(calendar_entry(event))
    response = Response(text, mimetype="text/calendar")
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="event-{token}.ics"'
    return response
