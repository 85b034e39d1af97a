"""Needs and referrals: searches by ZIP and category, and how many found nothing near,
as a map of LA County ZIP codes (``admin/zipmap.py``) and as tables."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import abort, render_template, request
from sqlalchemy import func, select

from bot.directory.categories import category, category_codes
from bot.directory.models import Referral
from bot.directory.places import resolve_zip
from bot.directory.search import COUNT_RADII, unmet_needs

from .. import zipmap
from ..blueprint import STAFF, allow, blueprint
from ..context import gettext as _
from ..context import language, now, reading, services
from ..params import date_arg
from ..templating import number, percent


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
    totals = zipmap.zip_totals(rows)
    needs_map = zipmap.layout(totals)
    return render_template(
        "admin/needs.html",
        rows=rows,
        needs_map=needs_map,
        map_svg=zipmap.render(needs_map, map_words(int(radius), totals)) if totals else None,
        zip_rows=[(need, city_of(need.zip_code)) for need in totals],
        outcomes=outcomes,
        labels=labels,
        since=since_day,
        until=until_day,
        radius=radius,
        chosen=chosen,
        radii=COUNT_RADII,
    )


def city_of(zip_code: str) -> str:
    place = resolve_zip(zip_code)
    return place.city if place else "–"


def map_words(miles: int, totals: list[zipmap.ZipNeed]) -> zipmap.MapWords:
    """The map's title, legend and each bubble's description, in the organizer's language."""

    def describe(need: zipmap.ZipNeed, city: str) -> str:
        return _(
            "{zip} ({city}): {searches} search(es), {unmet} found nothing within {r} mi ({share})",
            zip=need.zip_code,
            city=city,
            searches=number(need.searches),
            unmet=number(need.unmet),
            r=miles,
            share=percent(need.share),
        )

    return zipmap.MapWords(
        title=_("Resource searches by LA County ZIP code"),
        describe=describe,
        bands=(
            _("Everyone found a place within {r} mi", r=miles),
            _("Under half found nothing within {r} mi", r=miles),
            _("Half or more found nothing within {r} mi", r=miles),
            _("Nobody found a place within {r} mi", r=miles),
        ),
        size_note=_(
            "A bigger circle means more searches (the biggest: {n}).",
            n=number(max((need.searches for need in totals), default=0)),
        ),
    )
