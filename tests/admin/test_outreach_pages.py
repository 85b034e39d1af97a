"""Events, broadcasts, votes and public comment in the admin view, over the domain the CLI
uses (``bot/outreach``). SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from admin.models import AuditEntry
from admin.outreach_forms import supports
from bot.cli import main
from bot.conversations import lock_contact
from bot.models import OutboxMessage
from bot.outreach import broadcasts, comments, sending, store, votes
from bot.outreach.models import Broadcast, OutreachEvent

from ..conftest import START

TOWN_HALL = {
    "kind": "town_hall",
    "title_es": "Asamblea: comida y vivienda",
    "title_en": "Town hall: food and housing",
    "starts": "2026-12-01T18:00",
    "ends": "",
    "place": "Central Library, 630 W 5th St",
    "link": "https://meet.example.org/th",
    "capacity": "",
    "remind": "1440, 120",
    "sms_details_es": "Habrá cuidado de niños.",
    "sms_details_en": "Child care provided.",
}
PEOPLE = (  # channel, address, language, zip
    ("sms", "+12135550101", "es", "90057"),
    ("sms", "+12135550102", "es", "90026"),
    ("telegram", "5550103", "es", None),
    ("sms", "+12135550104", "en", "90057"),
    ("sms", "+12135550105", None, None),
)


def _text(response) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.get_data(as_text=True)[:800]
    return response.get_data(as_text=True)


def people(vecino) -> list[int]:  # type: ignore[no-untyped-def]
    ids = []
    with vecino.db.transaction() as session:
        for channel, address, language, zip_code in PEOPLE:
            contact = lock_contact(session, channel, address, START)
            contact.language, contact.zip_code = language, zip_code
            ids.append(contact.id)
    return ids


def create_event(staff, **changes: str) -> int:  # type: ignore[no-untyped-def]
    response = staff.post("/admin/events/new", {**TOWN_HALL, **changes})
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    return int(response.headers["Location"].rsplit("/", 1)[1])


def audit_actions(vecino) -> list[str]:  # type: ignore[no-untyped-def]
    with vecino.db.transaction() as session:
        return list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def outbox_count(vecino, reason: str | None = None) -> int:  # type: ignore[no-untyped-def]
    query = select(func.count()).select_from(OutboxMessage)
    if reason:
        query = query.where(OutboxMessage.reason == reason)
    with vecino.db.transaction() as session:
        return session.scalar(query) or 0


# ---- events -----------------------------------------------------------------------------------


def test_an_organizer_creates_and_edits_an_event_in_the_org_time_zone(organizer, vecino):  # type: ignore[no-untyped-def]
    assert "Create the event" in _text(organizer.client.get("/admin/events/new"))
    event_id = create_event(organizer)
    with vecino.db.transaction() as session:
        event = store.get(session, event_id)
        assert event.starts_at == START.replace(month=12, day=2, hour=2)  # 18:00 in Los Angeles
        assert event.ends_at - event.starts_at == timedelta(minutes=90)
        assert (event.remind_minutes, event.sequence) == ([1440, 120], 0)
        assert event.sms_details_es == "Habrá cuidado de niños."
    listing = _text(organizer.client.get("/admin/events"))
    assert "Town hall: food and housing" in listing and "Asamblea: comida y vivienda" in listing
    page = _text(organizer.client.get(f"/admin/events/{event_id}"))
    with vecino.db.transaction() as session:
        token = store.get(session, event_id).token
    assert f"/events/{token}.ics" in page
    form = _text(organizer.client.get(f"/admin/events/{event_id}/edit"))
    assert 'value="2026-12-01T18:00"' in form  # shown back in the organization's time zone

    # A new title and a capacity: residents are not told; the place: they are (SEQUENCE).
    edited = organizer.post(
        f"/admin/events/{event_id}/edit",
        {**TOWN_HALL, "title_en": "Town hall: food, housing", "capacity": "40"},
    )
    assert edited.status_code == 302
    with vecino.db.transaction() as session:
        event = store.get(session, event_id)
        assert (event.title_en, event.capacity, event.sequence) == ("Town hall: food, housing",
                                                                    40, 0)  # fmt: skip
    organizer.post(
        f"/admin/events/{event_id}/edit", {**TOWN_HALL, "capacity": "40", "place": "City Hall"}
    )
    with vecino.db.transaction() as session:
        assert store.get(session, event_id).sequence == 1
    unchanged = organizer.post(
        f"/admin/events/{event_id}/edit", {**TOWN_HALL, "capacity": "40", "place": "City Hall"}
    )
    assert unchanged.status_code == 302
    assert audit_actions(vecino)[-3:] == ["event.create", "event.edit", "event.edit"]


def test_a_bigger_room_moves_the_waitlist_up_and_tells_them(organizer, vecino):  # type: ignore[no-untyped-def]
    event_id = create_event(organizer, capacity="1")
    ana, ben, *_ = people(vecino)
    with vecino.db.transaction() as session:
        event = store.get(session, event_id)
        store.answer(session, event, ana, "yes", "text", START)
        assert store.answer(session, event, ben, "yes", "text", START).status == "waitlist"
    organizer.post(f"/admin/events/{event_id}/edit", {**TOWN_HALL, "capacity": "2"})
    with vecino.db.transaction() as session:
        assert store.counts(session, event_id)["yes"] == 2
    assert outbox_count(vecino, "event_promoted") == 1


def test_an_event_without_a_spanish_title_is_refused_with_a_clear_message(organizer, vecino):  # type: ignore[no-untyped-def]
    refused = organizer.post("/admin/events/new", {**TOWN_HALL, "title_es": "  "})
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert "The Spanish title is required" in page
    assert 'value="Town hall: food and housing"' in page  # what was typed is kept
    organizer.post("/admin/language", {"language": "es", "next": "/admin/events/new"})
    refused = organizer.post("/admin/events/new", {**TOWN_HALL, "title_es": ""})
    assert "El título en español es obligatorio" in refused.get_data(as_text=True)
    for changes, reason in (
        ({"starts": "2026-11-01T18:00"}, "El evento debe empezar en el futuro."),
        ({"place": "", "link": ""}, "Indica un lugar"),
        ({"ends": "2026-12-01T17:00"}, "El evento debe terminar después de empezar."),
        ({"capacity": "diez"}, "debe ser un número entero"),
        ({"remind": "mañana"}, "Los recordatorios son minutos"),
        ({"starts": "pronto"}, "no es una fecha y hora"),
    ):
        response = organizer.post("/admin/events/new", {**TOWN_HALL, **changes})
        assert response.status_code == 400 and reason in response.get_data(as_text=True)
    with vecino.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(OutreachEvent)) == 0


def test_cancelling_tells_those_who_said_yes_once_through_the_outbox(organizer, vecino, clock):  # type: ignore[no-untyped-def]
    event_id = create_event(organizer)
    ana, ben, cam, dan, _ = people(vecino)
    with vecino.db.transaction() as session:
        event = store.get(session, event_id)
        for contact_id, answer in ((ana, "yes"), (ben, "yes"), (cam, "no"), (dan, "maybe")):
            store.answer(session, event, contact_id, answer, "text", START)
    clock.advance(hours=1)
    page = _text(organizer.client.get(f"/admin/events/{event_id}/cancel"))
    assert "2 resident(s) said yes" in page
    done = organizer.post(f"/admin/events/{event_id}/cancel")
    assert done.status_code == 302
    assert "Event cancelled." in _text(organizer.client.get(done.headers["Location"]))
    again = organizer.post(f"/admin/events/{event_id}/cancel", follow_redirects=True)
    assert "already cancelled; nobody is told twice" in again.get_data(as_text=True)
    for _run in range(2):  # the worker's event scan, however often it runs
        with vecino.db.transaction() as session:
            sending.scan(session, clock())
    with vecino.db.transaction() as session:
        notices = session.scalars(
            select(OutboxMessage).where(OutboxMessage.reason == "event_notice")
        ).all()
        assert sorted(row.contact_id for row in notices) == [ana, ben]
        assert all(row.params["kind"] == "cancelled" for row in notices)
    assert audit_actions(vecino).count("event.cancel") == 1
    assert organizer.client.get(f"/admin/events/{event_id}/edit").status_code == 409


def test_the_rsvp_list_is_masked_and_attendance_is_marked_by_checkbox(organizer, vecino):  # type: ignore[no-untyped-def]
    event_id = create_event(organizer)
    ana, ben, *_ = people(vecino)
    with vecino.db.transaction() as session:
        event = store.get(session, event_id)
        store.answer(session, event, ana, "yes", "text", START)
        store.invite(session, event, ben, START)
    page = _text(organizer.client.get(f"/admin/events/{event_id}"))
    assert "+1******0101" in page and "+12135550101" not in page
    assert 'id="count-yes">1<' in page and 'id="count-invited">1<' in page
    forged = organizer.post(f"/admin/events/{event_id}/attendance", {"present": "99999"})
    assert forged.status_code == 400
    marked = organizer.post(
        f"/admin/events/{event_id}/attendance", {"present": str(ana)}, follow_redirects=True
    )
    assert "1 marked present." in marked.get_data(as_text=True)
    twice = organizer.post(
        f"/admin/events/{event_id}/attendance", {"present": str(ana)}, follow_redirects=True
    )
    assert "0 marked present." in twice.get_data(as_text=True)
    with vecino.db.transaction() as session:
        attended = [r.contact_id for r in store.rsvps(session, event_id) if r.attended_at]
    assert attended == [ana]
    assert audit_actions(vecino).count("event.attendance") == 1


def test_html_in_event_titles_is_escaped(organizer, vecino):  # type: ignore[no-untyped-def]
    evil = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    event_id = create_event(organizer, title_es=evil, title_en=evil)
    for path in ("/admin/events", f"/admin/events/{event_id}", "/admin/broadcasts/new"):
        page = _text(organizer.client.get(path))
        assert evil not in page and escape(evil) in page, path


# ---- broadcasts -------------------------------------------------------------------------------

TEXT = {
    "content": "text",
    "text_es": "Feria de comida el sábado a las 10 en el parque.",
    "text_en": "Food fair Saturday at 10 in the park.",
    "when": "now",
}


def preview(staff, **form):  # type: ignore[no-untyped-def]
    return staff.post("/admin/broadcasts/preview", {**TEXT, **form})


def signed_draft(html: str) -> str:
    match = re.search(r'name="draft" value="([^"]+)"', html)
    assert match, "no confirmation form"
    return match.group(1)


def test_the_preview_matches_the_domain_and_queues_nothing(organizer, vecino):  # type: ignore[no-untyped-def]
    people(vecino)
    page = _text(preview(organizer, lang="es"))
    draft = Broadcast(
        text_en=TEXT["text_en"], text_es=TEXT["text_es"], filters=["lang=es"], send_at=START
    )
    with vecino.db.transaction() as session:
        domain = broadcasts.preview(session, vecino.engine, vecino.settings, draft, START)
        session.rollback()
    assert domain.recipients == 3
    assert f'<span class="big" id="recipients">{domain.recipients}</span>' in page
    assert f'<span class="big" id="total-segments">{domain.total_segments}</span>' in page
    assert re.search(r'id="rcpt-es-sms">.*?<td class="num">2</td>', page)
    assert re.search(r'id="rcpt-es-telegram">.*?<td class="num">1</td>', page)
    assert re.search(
        rf'id="seg-es">.*?<td class="num">{domain.segments["es"]}</td>'
        rf'<td class="num">2</td>', page
    )  # fmt: skip
    assert f'id="first-es">{escape(domain.first_message["es"])}</pre>' in page
    assert 'id="first-en"' not in page
    assert outbox_count(vecino) == 0
    with vecino.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Broadcast)) == 0
    assert "broadcast.send" not in audit_actions(vecino)


def test_confirming_queues_exactly_once_even_when_sent_twice(organizer, vecino):  # type: ignore[no-untyped-def]
    people(vecino)
    signed = signed_draft(_text(preview(organizer, lang="es", channel="sms")))
    first = organizer.post("/admin/broadcasts/confirm", {"draft": signed})
    assert first.status_code == 302
    second = organizer.post("/admin/broadcasts/confirm", {"draft": signed}, follow_redirects=True)
    assert "already confirmed; it was not queued twice" in second.get_data(as_text=True)
    assert outbox_count(vecino, "broadcast") == 2
    with vecino.db.transaction() as session:
        [sent] = session.scalars(select(Broadcast)).all()
        assert (sent.filters, sent.recipients, sent.send_at) == (["lang=es", "channel=sms"], 2,
                                                                 START)  # fmt: skip
    page = _text(organizer.client.get(first.headers["Location"]))
    assert 'id="progress-queued">2<' in page and 'id="progress-sent">0<' in page
    listing = _text(organizer.client.get("/admin/broadcasts"))
    assert "Feria de comida" not in listing and "Food fair Saturday" in listing  # English UI
    assert audit_actions(vecino).count("broadcast.send") == 1


def test_a_changed_confirmation_is_refused(organizer, vecino):  # type: ignore[no-untyped-def]
    people(vecino)
    signed = signed_draft(_text(preview(organizer, lang="es")))
    forged = organizer.post("/admin/broadcasts/confirm", {"draft": signed[:-3] + "abc"})
    assert forged.status_code == 400
    assert "changed after the preview" in forged.get_data(as_text=True)
    assert outbox_count(vecino) == 0


def test_a_time_in_the_past_is_refused_with_the_reason(organizer, vecino, clock):  # type: ignore[no-untyped-def]
    people(vecino)
    past = preview(organizer, when="at", send_at="2026-11-24T09:00")  # an hour ago, local
    assert past.status_code == 400
    assert "That time has already passed (it is now 2026-11-24 10:00)" in past.get_data(
        as_text=True
    )
    # Previewed for 10:30, confirmed at 11:00: refused then too, nothing queued.
    signed = signed_draft(_text(preview(organizer, when="at", send_at="2026-11-24T10:30")))
    clock.advance(hours=1)
    late = organizer.post("/admin/broadcasts/confirm", {"draft": signed})
    assert late.status_code == 400 and "already passed" in late.get_data(as_text=True)
    assert outbox_count(vecino) == 0


def test_an_empty_audience_is_refused_with_the_reason(organizer, vecino):  # type: ignore[no-untyped-def]
    people(vecino)
    empty = preview(organizer, zip="99999")
    assert empty.status_code == 400
    page = empty.get_data(as_text=True)
    assert "Nobody matches this audience" in page
    assert 'value="99999"' in page  # the form comes back as it was
    bad_zip = preview(organizer, zip="9005")
    assert bad_zip.status_code == 400 and "A ZIP code has 5 digits" in bad_zip.get_data(
        as_text=True
    )
    one_language = preview(organizer, text_en="")
    assert one_language.status_code == 400
    assert outbox_count(vecino) == 0


def test_a_scheduled_broadcast_is_cancelled_while_queued(organizer, vecino):  # type: ignore[no-untyped-def]
    people(vecino)
    signed = signed_draft(_text(preview(organizer, when="at", send_at="2026-11-25T10:00")))
    done = organizer.post("/admin/broadcasts/confirm", {"draft": signed})
    broadcast_path = done.headers["Location"]
    assert 'id="progress-queued">5<' in _text(organizer.client.get(broadcast_path))
    cancelled = organizer.post(broadcast_path + "/cancel", follow_redirects=True)
    assert "5 message(s) will not be sent" in cancelled.get_data(as_text=True)
    page = _text(organizer.client.get(broadcast_path))
    assert 'id="progress-queued">0<' in page and 'id="progress-suppressed">5<' in page
    assert organizer.post(broadcast_path + "/cancel").status_code == 409
    assert audit_actions(vecino).count("broadcast.cancel") == 1


def test_an_invitation_to_spanish_speakers_in_the_spanish_ui(organizer, vecino):  # type: ignore[no-untyped-def]
    event_id = create_event(organizer)
    people(vecino)
    organizer.post("/admin/language", {"language": "es", "next": "/admin/broadcasts/new"})
    composer = _text(organizer.client.get(f"/admin/broadcasts/new?event={event_id}"))
    assert f'<option value="{event_id}" selected>' in composer
    page = _text(preview(organizer, content="event", event_id=str(event_id), lang="es", text_es=""))
    assert "Vista previa: todavía no se ha enviado nada" in page
    first = page.split('id="first-es">')[1].split("</pre>")[0]
    assert "Asamblea: comida y vivienda" in first and "Habrá cuidado de niños." in first
    organizer.post("/admin/broadcasts/confirm", {"draft": signed_draft(page)})
    assert outbox_count(vecino, "broadcast") == 3
    with vecino.db.transaction() as session:
        assert set(session.scalars(select(OutboxMessage.flow_id))) == {"event_invitation"}


def test_the_tag_filter_is_offered_only_when_the_domain_has_it(organizer):  # type: ignore[no-untyped-def]
    page = _text(organizer.client.get("/admin/broadcasts/new"))
    assert ('name="tag"' in page) == supports("tag")
    assert supports("lang") and supports("rsvp:1") and not supports("favourite_colour")
    if not supports("tag"):
        refused = preview(organizer, tag="partner")
        assert refused.status_code == 400
        assert "Contact tags are not available yet." in refused.get_data(as_text=True)


# ---- votes and comments -----------------------------------------------------------------------


def test_a_vote_is_created_tallied_by_language_and_closed(organizer, vecino):  # type: ignore[no-untyped-def]
    ana, ben, _cam, dan, _ = people(vecino)
    one_language = organizer.post(
        "/admin/votes",
        {"question_en": "Where?", "question_es": "", "option_en": ["A", "B"],
         "option_es": ["A", "B"]},
    )  # fmt: skip
    assert one_language.status_code == 400
    assert "Write the question in Spanish and in English." in one_language.get_data(as_text=True)
    half_option = organizer.post(
        "/admin/votes",
        {"question_en": "Where?", "question_es": "¿Dónde?", "option_en": ["Park", "Library"],
         "option_es": ["Parque", ""]},
    )  # fmt: skip
    assert half_option.status_code == 400
    created = organizer.post(
        "/admin/votes",
        {"question_en": "Where should the next town hall be?",
         "question_es": "¿Dónde debe ser la próxima asamblea?",
         "option_en": ["Park", "Library", "", ""], "option_es": ["Parque", "Biblioteca", "", ""]},
    )  # fmt: skip
    assert created.status_code == 302
    with vecino.db.transaction() as session:
        vote = votes.current(session)
        for contact_id, option, language in ((ana, 1, "es"), (ben, 1, "es"), (dan, 2, "en")):
            votes.cast(session, vote, contact_id, option, language, START)
        vote_id = vote.id
    page = _text(organizer.client.get("/admin/votes"))
    row = page.split("1. Park")[1].split("</tr>")[0]
    assert re.findall(r'<td class="num">(\d+)</td>', row) == ["2", "2", "0", "0"]
    organizer.post(f"/admin/votes/{vote_id}/close")
    with vecino.db.transaction() as session:
        assert votes.current(session) is None
    assert audit_actions(vecino)[-2:] == ["vote.create", "vote.close"]


def test_comments_are_listed_de_identified_and_exported_like_the_cli(app, organizer, vecino):  # type: ignore[no-untyped-def]
    ana, ben, *_ = people(vecino)
    with vecino.db.transaction() as session:
        found = comments.open_round(
            session, "County prevention recommendations", "Recomendaciones del condado", START
        )
        comments.submit(session, found, ana, "Más despensas. Llámenme al 213-555-0101", "es",
                        START)  # fmt: skip
        comments.submit(session, found, ben, "<b>More</b> pantries, write me a@b.org", "en",
                        START)  # fmt: skip
        round_id = found.id
    page = _text(organizer.client.get("/admin/comments"))
    assert "Llámenme al [number]" in page and "213-555-0101" not in page
    assert "&lt;b&gt;More&lt;/b&gt; pantries, write me [e-mail]" in page
    download = organizer.client.get(f"/admin/comments/{round_id}/export.txt")
    assert download.status_code == 200 and "attachment" in download.headers["Content-Disposition"]
    cli = app.test_cli_runner().invoke(main, ["comments", "export", str(round_id)])
    assert download.get_data(as_text=True) == cli.output
    assert "comments.export" in audit_actions(vecino)


# ---- who may do what --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "method,path",
    [
        ("get", "/admin/events/new"),
        ("get", "/admin/events/{event}"),
        ("get", "/admin/events/{event}/edit"),
        ("post", "/admin/events/{event}/cancel"),
        ("post", "/admin/events/{event}/attendance"),
        ("get", "/admin/broadcasts"),
        ("get", "/admin/broadcasts/new"),
        ("post", "/admin/broadcasts/preview"),
        ("post", "/admin/broadcasts/confirm"),
        ("get", "/admin/votes"),
        ("post", "/admin/votes"),
        ("get", "/admin/comments"),
        ("get", "/admin/surveys/hunger_vital_sign/data-walk.html"),
    ],
)
def test_partner_staff_see_the_event_list_and_nothing_else(
    organizer, partner, vecino, method, path
):  # type: ignore[no-untyped-def]
    event_id = create_event(organizer)
    url = path.format(event=event_id)
    response = partner.client.get(url) if method == "get" else partner.post(url, TEXT)
    assert response.status_code == 403
    listing = _text(partner.client.get("/admin/events"))
    assert "Town hall: food and housing" in listing
    assert f"/admin/events/{event_id}" not in listing  # counts only, no RSVP list
    assert "/admin/broadcasts" not in listing and "/admin/events/new" not in listing
    with vecino.db.transaction() as session:
        assert store.get(session, event_id).status == "scheduled"
    assert outbox_count(vecino) == 0


def test_a_post_without_its_csrf_token_changes_nothing(organizer, vecino):  # type: ignore[no-untyped-def]
    refused = organizer.client.post("/admin/events/new", data=TOWN_HALL)
    assert refused.status_code == 400
    assert "no security token" in refused.get_data(as_text=True)
    event_id = create_event(organizer)
    people(vecino)
    signed = signed_draft(_text(preview(organizer)))
    for path, form in (
        (f"/admin/events/{event_id}/cancel", {}),
        ("/admin/broadcasts/confirm", {"draft": signed}),
        ("/admin/broadcasts/preview", TEXT),
        ("/admin/votes", {"question_en": "Q", "question_es": "P"}),
    ):
        assert organizer.client.post(path, data=form).status_code == 400, path
    with vecino.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(OutreachEvent)) == 1
        assert store.get(session, event_id).status == "scheduled"
    assert outbox_count(vecino) == 0


def test_the_new_pages_are_in_the_menu_in_both_languages(organizer, admin_user):  # type: ignore[no-untyped-def]
    page = _text(organizer.client.get("/admin/events"))
    for label in ("Events", "Broadcasts", "Votes", "Public comment"):
        assert f">{label}</a>" in page
    organizer.post("/admin/language", {"language": "es", "next": "/admin/events"})
    page = _text(organizer.client.get("/admin/events"))
    for label in ("Eventos", "Mensajes masivos", "Votaciones", "Comentario público"):
        assert f">{label}</a>" in page
    assert ">Broadcasts</a>" in _text(admin_user.client.get("/admin/votes"))


def test_the_dashboard_shows_upcoming_events_with_their_rsvps(organizer, partner, vecino):  # type: ignore[no-untyped-def]
    event_id = create_event(organizer)
    cancelled_id = create_event(organizer, title_en="Moved online", title_es="Pasó a internet")
    organizer.post(f"/admin/events/{cancelled_id}/cancel")
    ana, ben, *_ = people(vecino)
    with vecino.db.transaction() as session:
        event = store.get(session, event_id)
        store.answer(session, event, ana, "yes", "text", START)
        store.answer(session, event, ben, "maybe", "text", START)
    page = _text(partner.client.get("/admin/dashboard"))
    table = page.split('class="upcoming-events"')[1].split("</table>")[0]
    assert "Town hall: food and housing" in table and "Moved online" not in table
    assert re.findall(r'<td class="num">(\d+)</td>', table) == ["1", "1", "0", "0"]


def test_a_sense_making_session_links_the_data_walk_sheet_the_cli_writes(
    app, organizer, vecino, tmp_path
):  # type: ignore[no-untyped-def]
    town_hall = _text(organizer.client.get(f"/admin/events/{create_event(organizer)}"))
    assert "data-walk.html" not in town_hall
    event_id = create_event(organizer, kind="sense_making")
    page = _text(organizer.client.get(f"/admin/events/{event_id}"))
    assert 'href="/admin/surveys/hunger_vital_sign/data-walk.html"' in page
    sheet = organizer.client.get("/admin/surveys/hunger_vital_sign/data-walk.html")
    assert sheet.status_code == 200 and "attachment" in sheet.headers["Content-Disposition"]
    out = tmp_path / "sheet.html"
    cli = app.test_cli_runner().invoke(
        main, ["results", "sheet", "hunger_vital_sign", "--out", str(out)]
    )
    assert cli.exit_code == 0, cli.output
    assert sheet.get_data(as_text=True) == out.read_text(encoding="utf-8")
    assert "survey.data_walk" in audit_actions(vecino)
    assert organizer.client.get("/admin/surveys/nope/data-walk.html").status_code == 404


def test_a_survey_broadcast_is_named_in_the_list(app, organizer, vecino, clock):  # type: ignore[no-untyped-def]
    runner = app.test_cli_runner()
    with vecino.db.transaction() as session:
        lock_contact(session, "sms", "+12135550188", clock()).language = "en"
    for args in (
        ["contacts", "tag", "+12135550188", "partner"],
        ["surveys", "open", "partner_checkin"],
        ["broadcasts", "send", "--survey", "partner_checkin", "--yes"],
    ):
        result = runner.invoke(main, args)
        assert result.exit_code == 0, result.output
    page = organizer.client.get("/admin/broadcasts").get_data(as_text=True)
    assert "Survey invitation: partner_checkin" in page
