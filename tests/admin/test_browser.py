"""The admin view in a real browser: Debian's Chromium driven by Playwright, against the app
served on loopback, with residents texting in through the signed Twilio webhook.

Set ``VECINO_SCREENSHOTS=docs/img`` (``make screenshots``) to save the README's pictures; the
``browser`` and ``page`` fixtures are in ``conftest.py``, the helpers in ``browsing.py``.
"""

from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import select

from bot.channels.twilio_rest import TwilioRestSender
from bot.models import Contact, OutboxMessage, StaffFlag
from bot.outbound.dispatch import Dispatcher
from bot.surveys import store

from ..conftest import settings_with
from ..fake_twilio_api import FakeTwilioApi
from ..test_live_server import Resident
from .browsing import create_town_hall, shot, sign_in


def test_sign_in_and_watch_residents_arrive_on_the_dashboard(page, live_server, accounts):  # type: ignore[no-untyped-def]
    page.goto("/admin/login")
    shot(page, "login")
    sign_in(page, "olga@example.org", "wrong password!!")
    assert "do not match an account" in page.text_content("p.flash.error")
    sign_in(page, "olga@example.org")
    assert page.url.endswith("/admin/dashboard")
    assert page.text_content("#total-contacts") == "0"
    for n, (greeting, choice) in enumerate([("hola", "1"), ("hola", "1"), ("hello", "2")]):
        resident = Resident(live_server, f"+1213555010{n}")
        resident.send(greeting)
        resident.send(choice)
    resident.send("ya no quiero vivir")  # the last one: an open crisis flag
    page.reload()
    assert page.text_content("#total-contacts") == "3"
    assert page.locator("svg.chart rect").count() > 0
    assert page.text_content("ul.open-flags").strip() == "Crisis message: 1"
    shot(page, "dashboard")


def test_a_form_without_its_csrf_token_is_refused_in_the_browser(page, accounts):  # type: ignore[no-untyped-def]
    sign_in(page, "olga@example.org")
    page.goto("/admin/resource/p1")
    page.eval_on_selector("form.stack input[name=csrf_token]", "input => input.remove()")
    page.click("button[value=verify]")
    assert "no security token" in page.text_content("p.flash.error")
    page.goto("/admin/resource/p1")
    assert page.text_content("#verified") == "–"  # nothing changed


def test_partner_staff_are_refused_a_conversation(page, live_server, accounts, vecino):  # type: ignore[no-untyped-def]
    Resident(live_server, "+12135550199").send("hola")
    with vecino.db.transaction() as session:
        contact_id = session.scalars(select(Contact.id)).one()
    sign_in(page, "pat@example.org")
    response = page.goto(f"/admin/conversations/{contact_id}")
    assert response.status == 403
    assert "Your role (partner) cannot open this page." in page.text_content("main")
    assert "hola" not in page.content()
    assert page.locator("nav a", has_text="Conversations").count() == 0


def test_a_crisis_flag_is_handled_with_a_note(page, live_server, accounts, vecino):  # type: ignore[no-untyped-def]
    resident = Resident(live_server, "+12135550177")
    resident.send("hola")
    resident.send("1")
    [reply] = resident.send("ya no quiero vivir")
    assert "988" in reply
    sign_in(page, "olga@example.org")
    page.click("nav >> text=Staff flags")
    assert "Crisis message" in page.text_content("table.flags")
    shot(page, "flags")
    page.click("text=Open the conversation")
    assert "ya no quiero vivir" in page.text_content("li.msg.flagged")
    shot(page, "flag")
    page.fill("textarea[name=note]", "Llamé a la familia; están a salvo.")
    page.click("text=Mark handled")
    assert "Flag marked handled." in page.text_content("p.flash")
    assert "No staff flags here." in page.text_content("table.flags")
    with vecino.db.transaction() as session:
        assert session.scalars(select(StaffFlag)).one().resolved_at is not None


def test_both_languages_and_the_choice_is_remembered(page, accounts):  # type: ignore[no-untyped-def]
    sign_in(page, "ada@example.org")
    page.click("button[value=es]")
    assert page.text_content("h1") == "Panel"
    assert "Acceso por idioma" in page.text_content("main")
    page.goto("/admin/resources")
    assert page.text_content("h1") == "Recursos"
    shot(page, "resources-es")
    page.click("text=Eastside Food Pantry")
    page.click("button[value=verify]")
    assert page.text_content("p.flash") == "Guardado."
    page.click("button[value=en]")
    assert page.text_content("h1") == "Eastside Food Pantry"
    page.goto("/admin/dashboard")
    assert page.text_content("h1") == "Dashboard"


def test_survey_and_needs_pages(page, live_server, accounts, vecino, clock):  # type: ignore[no-untyped-def]
    with vecino.db.transaction() as session:
        store.set_open(session, "hunger_vital_sign", True, clock())
    for number, words in (
        ("+12135550150", ["food survey", "yes", "often", "sometimes"]),
        ("+12135550151", ["encuesta comida", "si", "nunca", "nunca"]),
        ("+12135550152", ["food 90057"]),
        ("+12135550153", ["food 93534"]),  # Lancaster: nothing near
        ("+12135550154", ["housing 90026"]),
        ("+12135550155", ["comida 90011"]),
        ("+12135550156", ["food 90011"]),
    ):
        resident = Resident(live_server, number)
        for word in words:
            resident.send(word)
    sign_in(page, "ada@example.org")
    page.goto("/admin/surveys/hunger_vital_sign")
    assert page.text_content("#responses") == "2"
    shot(page, "survey")
    page.goto("/admin/needs")
    assert "90057" in page.text_content("table.needs")
    assert page.locator("svg.map circle.zip").count() == 4  # 90057, 93534, 90026, 90011
    assert "93534 (Lancaster): 1 search(es), 1 found nothing within 3 mi" in page.text_content(
        "svg.map circle.zip[data-zip='93534'] title"
    )
    shot(page, "needs")


def test_upload_a_directory_file_and_read_the_report(page, accounts):  # type: ignore[no-untyped-def]
    sign_in(page, "olga@example.org")
    page.goto("/admin/resources/import")
    csv_text = (
        "id,organization,name,category,zip\n"
        "u1,Upload Org,Upload Pantry,food,90004\n"
        "u2,Upload Org,,food,90004\n"
    )
    page.set_input_files(
        "input[name=file]",
        files=[{"name": "places.csv", "mimeType": "text/csv", "buffer": csv_text.encode()}],
    )
    page.click("button[type=submit]")
    report = page.text_content("pre.report")
    assert "SKIPPED upload.csv, row 3: no name" in report
    assert "1 row(s) skipped." in page.text_content("p.flash")
    shot(page, "import")
    page.goto("/admin/resources?q=upload")
    assert "Upload Pantry" in page.text_content("table")


def test_a_town_hall_invitation_previewed_in_spanish_confirmed_and_tracked(
    page, live_server, accounts, vecino
):  # type: ignore[no-untyped-def]
    for number, choice in (("+12135550160", "1"), ("+12135550161", "1"), ("+12135550162", "2")):
        resident = Resident(live_server, number)
        resident.send("hola")
        resident.send(choice)  # 1 Español, 2 English
    sign_in(page, "olga@example.org")
    page.click("nav >> text=Events")
    page.click("text=New event")
    create_town_hall(page)
    assert page.text_content("p.flash") == "Event created."
    assert page.text_content("h1") == "Town hall: food and housing"
    shot(page, "event")

    page.click("button[value=es]")  # the rest of the invitation in Spanish
    page.click("text=Invitar a residentes")
    page.check("input[name=lang][value=es]")
    assert page.is_checked("input[name=content][value=event]")
    page.click("text=Vista previa")
    assert page.text_content("h1") == "Vista previa: todavía no se ha enviado nada"
    assert page.text_content("#recipients") == "2"
    first = page.text_content("#first-es")
    assert "Asamblea: comida y vivienda" in first and "Habrá cuidado de niños" in first
    assert page.locator("#first-en").count() == 0
    shot(page, "broadcast-preview-es")
    page.click("#confirm")
    assert page.text_content("p.flash") == "Envío en cola para 2 residente(s)."

    page.click("button[value=en]")
    assert page.text_content("#progress-queued") == "2"
    assert page.text_content("#progress-sent") == "0"
    page.click("nav >> text=Broadcasts")
    assert "Invitation: Town hall: food and housing" in page.text_content("table.broadcasts")
    shot(page, "broadcasts")
    page.click("nav >> text=Events")
    assert page.text_content("td.count-invited") == "0"  # invited once the worker sends
    with vecino.db.transaction() as session:
        queued = session.scalars(select(OutboxMessage.flow_id)).all()
    assert queued == ["event_invitation", "event_invitation"]


def test_a_reply_typed_before_the_page_script_ran_is_counted_once_it_runs(
    page, live_server, accounts, vecino
):  # type: ignore[no-untyped-def]
    # admin.js is deferred: a reply typed before it ran (a slow phone, a busy machine) had sent
    # its input events to no one, and the counter stayed at "0 SMS segments".
    resident = Resident(live_server, "+12135550177")
    resident.send("hola")
    resident.send("1")
    resident.send("quiero hablar con una persona")
    sign_in(page, "olga@example.org")
    page.click("nav >> text=Conversations")
    page.click("text=Waiting for a person (1)")
    conversation = page.get_attribute("tr.waiting a", "href")
    held = []

    def hold(route) -> None:  # type: ignore[no-untyped-def]
        held.append(route)

    page.route("**/admin.js", hold)  # routing also turns the browser's cache off
    page.goto(conversation, wait_until="commit")
    page.fill("textarea[name=text]", "Hola, soy Olga de Vecino.")
    expect(page.locator("#reply-segments")).to_have_text("0 SMS segments")  # not run yet
    assert len(held) == 1
    held[0].continue_()
    expect(page.locator("#reply-segments")).to_have_text("1 SMS segment")


def test_a_resident_asks_for_a_person_and_an_organizer_answers_then_hands_back(
    page, live_server, accounts, vecino, clock
):  # type: ignore[no-untyped-def]
    resident = Resident(live_server, "+12135550166")
    resident.send("hola")
    resident.send("1")
    [confirmation] = resident.send("quiero hablar con una persona")
    assert "Una persona de Vecino te va a contestar aquí" in confirmation
    assert resident.send("es sobre la renta, nos quieren sacar") == []  # kept for staff
    sign_in(page, "olga@example.org")
    page.click("nav >> text=Conversations")
    page.click("text=Waiting for a person (1)")
    page.click("tr.waiting a")
    assert "es sobre la renta, nos quieren sacar" in page.text_content("ol.thread")
    page.fill("textarea[name=text]", "Hola, soy Olga de Vecino. ¿Tienes un aviso por escrito?")
    # Counted as it is typed, by admin.js: wait for it (a busy machine runs the script late).
    expect(page.locator("#reply-segments")).to_have_text("1 SMS segment")
    page.click("text=Send reply")
    assert "Reply queued" in page.text_content("p.flash")
    assert "queued" in page.text_content("li.msg.staff")
    # The worker's dispatcher sends it through Twilio's REST API (a loopback fake here).
    fake = FakeTwilioApi().start()
    try:
        sms = TwilioRestSender(settings_with(vecino.settings, twilio_api_base_url=fake.base_url))
        dispatcher = Dispatcher(
            vecino.db, vecino.engine, vecino.settings, {"sms": sms}, {}, "browser", clock
        )
        assert dispatcher.run_once() == 1
        assert [(c["To"], c["Body"]) for c in fake.calls] == [
            ("+12135550166", "Hola, soy Olga de Vecino. ¿Tienes un aviso por escrito?")
        ]
    finally:
        fake.stop()
    page.reload()
    assert "sent" in page.text_content("li.msg.staff .status")
    shot(page, "conversation")
    page.uncheck("input[name=tell]")
    page.click("text=Hand back to the bot")
    assert "Handed back" in page.text_content("p.flash")
    page.goto("/admin/conversations?waiting=1")
    assert "Nobody is waiting for a person." in page.text_content("table")
    [menu] = resident.send("menu")
    assert "Hablar con una persona" in menu  # the bot answers again
