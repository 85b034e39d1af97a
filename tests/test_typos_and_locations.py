"""A misspelt keyword and a location shared out of the blue still reach the resource finder."""

from __future__ import annotations

from sqlalchemy import select

from bot.channels import sms
from bot.conversations import Envelope
from bot.directory.demo import load_demo
from bot.engine import Inbound, Location
from bot.models import Contact

MACARTHUR_PARK = Location(34.0577, -118.2769)  # in ZIP 90057


def say(vecino, inbound: Inbound, channel: str = "telegram", address: str = "4242") -> str:  # type: ignore[no-untyped-def]
    delivery = vecino.conversations.receive(Envelope(channel, address, inbound))
    return "\n".join(sms.render(delivery.replies))


def load(vecino) -> None:  # type: ignore[no-untyped-def]
    with vecino.db.transaction() as session:
        load_demo(session)


def test_a_misspelt_long_keyword_starts_the_finder_in_its_language(vecino):  # type: ignore[no-untyped-def]
    load(vecino)
    reply = say(vecino, Inbound("comdia 90057"), channel="sms", address="+12135550140")
    assert reply.startswith("Comida cerca de 90057:\n1. ")  # results at once, in Spanish
    with vecino.db.transaction() as session:
        assert session.scalars(select(Contact)).one().language == "es"


def test_short_words_are_not_guessed(vecino):  # type: ignore[no-untyped-def]
    load(vecino)
    reply = say(vecino, Inbound("fod 90057"), channel="sms", address="+12135550141")
    assert reply.startswith("¡Hola! Soy Vecino")  # the welcome, not a guess


def test_a_location_shared_at_the_menu_starts_a_search_there(vecino):  # type: ignore[no-untyped-def]
    load(vecino)
    say(vecino, Inbound("hola"))
    say(vecino, Inbound("2"))  # English; the menu waits for a choice
    asked = say(vecino, Inbound(location=MACARTHUR_PARK))
    assert asked.startswith("What do you need?")
    results = say(vecino, Inbound("food"))
    assert results.startswith("Food near you:\n1. ") and " mi)" in results
    with vecino.db.transaction() as session:
        # Only the nearest ZIP is remembered, never the coordinates.
        assert session.scalars(select(Contact)).one().zip_code == "90057"


def test_a_location_before_any_language_gets_the_welcome(vecino):  # type: ignore[no-untyped-def]
    load(vecino)
    reply = say(vecino, Inbound(location=MACARTHUR_PARK), address="4343")
    assert reply.startswith("¡Hola! Soy Vecino")
