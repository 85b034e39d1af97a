"""The needs page's map of LA County ZIP codes: server-drawn SVG, escaped, in both languages."""

from __future__ import annotations

import re

from admin import zipmap
from bot.directory.places import ZipPlace, la_county_zips, resolve_zip
from bot.directory.search import UnmetNeed


def _text(response) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def _bubble(svg: str, zip_code: str) -> str:
    match = re.search(rf'<circle class="zip" data-zip="{zip_code}"[^>]*>.*?</circle>', svg)
    assert match, f"no bubble for {zip_code}"
    return match.group(0)


def test_zip_totals_add_up_the_categories_and_leave_shared_locations_out() -> None:
    rows = [
        UnmetNeed("90057", "food", 3, 1, 0.4),
        UnmetNeed("90057", "housing", 2, 2, 4.0),
        UnmetNeed("93534", "food", 1, 1, 12.0),
        UnmetNeed(None, "food", 4, 0, 0.2),  # a shared location: no ZIP to draw
    ]
    assert zipmap.zip_totals(rows) == [
        zipmap.ZipNeed("90057", 5, 3),
        zipmap.ZipNeed("93534", 1, 1),
    ]


def test_the_colour_band_says_what_share_found_nothing_near() -> None:
    bands = [zipmap.ZipNeed("90001", 10, unmet).band for unmet in (0, 4, 5, 9, 10)]
    assert bands == [0, 1, 2, 2, 3]


def test_bubbles_sit_inside_the_county_frame_and_grow_with_searches() -> None:
    needs = [zipmap.ZipNeed("90057", 16, 0), zipmap.ZipNeed("93534", 1, 1)]
    needs_map = zipmap.layout(needs)
    big, small = needs_map.bubbles  # largest first, so the small one is drawn on top
    assert (big.need.zip_code, small.need.zip_code) == ("90057", "93534")
    assert (big.r, small.r) == (zipmap.R_MAX, zipmap.R_MIN + (zipmap.R_MAX - zipmap.R_MIN) / 4)
    assert small.y < big.y  # Lancaster is north of Westlake: higher on the map
    for bubble in needs_map.bubbles:
        assert 0 < bubble.x < needs_map.width and 0 < bubble.y < needs_map.height
    streets = [p for p in la_county_zips() if p.zip_type == "STANDARD"]
    assert len(needs_map.outline) == len(streets) > 250


def test_zip_codes_outside_la_county_stay_off_the_map() -> None:
    needs = [zipmap.ZipNeed("10001", 2, 2), zipmap.ZipNeed("00000", 1, 1)]
    assert resolve_zip("10001") is not None and not resolve_zip("10001").in_la
    needs_map = zipmap.layout(needs)
    assert needs_map.bubbles == ()
    assert [n.zip_code for n in needs_map.off_map] == ["10001", "00000"]


def test_everything_the_map_writes_is_escaped() -> None:
    hostile = '<script>alert("x")</script>'
    place = ZipPlace("90057", 34.0622, -118.275, hostile, True)
    needs = [zipmap.ZipNeed("90057", 1, 0)]
    words = zipmap.MapWords(
        title=f"Map {hostile}",
        describe=lambda need, city: f"{need.zip_code} {city}",
        bands=(hostile, "b", "c", "d"),
        size_note=hostile,
    )
    svg = str(zipmap.render(zipmap.layout(needs, lookup=lambda _: place), words))
    assert "<script" not in svg
    assert svg.count("&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;") == 4
    assert " style=" not in svg  # the CSP allows presentation attributes, not inline styles


def test_needs_page_draws_each_searched_zip_with_its_numbers(organizer, twilio):  # type: ignore[no-untyped-def]
    twilio.post("food 90057", sender="+13235550711")
    twilio.post("comida 90057", sender="+13235550712")
    twilio.post("food 93534", sender="+13235550713")  # Lancaster: nothing within 3 mi
    text = _text(organizer.client.get("/admin/needs"))
    svg = text.split('<svg class="map"')[1].split("</svg>")[0]
    assert '<title id="needs-map-title">Resource searches by LA County ZIP code</title>' in svg
    westlake, lancaster = _bubble(svg, "90057"), _bubble(svg, "93534")
    assert (
        "<title>90057 (Los Angeles): 2 search(es), 0 found nothing within 3 mi (0.0%)</title>"
        in westlake
    )
    assert f'fill="{zipmap.BAND_COLOURS[0]}"' in westlake
    assert (
        "<title>93534 (Lancaster): 1 search(es), 1 found nothing within 3 mi (100.0%)</title>"
        in lancaster
    )
    assert f'fill="{zipmap.BAND_COLOURS[3]}"' in lancaster
    assert svg.count('<circle class="zip"') == 2
    assert "Nobody found a place within 3 mi" in svg
    assert "A bigger circle means more searches (the biggest: 2)." in svg
    table = text.split('<table class="zip-totals">')[1].split("</table>")[0]
    assert re.sub(r"\s+", " ", table).count("<tr>") == 3  # the header and two ZIP codes
    assert (
        '<td>93534</td><td>Lancaster</td><td class="num">1</td><td class="num">1</td>'
        '<td class="num">100.0%</td>'
    ) in table
    # Ten miles: Lancaster still finds nothing, so the colour stays.
    wide = _text(organizer.client.get("/admin/needs?radius=10"))
    assert "1 found nothing within 10 mi (100.0%)" in wide


def test_needs_map_in_spanish(organizer, twilio):  # type: ignore[no-untyped-def]
    twilio.post("food 93534", sender="+13235550721")
    organizer.post("/admin/language", {"language": "es", "next": "/admin/needs"})
    text = _text(organizer.client.get("/admin/needs"))
    assert "Búsquedas de recursos por código postal del condado de Los Ángeles" in text
    assert "93534 (Lancaster): 1 búsqueda(s), 1 sin nada a menos de 3 mi (100.0%)" in text  # es_US
    assert "Nadie encontró un lugar a menos de 3 mi" in text


def test_no_map_without_searches(organizer):  # type: ignore[no-untyped-def]
    text = _text(organizer.client.get("/admin/needs"))
    assert '<svg class="map"' not in text
    assert "No searches from a ZIP code in this period." in text
