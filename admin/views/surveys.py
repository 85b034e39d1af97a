"""Surveys: responses by day, answers per question by language, scores, and the CSV export."""

from __future__ import annotations

import io
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import Response, abort, render_template, request
from markupsafe import Markup
from sqlalchemy import func, select

from bot.surveys import store
from bot.surveys.definitions import SurveyDefinition, load_surveys
from bot.surveys.models import SurveyResponse
from bot.surveys.results import export_rows, write_csv

from .. import audit, survey_stats
from ..blueprint import STAFF, allow, blueprint
from ..charts import bars
from ..context import client_ip, current_user, now, reading, services, transaction
from ..context import gettext as _
from ..params import date_arg

ZIP = re.compile(r"^\d{5}$")


def _surveys() -> dict[str, SurveyDefinition]:
    return load_surveys(services().settings.flows_dir)


def _survey(key: str) -> SurveyDefinition:
    survey = _surveys().get(key)
    if survey is None:
        abort(404, description=_("There is no survey {key}.", key=key))
    return survey


@blueprint.route("/surveys")
@allow(*STAFF)
def surveys():  # type: ignore[no-untyped-def]
    with reading() as db:
        counts = dict(
            db.execute(
                select(SurveyResponse.survey_key, func.count()).group_by(SurveyResponse.survey_key)
            ).all()
        )
        rows = [
            (key, survey, store.is_open(db, key), counts.get(key, 0))
            for key, survey in sorted(_surveys().items())
        ]
    return render_template("admin/surveys.html", rows=rows)


def _filters() -> survey_stats.Filters:
    zip_code = (request.args.get("zip") or "").strip() or None
    if zip_code and not ZIP.match(zip_code):
        abort(400, description=_("A ZIP code has 5 digits."))
    return survey_stats.Filters(zip_code, date_arg("since"), date_arg("until"))


@blueprint.route("/surveys/<key>")
@allow(*STAFF)
def survey(key: str):  # type: ignore[no-untyped-def]
    definition = _survey(key)
    filters = _filters()
    tz = services().settings.timezone
    moment = now()
    conditions = survey_stats.response_conditions(key, filters, tz)
    with reading() as db:
        days = survey_stats.per_day(db, conditions, tz, moment)
        responses, completed = survey_stats.totals(db, conditions)
        questions = survey_stats.question_counts(db, definition, conditions)
        scores = survey_stats.score_counts(db, definition, conditions)
    return render_template(
        "admin/survey.html",
        survey=definition,
        filters=filters,
        chart=_chart(days, filters, moment, tz),
        responses=responses,
        completed=completed,
        questions=questions,
        scores=scores,
    )


def _chart(
    days: dict[str, dict[str, int]], filters: survey_stats.Filters, moment: datetime, tz: str
) -> Markup:
    last = filters.until or moment.astimezone(ZoneInfo(tz)).date()
    first = filters.since or last - timedelta(days=29)
    first = max(first, last - timedelta(days=365))
    dates = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    series = {
        lang: [days.get(d.isoformat(), {}).get(lang, 0) for d in dates] for lang in ("es", "en")
    }
    names = {"es": _("Spanish"), "en": _("English")}
    return bars([d.isoformat()[5:] for d in dates], series, names, _("Responses by day"))


@blueprint.route("/surveys/<key>/export.csv")
@allow(*STAFF)
def export_survey(key: str):  # type: ignore[no-untyped-def]
    """The CLI's de-identified export: pseudonyms, no free text, scores computed."""
    definition = _survey(key)
    vecino = services()
    with transaction() as db:
        header, rows = export_rows(db, definition, vecino.settings.secret_key)
        audit.record(
            db,
            current_user(),
            "survey.export",
            now(),
            target=f"survey:{key}",
            detail={"rows": len(rows)},
            ip=client_ip(),
        )
    out = io.StringIO()
    write_csv(out, header, rows)
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{key}.csv"'},
    )
