"""The resource finder's pure parts: hours, ZIP codes, categories, page layout."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
import yaml

from bot.config import PROJECT_ROOT
from bot.directory import schedules
from bot.directory.categories import find_category, load_categories
from bot.directory.demo import day_spec
from bot.directory.places import nearest_la_zip, resolve_zip, zips_in_text
from bot.directory.present import Entry, build_page, entry_text, gsm_friendly, short_span
from bot.directory.search import Hit
from bot.i18n import Catalogs
from bot.segments import count_segments

TZ = "America/Los_Angeles"
# Tuesday 24 November 2026, 10:00 in Los Angeles (18:00 UTC).
TUESDAY_10AM = datetime(2026, 11, 24, 18, 0, tzinfo=UTC)
CATALOGS = Catalogs(PROJECT_ROOT / "locales")


# ---- hours ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1200", time(12)),
        ("830", time(8, 30)),
        ("0830", time(8, 30)),
        ("9", time(9)),
        ("9:30", time(9, 30)),
        ("5pm", time(17)),
        ("5 p.m.", time(17)),
        ("12pm", time(12)),
        ("12am", time(0)),
        ("17:45", time(17, 45)),
    ],
)
def test_times_are_read_in_the_ways_people_write_them(raw: str, expected: time):
    assert schedules.parse_time(raw) == expected


@pytest.mark.parametrize("raw", ["abc", "25:00", "9:75", "12345", ""])
def test_impossible_times_are_refused(raw: str):
    with pytest.raises(schedules.HoursError):
        schedules.parse_time(raw)


def test_template_hours_round_trip_through_text_and_the_index_code():
    text = "Mon-Fri 9:00-17:00; 2nd,4th Fri 3pm-5pm; last Sat 8:30-9:00; mar y jue 930-1200"
    rules = schedules.parse_hours(text)
    assert schedules.format_hours(rules) == (
        "Mon-Fri 09:00-17:00; 2nd,4th Fri 15:00-17:00; last Sat 08:30-09:00; Tue,Thu 09:30-12:00"
    )
    assert schedules.parse_hours(schedules.format_hours(rules)) == rules
    assert schedules.decode(schedules.encode(rules)) == rules


@pytest.mark.parametrize("text", ["Funday 9-5", "Mon", "Mon 9-", "2nd 9:00-10:00", "Mon 9-99"])
def test_unreadable_hours_say_what_is_wrong(text: str):
    with pytest.raises(schedules.HoursError):
        schedules.parse_hours(text)


def test_nth_and_last_weekday_of_the_month():
    second_friday = schedules.parse_hours("2nd Fri 12:00-17:00")[0]
    last_saturday = schedules.parse_hours("last Sat 8:30-9:00")[0]
    assert second_friday.occurs_on(date(2026, 11, 13))
    assert not second_friday.occurs_on(date(2026, 11, 6))
    assert not second_friday.occurs_on(date(2026, 11, 20))
    assert last_saturday.occurs_on(date(2026, 11, 28))
    assert not last_saturday.occurs_on(date(2026, 11, 21))


def test_open_now_and_today_hours_with_a_frozen_clock():
    rules = schedules.parse_hours("Tue 9:00-12:00; Fri 9:00-12:00")
    status = schedules.status(rules, TUESDAY_10AM, TZ)
    assert status.open_now
    assert status.today == ((time(9), time(12)),)
    later = schedules.status(rules, TUESDAY_10AM.replace(hour=21), TZ)  # 13:00 in LA
    assert not later.open_now
    assert later.next_opening == datetime(2026, 11, 27, 9, 0, tzinfo=later.next_opening.tzinfo)


def test_next_opening_of_a_monthly_schedule_crosses_into_next_month():
    rules = schedules.parse_hours("1st Mon 10:00-11:00")
    status = schedules.status(rules, TUESDAY_10AM, TZ)
    assert not status.open_now
    assert status.next_opening is not None
    assert status.next_opening.date() == date(2026, 12, 7)


def test_hours_past_midnight_stay_open_after_midnight():
    rules = schedules.parse_hours("Mon 20:00-02:00")
    one_am_tuesday = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)  # 01:00 in LA
    assert schedules.status(rules, one_am_tuesday, TZ).open_now


def test_no_schedule_is_unknown_not_closed():
    assert not schedules.status([], TUESDAY_10AM, TZ).known


def test_hsds_schedule_columns():
    rule = schedules.rule_from_hsds("MONTHLY", "2FR,-1SA", "09:00-08:00", "12:00", None, None)
    assert rule.days == ((2, 4), (-1, 5))
    assert (rule.opens, rule.closes) == (time(9), time(12))
    with pytest.raises(schedules.HoursError):
        schedules.rule_from_hsds("YEARLY", "MO", "09:00", "10:00")


@pytest.mark.parametrize(
    ("code", "spec"),
    [("Fri", (None, 4)), ("Fri2nd", (2, 4)), ("SatLast", (-1, 5)), ("Tues", (None, 1))],
)
def test_food_oasis_day_codes(code: str, spec: tuple):
    assert day_spec(code) == spec


# ---- ZIP codes and places -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "found", "malformed"),
    [
        ("comida 90057", ("90057",), ()),
        ("comida en 90006 por favor", ("90006",), ()),
        ("food 90057-1234", ("90057",), ()),
        ("90057 y 90026", ("90057", "90026"), ()),
        ("90057 90057", ("90057",), ()),
        ("9OO57", (), ("9OO57",)),
        ("food 9005", (), ("9005",)),
        ("900571234", (), ("900571234",)),
        ("comida", (), ()),
    ],
)
def test_zip_codes_anywhere_in_the_text(text: str, found: tuple, malformed: tuple):
    result = zips_in_text(text)
    assert result.found == found
    assert result.malformed == malformed


def test_zip_resolution_is_offline_and_knows_la_county():
    echo_park = resolve_zip("90026")
    assert echo_park is not None and echo_park.in_la
    assert abs(echo_park.latitude - 34.08) < 0.05
    new_york = resolve_zip("10001")
    assert new_york is not None and not new_york.in_la
    assert resolve_zip("99999") is None


def test_a_point_at_sea_is_far_from_every_la_zip():
    _, miles = nearest_la_zip(33.6, -119.2)  # the Pacific, west of Malibu
    assert miles > 10
    place, miles = nearest_la_zip(34.0622, -118.2763)
    assert miles < 1 and place.in_la


# ---- categories -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("comida 90057", "food"),
        ("FOOD", "food"),
        ("comdia", "food"),
        ("hosuing", "housing"),
        ("renta", "housing"),
        ("salud mental", "mental_health"),
        ("salud", "health"),
        ("cuidado de niños", "family"),
        ("1", "food"),
        ("7", "family"),
        ("hola", None),
        ("9", None),
        ("", None),
    ],
)
def test_categories_by_word_number_or_near_miss(text: str, code: str | None):
    assert find_category(text) == code


def test_every_category_trigger_starts_the_finder_flow():
    flow = yaml.safe_load((PROJECT_ROOT / "flows" / "find_help.yaml").read_text())
    for category in load_categories():
        for language, words in category.triggers.items():
            assert set(words) <= set(flow["triggers"][language]), category.code


def test_the_numbered_list_in_the_flow_follows_categories_yaml():
    flow = yaml.safe_load((PROJECT_ROOT / "flows" / "find_help.yaml").read_text())
    for language in ("en", "es"):
        text = flow["steps"]["ask_category"]["text"][language]
        for number, category in enumerate(load_categories(), start=1):
            assert f"{number}. {category.label[language]}" in text


# ---- pages ----------------------------------------------------------------------------


def _entry(
    n: int, name: str = "Iglesia de la Comunidad de Nuestra Señora", hours: str = ""
) -> Entry:
    return Entry(
        Hit(f"place-{n}", 0.4 * n),
        f"{name} {n}",
        "1234 W. Martin Luther King Jr. Boulevard, Los Ángeles",
        "(213) 555-0100",
        tuple(schedules.parse_hours(hours)),
        date(2017, 3, 1),
    )


def _gettext(language: str):  # type: ignore[no-untyped-def]
    return lambda message, **params: CATALOGS.gettext(language, message, **params)


@pytest.mark.parametrize("language", ["es", "en"])
def test_a_page_fits_three_segments_and_never_cuts_an_entry(language: str):
    entries = [_entry(n, hours="Tue 9:00-12:00") for n in range(1, 4)]
    page = build_page(
        "Comida cerca de 90057:",
        entries,
        lambda shown: True,
        TUESDAY_10AM,
        TZ,
        language,
        _gettext(language),
        sms=True,
    )
    assert count_segments(page.text).segments <= 3
    assert 1 <= len(page.shown) < 3  # long entries: fewer per page, never a partial one
    for entry in page.shown:
        assert entry.name in page.text and entry.address.replace("Á", "A") in page.text
    for entry in entries[len(page.shown) :]:
        assert entry.name not in page.text


def test_telegram_pages_keep_accents_and_three_entries():
    entries = [_entry(n, hours="Tue 9:00-12:00") for n in range(1, 5)]
    page = build_page(
        "Comida cerca de 90057:",
        entries,
        lambda shown: True,
        TUESDAY_10AM,
        TZ,
        "es",
        _gettext("es"),
        sms=False,
    )
    assert len(page.shown) == 3
    assert "Los Ángeles" in page.text and "Responde MÁS para ver más." in page.text


def test_short_entries_fill_a_page_of_three():
    entries = [_entry(n, name="Despensa") for n in range(1, 5)]
    page = build_page(
        "Comida cerca de 90057:",
        entries,
        lambda shown: True,
        TUESDAY_10AM,
        TZ,
        "es",
        _gettext("es"),
        sms=True,
    )
    assert len(page.shown) == 3
    assert "Llama para saber el horario" in page.text
    assert "Datos de 2017: llama antes de ir." in page.text
    assert "Responde MAS para ver mas." in page.text
    assert count_segments(page.text).encoding == "GSM-7"


def test_sms_text_is_kept_in_gsm7_without_losing_spanish_letters_it_has():
    assert gsm_friendly("Más información, Ñandú, ¿sí?") == "Mas informacion, Ñandu, ¿si?"


def test_distance_is_never_shown_as_zero():
    entry = _entry(1, name="Despensa")
    near = Entry(
        Hit("here", 0.01),
        *[getattr(entry, f) for f in ("name", "address", "phone", "rules", "verified")],
    )
    assert entry_text(1, near, TUESDAY_10AM, TZ, "en", _gettext("en")).startswith(
        "1. Despensa 1 (<0.1 mi)"
    )


def test_hours_are_written_short():
    assert short_span(time(12), time(17)) == "12-5pm"
    assert short_span(time(8, 30), time(9)) == "8:30-9am"
    assert short_span(time(9), time(17)) == "9am-5pm"
