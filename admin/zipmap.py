"""The needs map: LA County ZIP codes drawn as SVG on the server, with no tiles and no script.

The county's shape is every street-delivery ZIP of LA County as a faint dot at its centroid,
from the ``zipcodes`` data the resource finder already ships (so it works offline). Each ZIP
residents searched from is a bubble at its centroid: its area grows with the searches, its
colour says what share of them found nothing near. Colour is never the only carrier: every
bubble has a ``<title>`` with its numbers, and the page puts the same numbers in a table.

Colours and sizes are presentation attributes (``fill=``, ``r=``), which the admin's CSP
(``style-src 'self'``) allows, unlike inline ``style=``. Every text is escaped here.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from bot.directory.places import ZipPlace, la_county_zips, resolve_zip
from bot.directory.search import UnmetNeed

WIDTH = 640
PAD = 16  # around the plotted area, so edge bubbles are not cut
LEGEND_ROW = 20
R_MIN, R_MAX = 4.0, 24.0
OUTLINE_R = 2.2
LABELLED = 10  # the busiest ZIPs get their code written beside the bubble
# Share of searches that found nothing near -> band. Colour-blind-safe enough with the titles:
# green, amber, orange, red, from "everyone found a place" to "nobody did".
BAND_COLOURS = ("#3b8c4f", "#e3b23c", "#e0702d", "#b3261e")


@dataclass(frozen=True)
class ZipNeed:
    """Searches from one ZIP (every category chosen), and how many found nothing near."""

    zip_code: str
    searches: int
    unmet: int

    @property
    def share(self) -> float:
        return self.unmet / self.searches if self.searches else 0.0

    @property
    def band(self) -> int:
        """0 everyone found a place; 1 under half found nothing; 2 half or more; 3 nobody."""
        if self.unmet <= 0:
            return 0
        if self.unmet >= self.searches:
            return 3
        return 1 if self.share < 0.5 else 2


@dataclass(frozen=True)
class Bubble:
    need: ZipNeed
    place: ZipPlace
    x: float
    y: float
    r: float


@dataclass(frozen=True)
class NeedsMap:
    bubbles: tuple[Bubble, ...]  # largest first, so small ones are drawn on top
    outline: tuple[tuple[float, float], ...]
    off_map: tuple[ZipNeed, ...]  # no LA County centroid: shown in the tables only
    width: int
    height: int  # of the map, the legend below it excluded


@dataclass(frozen=True)
class MapWords:
    """What the map says, already translated by the caller."""

    title: str
    describe: Callable[[ZipNeed, str], str]  # (the ZIP's numbers, its city) -> a bubble's title
    bands: Sequence[str]  # one label per band, as ``ZipNeed.band`` numbers them
    size_note: str


def zip_totals(rows: Iterable[UnmetNeed]) -> list[ZipNeed]:
    """Per-ZIP sums of per-(ZIP, category) rows, busiest first; shared locations have no ZIP."""
    searches: dict[str, int] = {}
    unmet: dict[str, int] = {}
    for row in rows:
        if not row.zip_code:
            continue
        searches[row.zip_code] = searches.get(row.zip_code, 0) + row.searches
        unmet[row.zip_code] = unmet.get(row.zip_code, 0) + row.unmet
    needs = [ZipNeed(code, searches[code], unmet[code]) for code in searches]
    return sorted(needs, key=lambda n: (-n.searches, -n.unmet, n.zip_code))


def layout(
    needs: Sequence[ZipNeed],
    lookup: Callable[[str], ZipPlace | None] = resolve_zip,
    county: Sequence[ZipPlace] | None = None,
) -> NeedsMap:
    """Place each ZIP at its centroid on a frame that holds the whole county."""
    county = la_county_zips() if county is None else county
    streets = [p for p in county if p.zip_type == "STANDARD"] or list(county)
    placed: list[tuple[ZipNeed, ZipPlace]] = []
    off_map: list[ZipNeed] = []
    for need in needs:
        place = lookup(need.zip_code)
        if place is None or not place.in_la:
            off_map.append(need)
        else:
            placed.append((need, place))
    points = [(p.latitude, p.longitude) for p in streets] + [
        (p.latitude, p.longitude) for _, p in placed
    ]
    if not points:
        return NeedsMap((), (), tuple(off_map), WIDTH, 0)
    south, north = min(lat for lat, _ in points), max(lat for lat, _ in points)
    west, east = min(lon for _, lon in points), max(lon for _, lon in points)
    # Equirectangular, squeezed by cos(latitude) so a mile is a mile both ways at LA's latitude.
    squeeze = math.cos(math.radians((south + north) / 2))
    inner = WIDTH - 2 * (PAD + R_MAX)
    scale = inner / max((east - west) * squeeze, 1e-9)
    height = round((north - south) * scale + 2 * (PAD + R_MAX))

    def project(latitude: float, longitude: float) -> tuple[float, float]:
        x = PAD + R_MAX + (longitude - west) * squeeze * scale
        y = PAD + R_MAX + (north - latitude) * scale
        return round(x, 1), round(y, 1)

    peak = max((need.searches for need, _ in placed), default=1)
    bubbles = [
        Bubble(
            need,
            place,
            *project(place.latitude, place.longitude),
            r=round(R_MIN + (R_MAX - R_MIN) * math.sqrt(need.searches / peak), 1),
        )
        for need, place in placed
    ]
    bubbles.sort(key=lambda b: (-b.r, b.need.zip_code))
    outline = tuple(project(p.latitude, p.longitude) for p in streets)
    return NeedsMap(tuple(bubbles), outline, tuple(off_map), WIDTH, height)


def render(needs_map: NeedsMap, words: MapWords) -> Markup:
    """The map as one ``<svg>`` element with an accessible title and a legend."""
    total = needs_map.height + (len(words.bands) + 1) * LEGEND_ROW + 8
    parts = [
        f'<svg class="map" role="img" aria-labelledby="needs-map-title" '
        f'viewBox="0 0 {needs_map.width} {total}" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="needs-map-title">{escape(words.title)}</title>',
        f'<rect class="sea" x="0" y="0" width="{needs_map.width}" '
        f'height="{needs_map.height}" fill="#ffffff"/>',
        '<g class="county" fill="#b9b4a9">',
        *(f'<circle cx="{x}" cy="{y}" r="{OUTLINE_R}"/>' for x, y in needs_map.outline),
        "</g>",
        '<g class="zips" stroke="#2b2b2b" stroke-width="0.8" fill-opacity="0.82">',
    ]
    for bubble in needs_map.bubbles:
        need = bubble.need
        parts.append(
            f'<circle class="zip" data-zip="{escape(need.zip_code)}" cx="{bubble.x}" '
            f'cy="{bubble.y}" r="{bubble.r}" fill="{BAND_COLOURS[need.band]}">'
            f"<title>{escape(words.describe(need, bubble.place.city))}</title></circle>"
        )
    parts.append("</g>")
    busiest = sorted(needs_map.bubbles, key=lambda b: (-b.need.searches, b.need.zip_code))
    parts.append('<g class="labels" font-size="11" fill="#1d1d1f">')
    for bubble in busiest[:LABELLED]:
        parts.append(
            f'<text x="{round(bubble.x + bubble.r + 2, 1)}" y="{round(bubble.y + 4, 1)}">'
            f"{escape(bubble.need.zip_code)}</text>"
        )
    parts.append("</g>")
    parts.append(_legend(needs_map, words))
    parts.append("</svg>")
    return Markup("".join(parts))


def _legend(needs_map: NeedsMap, words: MapWords) -> str:
    """One row per colour (Spanish labels are long), then what the circles' size means."""
    parts = ['<g class="legend" font-size="12" fill="#1d1d1f">']
    for band, label in enumerate(words.bands):
        y = needs_map.height + 8 + band * LEGEND_ROW
        parts.append(
            f'<circle cx="{PAD + 6}" cy="{y + 6}" r="6" stroke="#2b2b2b" stroke-width="0.8" '
            f'fill="{BAND_COLOURS[band]}"/><text x="{PAD + 18}" y="{y + 10}">{escape(label)}</text>'
        )
    y = needs_map.height + 8 + len(words.bands) * LEGEND_ROW
    parts.append(f'<text x="{PAD}" y="{y + 10}">{escape(words.size_note)}</text></g>')
    return "".join(parts)
