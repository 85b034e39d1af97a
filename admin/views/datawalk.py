"""The printable data-walk sheet of a survey, for a sense-making session: the same bilingual
one-page HTML as ``vecino results sheet``, with small-cell suppression at its defaults.

Served as a download: the sheet carries its own print styles, which the admin pages' CSP (no
inline style) would block if it opened here; saved and opened, it prints as designed.
"""

from __future__ import annotations

from flask import Response, abort

from bot.outreach.cli import _choice_labels as choice_labels  # the CLI's reading of the flow
from bot.outreach.results import Suppression, sheet_html
from bot.surveys.definitions import load_surveys
from bot.surveys.results import summarize

from .. import audit
from ..blueprint import STAFF, allow, blueprint
from ..context import client_ip, current_user, now, services, transaction
from ..context import gettext as _


@blueprint.route("/surveys/<key>/data-walk.html")
@allow(*STAFF)
def data_walk_sheet(key: str):  # type: ignore[no-untyped-def]
    survey = load_surveys(services().settings.flows_dir).get(key)
    if survey is None:
        abort(404, description=_("There is no survey {key}.", key=key))
    with transaction() as db:
        summary = summarize(db, survey)
        audit.record(
            db, current_user(), "survey.data_walk", now(), target=f"survey:{key}",
            detail={"responses": summary.responses}, ip=client_ip(),
        )  # fmt: skip
    html = sheet_html(survey, summary, choice_labels(key), Suppression())
    return Response(
        html,
        mimetype="text/html",
        headers={"Content-Disposition": f'attachment; filename="data-walk-{key}.html"'},
    )
