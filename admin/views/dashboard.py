"""The dashboard: who we reach, how surveys go, and where Spanish speakers are served worse."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask import redirect, render_template, url_for

from bot.i18n import local_pattern

from .. import stats
from ..blueprint import EVERYONE, STAFF, allow, blueprint
from ..charts import bars
from ..context import current_user, language, now, reading, services
from ..context import gettext as _
from .events import status_label, upcoming
from .flags import by_urgency, reason_label

UPCOMING_EVENTS = 5


@blueprint.route("/")
@allow(*EVERYONE)
def index():  # type: ignore[no-untyped-def]
    return redirect(url_for("admin.dashboard"))


@blueprint.route("/dashboard")
@allow(*EVERYONE)
def dashboard():  # type: ignore[no-untyped-def]
    """Aggregates only, so partner staff may see it too."""
    moment = now()
    week_ago = moment - timedelta(days=7)
    tz = services().settings.timezone
    with reading() as db:
        contacts = stats.contacts_table(db, week_ago)
        dates, series = stats.conversations_per_day(db, tz, moment)
        funnel = stats.survey_funnel(db)
        gaps = stats.disparities(db, funnel, contacts)
        flags = stats.open_flags(db)
        searches, unmet = stats.searches_this_week(db, week_ago)
        events, rsvps = upcoming(db, moment, UPCOMING_EVENTS)
    names = {"es": _("Spanish"), "en": _("English"), "?": _("Not chosen yet")}
    labels = [local_pattern_day(d) for d in dates]
    title = _("Residents who wrote to us each day (last 30 days)")
    chart = bars(labels, {"all": series}, {"all": _("Residents")}, title)
    return render_template(
        "admin/dashboard.html",
        contacts=contacts,
        totals=_totals(contacts),
        chart=chart,
        funnel=sorted(funnel.items()),
        gaps=gaps,
        flags=flags,
        flags_by_urgency=by_urgency(flags),
        reason_label=reason_label,
        can_open_flags=current_user().role in STAFF,  # partners see the counts, not the queue
        searches=searches,
        unmet=unmet,
        names=names,
        events=events,
        rsvps=rsvps,
        status_label=status_label,
    )


def local_pattern_day(day: date) -> str:
    return local_pattern(datetime.combine(day, time()), "d MMM", language())


def _totals(rows: list[stats.ContactRow]) -> dict[str, int]:
    return {
        "contacts": sum(r.contacts for r in rows),
        "new": sum(r.new_this_week for r in rows),
        "opted_out": sum(r.opted_out for r in rows),
    }
