"""What flows call: understand a request, search, page with MORE/MÁS; the menu predicate.

Conversation data the find_help flow uses: ``category`` (a code), ``category_text`` (the answer
to "what do you need?"), ``place`` (the answer to the location question: ``{"zip": ...}`` or
``{"lat": ..., "lon": ...}``), ``place_unknown`` ("no sé" at that question), ``area_text``
(the neighborhood named instead), ``same_place`` (yes/no), ``point`` (where to search, cleared
after the search so a shared location is not kept).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from ..engine import TRIGGER_KEY, Capabilities, Outbound
from ..engine.actions import ActionContext, ActionResult
from ..predicate_cache import cached
from . import messages as m
from .categories import category as category_named
from .categories import find_category
from .models import DirectoryPoint
from .neighborhoods import find_neighborhood
from .places import LA_AREA_MILES, nearest_la_zip, resolve_zip, valid_point, zips_in_text
from .present import build_page, load_entries
from .search import (
    directory_has_resources,
    latest_search,
    mark_shown,
    record_search,
    take_page,
)

MORE_WINDOW = timedelta(hours=24)  # MORE continues a search from today, not last month


def register(capabilities: Capabilities) -> None:
    capabilities.actions["directory_understand"] = understand
    capabilities.actions["directory_event"] = event
    capabilities.actions["directory_search"] = search
    capabilities.actions["directory_more"] = more
    # Rendered with every menu: remembered until the index is rebuilt (or a few seconds).
    capabilities.predicates["directory_ready"] = cached(directory_ready, DirectoryPoint)


def directory_ready(deps: Any) -> bool:
    """The menu shows "find help" once the directory has something to find."""
    return deps is not None and directory_has_resources(deps.session)


def _say(context: ActionContext, message: str, **params: object) -> Outbound:
    return Outbound(context.gettext(message, **params))


def event(context: ActionContext) -> ActionResult:
    """The find_help flow's ``on_event``: "no sé" at the ZIP question asks for the area."""
    found = context.event
    if found is not None and found.kind == "skip" and found.key == "place":
        return ActionResult(data={"place_unknown": True})
    return ActionResult()


def understand(context: ActionContext) -> ActionResult:
    """Work out category and place from everything said so far; say what is still missing.

    Outcomes: ``search``, ``ask_category``, ``ask_place``, ``ask_area``, ``ask_same_place``,
    ``stop``.
    """
    data = context.conversation.data
    contact = context.deps.contact
    updates: dict[str, Any] = {}
    said: list[Outbound] = []

    def result(outcome: str) -> ActionResult:
        return ActionResult(messages=said, outcome=outcome, data=updates)

    if not directory_has_resources(context.deps.session):
        said.append(_say(context, m.EMPTY_DIRECTORY))
        return result("stop")

    texts = [str(data[key]) for key in (TRIGGER_KEY, "category_text") if data.get(key)]
    for key in (TRIGGER_KEY, "category_text", "place", "area_text", "place_unknown"):
        if data.get(key) is not None:
            updates[key] = None  # each answer is used once; a loop asks again
    category = updates["category"] = _category(data, texts, context.inbound.text)
    if category is not None and data.get("place_unknown"):
        return result("ask_area")
    place, zip_problem = _place_in(context, texts, data.get("place"))
    if data.get("area_text"):
        place = _area(context, str(data["area_text"]), said)
        if place is None:
            return result("stop")

    if category is None:
        if data.get("category_text"):
            said.append(_say(context, m.CATEGORY_NOT_FOUND))
        updates["place"] = place  # keep a ZIP given with an unknown word
        return result("ask_category")
    if zip_problem is not None:
        said.append(zip_problem)
        return result("ask_place")
    if place is None:
        same = data.get("same_place")
        if same is True and contact.zip_code:
            place = {"zip": contact.zip_code}
        elif contact.zip_code and same is None:
            said.append(_say(context, m.LAST_ZIP, zip=contact.zip_code))
            return result("ask_same_place")
        else:
            return result("ask_place")
    updates["same_place"] = None
    outcome, updates["point"] = _locate(context, place, said)
    return result(outcome)


def _category(data: dict[str, Any], texts: list[str], latest: str) -> str | None:
    category = data.get("category")
    for text in texts:
        category = find_category(text) or category
    if data.get("place") is not None:
        # "vivienda 90011" answering the ZIP question: the words change what we look for.
        category = find_category(latest) or category
    return category


def _place_in(context: ActionContext, texts: list[str], place: Any) -> tuple[Any, Outbound | None]:
    """A ZIP in the request's own words wins over the answer given; or what is wrong with it."""
    zips = zips_in_text(" ".join(texts))
    if len(zips.found) > 1:
        return place, _say(context, m.TWO_ZIPS, zips=", ".join(zips.found))
    if zips.found:
        return {"zip": zips.found[0]}, None
    if zips.malformed:
        return place, _say(context, m.MALFORMED_ZIP, text=zips.malformed[0])
    return place, None


def _area(context: ActionContext, text: str, said: list[Outbound]) -> dict[str, str] | None:
    """The answer to "which neighborhood?": a ZIP in it, or a neighborhood in our table."""
    zips = zips_in_text(text).found
    if zips:
        return {"zip": zips[0]}
    found = find_neighborhood(text)
    if found is not None:
        said.append(_say(context, m.AREA_FOUND, area=found.name, zip=found.zip_code))
        return {"zip": found.zip_code}
    said.append(_say(context, m.UNKNOWN_AREA))
    return None


def _locate(
    context: ActionContext, place: dict[str, Any], said: list[Outbound]
) -> tuple[str, dict[str, Any] | None]:
    """Outcome and search point for a ZIP or a shared location, or why there is none."""
    if "zip" in place:
        found = resolve_zip(str(place["zip"]))
        if found is None:
            said.append(_say(context, m.UNKNOWN_ZIP, zip=place["zip"]))
            return "ask_place", None
        if not found.in_la:
            said.append(_say(context, m.OUTSIDE_LA_ZIP, zip=found.zip_code))
            return "stop", None
        point = {"lat": found.latitude, "lon": found.longitude, "zip": found.zip_code}
        return "search", {**point, "via": "zip"}
    try:
        latitude, longitude = float(place["lat"]), float(place["lon"])
    except (KeyError, TypeError, ValueError):
        latitude = longitude = float("nan")
    if not valid_point(latitude, longitude):
        said.append(_say(context, m.BAD_LOCATION))
        return "ask_place", None
    nearest_zip, miles = nearest_la_zip(latitude, longitude)
    if miles > LA_AREA_MILES:
        said.append(_say(context, m.OUTSIDE_LA_POINT))
        return "stop", None
    point = {"lat": latitude, "lon": longitude, "zip": nearest_zip.zip_code}
    return "search", {**point, "via": "location"}


def search(context: ActionContext) -> ActionResult:
    """Search near ``point``, record it, and show the first page."""
    data = context.conversation.data
    deps = context.deps
    point, code = data.get("point") or {}, data.get("category")
    found = category_named(code or "")
    if not point or found is None:
        return ActionResult(outcome="restart", data={"point": None})
    record = record_search(
        deps.session,
        category=found.code,
        zip_code=point.get("zip"),
        via=point.get("via", "zip"),
        latitude=point["lat"],
        longitude=point["lon"],
        contact_id=deps.contact.id,
        now=context.now,
    )
    if point.get("zip"):
        deps.contact.zip_code = point["zip"]
    label = found.label_in(context.language)
    where = point["zip"] if point.get("via") == "zip" else context.gettext(m.HERE)
    if not record.pending:
        text = context.gettext(m.NOTHING_NEAR, category=label.lower(), place=where)
        return ActionResult(messages=[Outbound(text)], data={"point": None})
    header = (
        context.gettext(m.RESULTS_HEADER_ZIP, category=label, zip=point["zip"])
        if point.get("via") == "zip"
        else context.gettext(m.RESULTS_HEADER_HERE, category=label)
    )
    return ActionResult(messages=[_page(context, record, header)], data={"point": None})


def more(context: ActionContext) -> ActionResult:
    """MORE / MÁS: the next page of the contact's latest search."""
    deps = context.deps
    record = latest_search(deps.session, deps.contact.id, context.now - MORE_WINDOW)
    if record is None:
        return ActionResult(messages=[_say(context, m.NO_SEARCH_TO_CONTINUE)])
    if not record.pending:
        return ActionResult(messages=[_say(context, m.NO_MORE_RESULTS)])
    found = category_named(record.category)
    label = found.label_in(context.language) if found else record.category
    place = record.zip_code if record.via == "zip" else context.gettext(m.HERE)
    header = context.gettext(m.MORE_HEADER, category=label.lower(), place=place)
    return ActionResult(messages=[_page(context, record, header)])


def _page(context: ActionContext, record: Any, header: str) -> Outbound:
    deps = context.deps
    candidates = take_page(record, 3)
    entries = load_entries(deps.session, candidates, context.language)
    while candidates and not entries:  # every record on this page was removed since
        mark_shown(deps.session, record, [], deps.contact.id, context.now, dropped=candidates)
        candidates = take_page(record, 3)
        entries = load_entries(deps.session, candidates, context.language)
    if not entries:
        return _say(context, m.NO_MORE_RESULTS)
    gone = [hit for hit in candidates if hit not in {e.hit for e in entries}]
    left = len(record.pending or []) - len(gone)
    page = build_page(
        header,
        entries,
        more_after=lambda shown: left - shown > 0,
        now=context.now,
        tz=deps.settings.timezone,
        language=context.language,
        gettext=context.gettext,
        sms=deps.contact.channel == "sms",
        first_number=record.shown + 1,
    )
    shown = [(entry.hit, entry.name) for entry in page.shown]
    mark_shown(deps.session, record, shown, deps.contact.id, context.now, dropped=gone)
    return Outbound(page.text)
