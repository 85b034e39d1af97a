"""Nearest help first: a bounding-box prefilter on indexed columns, then exact distances.

The search reads ``directory_points`` through its (category, latitude, longitude) index,
starting with a small box around the resident and doubling it until enough results lie inside
the circle the box contains (anything nearer than those must be inside the box too). Each query
touches the rows of a few square miles, not the whole directory, so time grows with local
density rather than with the size of the directory.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, bindparam, case, delete, func, insert, select
from sqlalchemy.orm import Session

from . import schedules
from .models import (
    LAT_BAND_DEGREES,
    DirectoryPoint,
    Location,
    Referral,
    ResourceSearch,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceCategory,
)
from .places import EARTH_RADIUS_MILES

NEAR_MILES = 10.0  # farther than this is not "near" for a family without a car
COUNT_RADII = (1.0, 3.0, 10.0)
FIRST_RADIUS_MILES = 1.0
MILES_PER_DEGREE_LAT = math.pi * EARTH_RADIUS_MILES / 180
MAX_PENDING = 30  # ten pages of MORE; beyond that, 211 serves better than a long list


@dataclass(frozen=True)
class Hit:
    service_at_location_id: str
    miles: float


def _box(category: str, latitude: float, longitude: float, miles: float) -> dict[str, Any]:
    """Query parameters for the places of ``category`` in a box ``miles`` around a point."""
    dlat = miles / MILES_PER_DEGREE_LAT
    # Longitude degrees shrink towards the poles; the cap avoids a division by ~0 near them.
    dlon = miles / (MILES_PER_DEGREE_LAT * max(math.cos(math.radians(latitude)), 0.01))
    south, north = latitude - dlat, latitude + dlat
    return {
        "category": category,
        "bands": lat_bands(south, north),
        "south": south,
        "north": north,
        "west": longitude - dlon,
        "east": longitude + dlon,
    }


def nearest(
    session: Session,
    category: str,
    latitude: float,
    longitude: float,
    limit: int = 3,
    *,
    max_miles: float = NEAR_MILES,
    open_at: datetime | None = None,
    tz: str = "America/Los_Angeles",
) -> list[Hit]:
    """Up to ``limit`` places of ``category`` within ``max_miles``, nearest first.

    With ``open_at``, only places open at that moment (by their schedules) count.
    """
    radius = min(FIRST_RADIUS_MILES, max_miles)
    distance = _flat_distance(latitude, longitude)
    seen: dict[str, tuple[float, str]] = {}  # places found in a smaller box: miles, hours
    open_now: dict[str, bool] = {}  # by hours code: many places share the same hours
    local = open_at.astimezone(ZoneInfo(tz)) if open_at is not None else None
    check = schedules.open_checker(local) if local is not None else None
    connection = session.connection()  # Core rows: the ORM's result machinery costs more here
    while True:
        rows = connection.execute(_POINTS_IN_BOX, _box(category, latitude, longitude, radius))
        for sal_id, lat, lon, hours in rows.all():
            if sal_id not in seen:
                seen[sal_id] = (distance(lat, lon), hours)
        hits: list[Hit] = []
        # Nearest first; opening hours are only read for places we might show.
        for miles, sal_id in sorted((m, key) for key, (m, _) in seen.items() if m <= radius):
            if check is not None:
                hours = seen[sal_id][1]
                if hours not in open_now:
                    open_now[hours] = check(schedules.decode_cached(hours))
                if not open_now[hours]:
                    continue
            hits.append(Hit(sal_id, round(miles, 2)))
            if len(hits) == limit:
                return hits
        if radius >= max_miles:
            return hits
        radius = min(radius * 2, max_miles)


def _flat_distance(latitude: float, longitude: float) -> Callable[[float, float], float]:
    """Miles from a point, by the equirectangular approximation: within the ten miles we
    search it differs from the great-circle distance by far less than the 0.1 mile we show,
    and it is several times cheaper in the search's inner loop."""
    scale_lon = MILES_PER_DEGREE_LAT * math.cos(math.radians(latitude))

    def miles(lat: float, lon: float) -> float:
        return math.hypot((lat - latitude) * MILES_PER_DEGREE_LAT, (lon - longitude) * scale_lon)

    return miles


# One statement, built once: SQLAlchemy reuses its compiled form for every search.
_POINTS_IN_BOX = select(
    DirectoryPoint.service_at_location_id,
    DirectoryPoint.latitude,
    DirectoryPoint.longitude,
    DirectoryPoint.hours,
).where(
    DirectoryPoint.category == bindparam("category"),
    DirectoryPoint.lat_band.in_(bindparam("bands", expanding=True)),
    DirectoryPoint.latitude.between(bindparam("south"), bindparam("north")),
    DirectoryPoint.longitude.between(bindparam("west"), bindparam("east")),
)


def _counts_statement() -> Any:
    dy = (DirectoryPoint.latitude - bindparam("lat0")) * MILES_PER_DEGREE_LAT
    dx = (DirectoryPoint.longitude - bindparam("lon0")) * bindparam("lon_miles")
    squared = dy * dy + dx * dx
    counts = [func.sum(case((squared <= radius * radius, 1), else_=0)) for radius in COUNT_RADII]
    return select(*counts, func.min(squared)).where(
        DirectoryPoint.category == bindparam("category"),
        DirectoryPoint.lat_band.in_(bindparam("bands", expanding=True)),
        DirectoryPoint.latitude.between(bindparam("south"), bindparam("north")),
        DirectoryPoint.longitude.between(bindparam("west"), bindparam("east")),
    )


_COUNTS_IN_BOX = _counts_statement()


def lat_bands(south: float, north: float) -> list[int]:
    """The ``lat_band`` strips a box touches."""
    return list(
        range(math.floor(south / LAT_BAND_DEGREES), math.floor(north / LAT_BAND_DEGREES) + 1)
    )


def count_within(
    session: Session, category: str, latitude: float, longitude: float
) -> tuple[dict[float, int], float | None]:
    """How many places lie within each of ``COUNT_RADII`` miles, and the nearest distance.

    Counted by the database (one row back, however many places there are)."""
    row = (
        session.connection()
        .execute(
            _COUNTS_IN_BOX,
            {
                **_box(category, latitude, longitude, max(COUNT_RADII)),
                "lat0": latitude,
                "lon0": longitude,
                "lon_miles": MILES_PER_DEGREE_LAT * math.cos(math.radians(latitude)),
            },
        )
        .one()
    )
    found = {radius: int(value or 0) for radius, value in zip(COUNT_RADII, row[:-1], strict=True)}
    nearest_squared = row[-1]
    within = nearest_squared is not None and nearest_squared <= max(COUNT_RADII) ** 2
    return found, (round(math.sqrt(nearest_squared), 2) if within else None)


def directory_has_resources(session: Session) -> bool:
    return session.scalar(select(DirectoryPoint.id).limit(1)) is not None


# ---- the index -------------------------------------------------------------------------


def rules_by_service_at_location(session: Session) -> dict[str, list[schedules.Rule]]:
    """Each service at a location's opening rules: its own schedules, else its service's,
    else its location's (HSDS lets a schedule hang off any of the three)."""
    by_key: dict[tuple[str, str], list[schedules.Rule]] = defaultdict(list)
    for row in session.scalars(select(Schedule)):
        if not row.byday or row.opens_at is None or row.closes_at is None:
            continue
        try:
            rule = schedules.rule_from_hsds(
                row.freq, row.byday, row.opens_at, row.closes_at, row.valid_from, row.valid_to
            )
        except schedules.HoursError:
            continue  # stored before validation tightened; shown as "call for hours"
        if row.service_at_location_id:
            by_key["sal", row.service_at_location_id].append(rule)
        elif row.service_id:
            by_key["service", row.service_id].append(rule)
        elif row.location_id:
            by_key["location", row.location_id].append(rule)
    result = {}
    for sal_id, service_id, location_id in session.execute(
        select(ServiceAtLocation.id, ServiceAtLocation.service_id, ServiceAtLocation.location_id)
    ):
        result[sal_id] = (
            by_key.get(("sal", sal_id))
            or by_key.get(("service", service_id))
            or by_key.get(("location", location_id))
            or []
        )
    return result


def rebuild_index(session: Session) -> int:
    """Recompute ``directory_points`` from the directory; returns the number of points.

    Places without coordinates cannot be searched by distance and are left out (the import
    report says so); inactive services too.
    """
    session.flush()
    session.execute(delete(DirectoryPoint))
    hours = {
        sal_id: schedules.encode(rules)
        for sal_id, rules in rules_by_service_at_location(session).items()
    }
    rows = session.execute(
        select(
            ServiceAtLocation.id,
            ServiceCategory.category,
            Location.latitude,
            Location.longitude,
        )
        .join(Service, Service.id == ServiceAtLocation.service_id)
        .join(Location, Location.id == ServiceAtLocation.location_id)
        .join(ServiceCategory, ServiceCategory.service_id == Service.id)
        .where(
            Location.latitude.is_not(None),
            Location.longitude.is_not(None),
            Service.status == "active",
        )
    ).all()
    values = [
        {
            "service_at_location_id": sal_id,
            "category": category,
            "latitude": lat,
            "longitude": lon,
            "lat_band": math.floor(lat / LAT_BAND_DEGREES),
            "hours": hours.get(sal_id, ""),
        }
        for sal_id, category, lat, lon in rows
    ]
    for start in range(0, len(values), 5000):
        session.execute(insert(DirectoryPoint), values[start : start + 5000])
    return len(values)


# ---- recording searches, referrals and unmet needs -------------------------------------


def record_search(
    session: Session,
    *,
    category: str,
    zip_code: str | None,
    via: str,
    latitude: float,
    longitude: float,
    contact_id: int | None,
    now: datetime,
) -> ResourceSearch:
    """Search, and keep what an organizer needs to see unmet needs (never the message text)."""
    counts, nearest_miles = count_within(session, category, latitude, longitude)
    hits = nearest(session, category, latitude, longitude, limit=MAX_PENDING)
    search = ResourceSearch(
        created_at=now,
        contact_id=contact_id,
        category=category,
        zip_code=zip_code,
        via=via,
        within_1mi=counts[1.0],
        within_3mi=counts[3.0],
        within_10mi=counts[10.0],
        nearest_miles=nearest_miles,
        shown=0,
        pending=[[hit.service_at_location_id, hit.miles] for hit in hits],
    )
    session.add(search)
    session.flush()
    return search


def take_page(search: ResourceSearch, count: int) -> list[Hit]:
    """The next ``count`` results to show (the caller may show fewer and give some back)."""
    return [Hit(str(sal_id), float(miles)) for sal_id, miles in (search.pending or [])[:count]]


def mark_shown(
    session: Session,
    search: ResourceSearch,
    shown: Sequence[tuple[Hit, str]],
    contact_id: int,
    now: datetime,
    dropped: Iterable[Hit] = (),
) -> None:
    """Store a referral per result shown; take those (and ``dropped``) off the pending list."""
    for offset, (hit, name) in enumerate(shown, start=1):
        session.add(
            Referral(
                search_id=search.id,
                contact_id=contact_id,
                service_at_location_id=hit.service_at_location_id,
                resource_name=name[:255],
                rank=search.shown + offset,
                distance_miles=hit.miles,
                created_at=now,
            )
        )
    done = {hit.service_at_location_id for hit, _ in shown}
    done.update(hit.service_at_location_id for hit in dropped)
    search.pending = [item for item in search.pending or [] if str(item[0]) not in done]
    search.shown += len(shown)


def latest_search(session: Session, contact_id: int, since: datetime) -> ResourceSearch | None:
    return session.scalars(
        select(ResourceSearch)
        .where(ResourceSearch.contact_id == contact_id, ResourceSearch.created_at >= since)
        .order_by(ResourceSearch.created_at.desc(), ResourceSearch.id.desc())
        .limit(1)
    ).first()


@dataclass(frozen=True)
class UnmetNeed:
    zip_code: str | None
    category: str
    searches: int
    unmet: int  # searches with nothing within the radius
    nearest_miles_avg: float | None


def unmet_needs(
    session: Session,
    since: datetime,
    until: datetime | None = None,
    radius_miles: float = 3.0,
    categories: Iterable[str] | None = None,
) -> list[UnmetNeed]:
    """Searches by ZIP and category with how many found nothing within ``radius_miles``,
    most unmet first: what the admin view shows organizers."""
    column = {
        1.0: ResourceSearch.within_1mi,
        3.0: ResourceSearch.within_3mi,
        10.0: ResourceSearch.within_10mi,
    }.get(float(radius_miles))
    if column is None:
        raise ValueError(f"radius must be one of {COUNT_RADII}")
    conditions = [ResourceSearch.created_at >= since]
    if until is not None:
        conditions.append(ResourceSearch.created_at < until)
    if categories is not None:
        conditions.append(ResourceSearch.category.in_(list(categories)))
    unmet = func.sum(case((column == 0, 1), else_=0))
    rows = session.execute(
        select(
            ResourceSearch.zip_code,
            ResourceSearch.category,
            func.count(ResourceSearch.id),
            unmet,
            func.avg(ResourceSearch.nearest_miles),
        )
        .where(and_(*conditions))
        .group_by(ResourceSearch.zip_code, ResourceSearch.category)
        .order_by(unmet.desc(), func.count(ResourceSearch.id).desc(), ResourceSearch.zip_code)
    ).all()
    return [
        UnmetNeed(
            zip_code,
            category,
            int(searches),
            int(unmet_count or 0),
            round(float(avg), 2) if avg is not None else None,
        )
        for zip_code, category, searches, unmet_count, avg in rows
    ]
