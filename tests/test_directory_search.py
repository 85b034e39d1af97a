"""Searching the directory: nearest first through the bounding-box prefilter, open now,
unmet needs, referrals, and the finder through the real conversation service."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from bot.channels import sms
from bot.conversations import Envelope
from bot.directory.demo import load_demo
from bot.directory.importer import FLAT_COLUMNS, import_path
from bot.directory.models import Referral, ResourceSearch
from bot.directory.search import count_within, nearest, record_search, unmet_needs
from bot.engine import Inbound, Location
from bot.models import Contact, ConversationState
from bot.segments import count_segments
from tests.conftest import START

ECHO_PARK = (34.0766, -118.2646)  # ZIP 90026's centroid


def places_csv(tmp_path: Path, places: list[tuple[str, float, float, str]]) -> Path:
    lines = [",".join(FLAT_COLUMNS)]
    for key, lat, lon, hours in places:
        row = {"id": key, "name": key, "category": "food", "latitude": str(lat),
               "longitude": str(lon), "hours": hours}  # fmt: skip
        lines.append(",".join(row.get(column, "") for column in FLAT_COLUMNS))
    path = tmp_path / "places.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_nearest_first_including_places_beyond_the_first_box(vecino, tmp_path: Path):
    lat, lon = ECHO_PARK
    # 0.1, 1.5, 2.9 and 7 miles north; the first box is 1 mile, so the search must widen.
    offsets = {"a": 0.1, "b": 1.5, "c": 2.9, "d": 7.0, "far": 12.0}
    places = [(key, lat + miles / 69.09, lon, "") for key, miles in offsets.items()]
    with vecino.db.transaction() as session:
        import_path(session, places_csv(tmp_path, places))
        hits = nearest(session, "food", lat, lon, limit=10)
        assert [hit.service_at_location_id for hit in hits] == ["a", "b", "c", "d"]
        assert [round(hit.miles) for hit in hits] == [0, 2, 3, 7]
        assert nearest(session, "housing", lat, lon) == []
        counts, nearest_miles = count_within(session, "food", lat, lon)
        assert counts == {1.0: 1, 3.0: 3, 10.0: 4}
        assert nearest_miles is not None and nearest_miles < 0.2


def test_open_now_filter_uses_schedules_in_los_angeles_time(vecino, tmp_path: Path):
    lat, lon = ECHO_PARK
    places = [
        ("closed-tuesday", lat + 0.001, lon, "Wed 9:00-12:00"),
        ("no-hours", lat + 0.002, lon, ""),
        ("open-tuesday", lat + 0.003, lon, "Tue 9:00-12:00"),
        ("second-tuesday", lat + 0.004, lon, "2nd Tue 9:00-12:00"),
        ("fourth-tuesday", lat + 0.005, lon, "4th Tue 9:00-12:00"),
    ]
    with vecino.db.transaction() as session:
        import_path(session, places_csv(tmp_path, places))
        # START is Tuesday 24 November 2026 (the 4th Tuesday), 10:00 in Los Angeles.
        open_now = nearest(session, "food", lat, lon, limit=3, open_at=START)
        assert [hit.service_at_location_id for hit in open_now] == [
            "open-tuesday",
            "fourth-tuesday",
        ]
        evening = nearest(session, "food", lat, lon, limit=3, open_at=START + timedelta(hours=8))
        assert evening == []


def test_search_records_unmet_need_without_message_text(vecino, tmp_path: Path):
    lat, lon = ECHO_PARK
    with vecino.db.transaction() as session:
        import_path(session, places_csv(tmp_path, [("near", lat + 0.01, lon, "")]))
        for _ in range(2):
            record_search(session, category="food", zip_code="90026", via="zip", latitude=lat,
                          longitude=lon, contact_id=None, now=START)  # fmt: skip
        far_lat, far_lon = 34.7, -118.1
        for _ in range(3):
            record_search(session, category="food", zip_code="93535", via="zip",
                          latitude=far_lat, longitude=far_lon, contact_id=None,
                          now=START)  # fmt: skip
        record_search(session, category="housing", zip_code="90026", via="zip", latitude=lat,
                      longitude=lon, contact_id=None, now=START)  # fmt: skip
        needs = unmet_needs(session, since=START - timedelta(days=1))
        assert [(n.zip_code, n.category, n.searches, n.unmet) for n in needs] == [
            ("93535", "food", 3, 3),
            ("90026", "housing", 1, 1),
            ("90026", "food", 2, 0),
        ]
        assert unmet_needs(session, since=START + timedelta(days=1)) == []
        columns = set(ResourceSearch.__table__.columns.keys())
        assert not {"text", "body", "message"} & columns


def receive(vecino, text: str = "", channel: str = "sms", address: str = "+12135550123",
            location: Location | None = None) -> str:  # fmt: skip
    delivery = vecino.conversations.receive(
        Envelope(channel, address, Inbound(text=text, location=location))
    )
    return "\n\n".join(sms.render(delivery.replies))


def test_results_shown_are_stored_as_referrals_and_pages_fit_sms(vecino):
    with vecino.db.transaction() as session:
        load_demo(session)
    first = receive(vecino, "comida 90057")
    more = receive(vecino, "más")
    for page in (first, more):
        assert count_segments(page).segments <= 3
    with vecino.db.transaction() as session:
        contact = session.scalars(select(Contact)).one()
        assert contact.language == "es" and contact.zip_code == "90057"
        referrals = list(session.scalars(select(Referral).order_by(Referral.rank)))
        assert [r.rank for r in referrals] == list(range(1, len(referrals) + 1))
        assert len(referrals) >= 4
        assert all(r.contact_id == contact.id for r in referrals)
        assert all(r.resource_name in first + more for r in referrals)
        distances = [r.distance_miles for r in referrals]
        assert distances == sorted(distances)
        search = session.scalars(select(ResourceSearch)).one()
        assert (search.category, search.zip_code, search.shown) == ("food", "90057", len(referrals))


def test_a_shared_telegram_location_searches_there_and_is_not_kept(vecino):
    with vecino.db.transaction() as session:
        load_demo(session)
    asked = receive(vecino, "food", channel="telegram", address="555001")
    assert "ZIP code" in asked
    lat, lon = 34.0735, -118.2614  # Echo Park Lake
    reply = receive(vecino, channel="telegram", address="555001", location=Location(lat, lon))
    assert reply.startswith("Food near you:")
    # Nearest to the shared point, not to 90026's centre (where Echo Park United Methodist
    # comes first).
    assert "1. St. Athanasius & St. Paul Church (0.1 mi)" in reply
    with vecino.db.transaction() as session:
        state = session.scalars(select(ConversationState)).one()
        assert str(lat) not in str(state.data) and str(lon) not in str(state.data)
        search = session.scalars(select(ResourceSearch)).one()
        assert search.via == "location" and search.zip_code == "90026"


def test_a_location_at_sea_gets_a_clear_answer(vecino):
    with vecino.db.transaction() as session:
        load_demo(session)
    receive(vecino, "food", channel="telegram", address="555002")
    reply = receive(vecino, channel="telegram", address="555002", location=Location(33.6, -119.2))
    assert reply.startswith("That location is outside LA County")
    assert "2-1-1" in reply


def test_find_help_shows_in_the_menu_once_the_directory_has_places(vecino):
    receive(vecino, "hola")
    menu = receive(vecino, "2")
    assert "Find help nearby" not in menu
    with vecino.db.transaction() as session:
        load_demo(session)
    menu = receive(vecino, "menu")
    assert "1. Find help nearby" in menu
    assert "What do you need?" in receive(vecino, "1")


def test_the_twilio_webhook_answers_comida_90057_with_places(vecino, twilio):  # type: ignore[no-untyped-def]
    with vecino.db.transaction() as session:
        load_demo(session)
    response = twilio.post("comida 90057")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "<Message>Comida cerca de 90057:" in body
    assert "1. Los Angeles Housing Partnership (0.4 mi)" in body
    for odd in ("9OO57", "90057 90026 90011", "comida 00000", "", "🙂 comida"):
        assert twilio.post(odd).status_code == 200
