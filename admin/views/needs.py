"""Needs and referrals: searches by ZIP and category, and how many found nothing near."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import abort, render_template, request
from sqlalchemy import func, select

from bot.directory.categories import category, category_codes
from bot.directory.models import Referral
from bot.directory.search import COUNT_RADII, unmet_needs

from ..blueprint import STAFF, allow, blueprint
from ..context import gettext as _
from ..context import language, now, reading, services
from ..params import date_arg


@blueprint.route("/needs")
@allow(*STAFF)
def needs():  # type: ignore[no-untyped-def]
    tz = ZoneInfo(services().settings.timezone)
    today = now().astimezone(tz).date()
    since_day = date_arg("since") or today - timedelta(days=29)
    until_day = date_arg("until") or today
    try:
        radius = float(request.args.get("radius") or 3)
    except ValueError:
        radius = -1.0
    if radius not in COUNT_RADII:
        abort(400, description=_("The distance must be 1, 3 or 10 miles."))
    chosen = request.args.get("category") or None
    if chosen and chosen not in category_codes():
        abort(400, description=_("Unknown category."))
    with reading() as db:
        rows = unmet_needs(
            db,
            datetime.combine(since_day, time(), tz),
            datetime.combine(until_day + timedelta(days=1), time(), tz),
            radius,
            [chosen] if chosen else None,
        )
        outcomes = db.execute(
            select(Referral.outcome, func.count())
            .where(Referral.followed_up_at.is_not(None))
            .group_by(Referral.outcome)
        ).all()
    labels = {code: category(code).label_in(language()) for code in category_codes()}
    return render_template(
        "admin/needs.html",
        rows=rows,
        outcomes=outcomes,
        labels=labels,
        since=since_day,
        until=until_day,
        radius=radius,
        chosen=chosen,
        radii=COUNT_RADII,
    )
