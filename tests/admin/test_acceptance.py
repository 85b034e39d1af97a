"""The admin view's "done when", end to end in a real browser, in Spanish and then in English.

An organizer signs in and switches the page to Spanish; residents text the real Twilio webhook
over loopback while she watches; she handles a crisis flag with a note, answers a resident who
asked for a person (the worker's dispatcher takes the reply to a loopback fake of Twilio's REST
API), edits a resource (a resident's next search shows the new name), and composes, previews,
confirms and sends a town hall invitation. Then the same screens read back in English.

Everything asserted is what a person sees: text on the page, what a resident's phone gets.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.channels.twilio_rest import TwilioRestSender
from bot.outbound.dispatch import Dispatcher

from ..conftest import settings_with
from ..fake_twilio_api import FakeTwilioApi
from ..test_live_server import Resident
from .browsing import create_town_hall, sign_in

MARIA, JORGE, EDDIE = "+12135550180", "+12135550181", "+12135550182"
REPLY = "Hola Jorge, soy Olga de Vecino. ¿Le dieron un aviso por escrito?"


@pytest.fixture
def twilio_api() -> Iterator[FakeTwilioApi]:
    fake = FakeTwilioApi().start()
    yield fake
    fake.stop()


@pytest.fixture
def worker(vecino, clock, twilio_api):  # type: ignore[no-untyped-def]
    """The worker's outbox dispatcher, sending SMS through the fake Twilio REST API."""
    sms = TwilioRestSender(settings_with(vecino.settings, twilio_api_base_url=twilio_api.base_url))
    return Dispatcher(vecino.db, vecino.engine, vecino.settings, {"sms": sms}, {}, "worker", clock)


def sent_to(twilio_api: FakeTwilioApi, number: str) -> list[str]:
    return [call["Body"] for call in twilio_api.calls if call["To"] == number]


def test_an_organizer_runs_the_program_in_spanish_and_reads_it_back_in_english(
    page, live_server, accounts, worker, twilio_api
):  # type: ignore[no-untyped-def]
    maria, jorge, eddie = (Resident(live_server, n) for n in (MARIA, JORGE, EDDIE))

    # She signs in and switches the admin view to Spanish.
    sign_in(page, "olga@example.org")
    page.click("button[value=es]")
    assert page.text_content("h1") == "Panel"
    assert page.text_content("#total-contacts") == "0"

    # Residents text in while she watches the dashboard and the conversations.
    maria.send("hola")
    maria.send("1")  # Español
    eddie.send("hello")
    eddie.send("2")  # English
    page.reload()
    assert page.text_content("#total-contacts") == "2"
    page.click("nav >> text=Conversaciones")
    listing = page.text_content("table.conversations")
    assert "+1******0180" in listing and "+1******0182" in listing
    assert MARIA not in page.content()  # numbers stay masked
    jorge.send("hola")
    jorge.send("1")
    page.reload()
    assert "+1******0181" in page.text_content("table.conversations")

    # A crisis message: the resident gets the lines at once, the organizer a flag to handle.
    [lines] = maria.send("ya no quiero vivir")
    assert "988" in lines
    page.click("nav >> text=Panel")
    assert page.text_content("#open-flags") == "1"
    assert page.text_content("ul.open-flags").strip() == "Mensaje de crisis: 1"
    page.click("ul.open-flags >> text=Mensaje de crisis")
    assert page.text_content("#reason-filter").startswith("Solo: Mensaje de crisis")
    page.click("text=Abrir la conversación")
    assert "ya no quiero vivir" in page.text_content("li.msg.flagged")
    page.fill("textarea[name=note]", "Llamé a María; está con su hermana y a salvo.")
    page.click("text=Marcar como atendida")
    assert page.text_content("p.flash") == "Alerta marcada como atendida."
    assert "No hay alertas aquí." in page.text_content("table.flags")

    # A resident asks for a person; she answers, and the reply reaches the resident's phone.
    [waiting] = jorge.send("quiero hablar con una persona")
    assert "Una persona de Vecino te va a contestar aquí" in waiting
    assert jorge.send("es sobre la renta, nos quieren sacar") == []  # kept for staff
    page.click("nav >> text=Panel")
    assert "Pidió hablar con una persona: 1" in page.text_content("ul.open-flags")
    page.click("nav >> text=Conversaciones")
    page.click("text=Esperando a una persona (1)")
    page.click("tr.waiting a")
    assert "es sobre la renta, nos quieren sacar" in page.text_content("ol.thread")
    page.fill("textarea[name=text]", REPLY)
    page.click("text=Enviar respuesta")
    assert page.text_content("p.flash") == "Respuesta en cola: sale en un momento."
    assert worker.run_once() == 1
    assert sent_to(twilio_api, JORGE) == [REPLY]
    page.reload()
    assert "Equipo: olga@example.org" in page.text_content("li.msg.staff")
    page.uncheck("input[name=tell]")
    page.click("text=Devolver al bot")
    assert page.text_content("p.flash") == "Devuelto: el bot vuelve a contestar a esta persona."

    # She edits a resource; the next resident who searches sees the new name.
    page.click("nav >> text=Recursos")
    page.click("text=Eastside Food Pantry")
    page.fill("input[name=name_es]", "Despensa del Este (abre los domingos)")
    page.click("button[value=save]")
    assert page.text_content("p.flash") == "Guardado."
    page.click("button[value=verify]")
    assert page.text_content("p.flash") == "Guardado."
    assert page.text_content("#verified") == "2026-11-24"
    found = "\n".join(maria.send("comida 90057"))
    assert "1. Despensa del Este (abre los domingos)" in found  # SMS: plain letters

    # A town hall invitation: composed, previewed, confirmed, sent by the worker.
    page.click("nav >> text=Eventos")
    page.click("text=Nuevo evento")
    create_town_hall(page)
    assert page.text_content("p.flash") == "Evento creado."
    assert page.text_content("h1") == "Asamblea: comida y vivienda"
    page.click("text=Invitar a residentes")
    page.check("input[name=lang][value=es]")
    page.click("text=Vista previa")
    assert page.text_content("h1") == "Vista previa: todavía no se ha enviado nada"
    assert page.text_content("#recipients") == "2"  # María and Jorge; Eddie reads English
    assert "Asamblea: comida y vivienda" in page.text_content("#first-es")
    page.click("#confirm")
    assert page.text_content("p.flash") == "Envío en cola para 2 residente(s)."
    assert worker.run_once() == 2
    for number in (MARIA, JORGE):
        invitation = "\n".join(body for body in sent_to(twilio_api, number) if body != REPLY)
        assert "Asamblea: comida y vivienda" in invitation
        assert "Habrá cuidado de niños" in invitation
    assert sent_to(twilio_api, EDDIE) == []

    # The same screens, read back in English.
    page.click("button[value=en]")
    assert page.text_content("#progress-sent") == "2"
    page.click("nav >> text=Dashboard")
    assert page.text_content("h1") == "Dashboard"
    assert page.text_content("#total-contacts") == "3"
    assert page.text_content("#open-flags") == "0"
    assert page.text_content("table.upcoming-events td:nth-child(2)") == (
        "Town hall: food and housing"
    )
    page.click("nav >> text=Staff flags")
    page.click(".tabs >> text=Handled")
    handled = page.text_content("table.flags")
    assert "Crisis message" in handled and "Asked for a person" in handled
    assert "Handled by olga@example.org" in handled
    page.click("nav >> text=Conversations")
    assert "Nobody is waiting for a person." not in page.text_content("table.conversations")
    page.click("text=Waiting for a person (0)")
    assert "Nobody is waiting for a person." in page.text_content("table.conversations")
    page.click("nav >> text=Needs")
    assert "90057 (Los Angeles): 1 search(es), 0 found nothing within 3 mi" in (
        page.text_content("svg.map")
    )
    page.click("nav >> text=Events")
    assert page.text_content("td.count-invited") == "2"
    page.click("text=Town hall: food and housing")
    assert page.text_content("h1") == "Town hall: food and housing"
    page.click("nav >> text=Broadcasts")
    assert "Invitation: Town hall: food and housing" in page.text_content("table.broadcasts")
