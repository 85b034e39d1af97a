"""Where a resident is: ZIP codes and shared locations, resolved offline.

ZIP centroids come from the ``zipcodes`` package (its data ships inside the wheel; no network).
"Los Angeles area" means a ZIP whose ``county`` is "Los Angeles County" in that data, which
is how the county itself assigns ZIPs to residents. A shared location counts as LA when an
LA County ZIP centroid lies within ``LA_AREA_MILES`` of it (so a point at sea off Santa Monica,
or in Orange County, is told plainly that it is outside our area).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache

import zipcodes

LA_COUNTY = "Los Angeles County"
LA_AREA_MILES = 5.0
EARTH_RADIUS_MILES = 3958.8
# A 5-digit ZIP (ZIP+4 allowed), not part of a longer number: "90057", "90057-1234".
ZIP_PATTERN = re.compile(r"(?<![\w-])(\d{5})(?:-\d{4})?(?![\w-])")
# Something meant as a ZIP but malformed: 4 or 6-9 digits, or digits mixed with letter O/o.
ZIPISH_PATTERN = re.compile(r"(?<![\w-])(?=[\dOo]*\d[\dOo]*\d)[\dOo]{4,9}(?![\w-])")


@dataclass(frozen=True)
class ZipPlace:
    zip_code: str
    latitude: float
    longitude: float
    city: str
    in_la: bool
    zip_type: str = "STANDARD"  # or "PO BOX", or "UNIQUE" (one building or institution)


@dataclass(frozen=True)
class ZipsInText:
    """What a message says about ZIP codes."""

    found: tuple[str, ...] = ()  # distinct well-formed ZIPs, in order
    malformed: tuple[str, ...] = ()  # tokens that look like a mistyped ZIP


def zips_in_text(text: str) -> ZipsInText:
    found = tuple(dict.fromkeys(ZIP_PATTERN.findall(text)))
    malformed = tuple(
        token for token in ZIPISH_PATTERN.findall(text) if not (len(token) == 5 and token.isdigit())
    )
    return ZipsInText(found, malformed)


@cache
def _all_zips() -> dict[str, ZipPlace]:
    places = {}
    for record in zipcodes.list_all():
        try:
            latitude, longitude = float(record["lat"]), float(record["long"])
        except (TypeError, ValueError):
            continue
        in_la = record.get("state") == "CA" and record.get("county") == LA_COUNTY
        places[record["zip_code"]] = ZipPlace(
            record["zip_code"],
            latitude,
            longitude,
            record.get("city") or "",
            in_la,
            record.get("zip_code_type") or "STANDARD",
        )
    return places


@cache
def _la_zips() -> tuple[ZipPlace, ...]:
    return tuple(place for place in _all_zips().values() if place.in_la)


def la_county_zips() -> tuple[ZipPlace, ...]:
    """Every LA County ZIP with a centroid (the admin needs map draws the county from these)."""
    return _la_zips()


def resolve_zip(zip_code: str) -> ZipPlace | None:
    """The ZIP's centroid, or None when no such ZIP exists."""
    return _all_zips().get(zip_code)


def nearest_la_zip(latitude: float, longitude: float) -> tuple[ZipPlace, float]:
    """The LA County ZIP whose centroid is nearest a point, and how far it is in miles."""
    return min(
        (
            (place, miles_between(latitude, longitude, place.latitude, place.longitude))
            for place in _la_zips()
        ),
        key=lambda pair: pair[1],
    )


def valid_point(latitude: float, longitude: float) -> bool:
    return (
        math.isfinite(latitude)
        and math.isfinite(longitude)
        and -90 <= latitude <= 90
        and -180 <= longitude <= 180
    )


def miles_between(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(min(1.0, math.sqrt(a)))
