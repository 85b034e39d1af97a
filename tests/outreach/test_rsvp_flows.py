"""RSVP by text: invitations started with ``Engine.start`` and answered through the real
Twilio webhook (signed requests, the same service and database as production)."""

from __future__ import annotations

from datetime import timedelta
from xml.etree import ElementTree

from sqlalchemy import select

from bot.conversations import lock_contact
from bot.outreach import store
from bot.outreach.models import Rsvp, RsvpChange

from ..conftest import START
from .helpers import TOWN_HALL_AT, make_event, start_for

ANA = "+12135550123"
BEN = "+12135550124"


def _invite(vecino, address: str, event_id: int, language: str | None = "es"):  # type: ignore[no-untyped-def]
    """What the outbox sender will do: ``Engine.start`` for one contact, state stored."""
    now = vecino.conversations.clock()
    with vecino.db.transaction() as session:
        contact = lock_contact(session, "sms", address, now)
        contact.language = language
        turn = start_for(vecino, session, contact, "event_invitation", {"event_id": event_id}, now)
    return [message.text for message in turn.messages]


def _reply(twilio, body: str, sender: str = ANA) -> str:  # type: ignore[no-untyped-def]
    response = twilio.post(body, sender=sender)
    assert response.status_code == 200
    root = ElementTree.fromstring(response.get_data(as_text=True))
    return "\n---\n".join(message.text or "" for message in root.iter("Message"))


def _event(vecino, **changes: object) -> int:  # type: ignore[no-untyped-def]
    with vecino.db.transaction() as session:
        return make_event(session, **changes).id


def _status(vecino, event_id: int, address: str) -> str | None:  # type: ignore[no-untyped-def]
    with vecino.db.transaction() as session:
        contact = lock_contact(session, "sms", address, START)
        rsvp = store.rsvp_of(session, event_id, contact.id)
        return rsvp.status if rsvp else None


def test_spanish_invitation_shows_the_event_and_si_says_yes(vecino, twilio):  # type: ignore[no-untyped-def]
    event_id = _event(vecino, sms_details_es="Habrá cuidado de niños.")
    with vecino.db.transaction() as session:
        token = store.get(session, event_id).token
    assert _invite(vecino, ANA, event_id) == [
        "Asamblea: comida y vivienda\n"
        "Cuándo: martes, 1 de diciembre de 2026, de 6:00 p.m. a 7:30 p.m.\n"
        "Dónde: Central Library, 630 W 5th St\n"
        "En línea: https://meet.example.org/th\n"
        "Habrá cuidado de niños.\n"
        f"Agrégalo a tu calendario: https://vecino.example.org/events/{token}.ics",
        "¿Puedes venir? Responde con un número.",
    ]
    assert _status(vecino, event_id, ANA) == "invited"
    assert _reply(twilio, "Sí") == (
        "¡Qué bien, te esperamos! Te lo recordaremos antes. Si ya no puedes ir, "
        "responde YA NO PUEDO IR."
    )
    with vecino.db.transaction() as session:
        change = session.scalars(select(RsvpChange)).one()
        assert (change.status, change.source, change.at) == ("yes", "text", START)
        assert change.message_id is not None  # the inbound message it came from


def test_maybe_then_yes_in_english_and_a_duplicate_delivery_counts_once(vecino, twilio):  # type: ignore[no-untyped-def]
    event_id = _event(vecino)
    _invite(vecino, ANA, event_id, language="en")
    assert _reply(twilio, "maybe").startswith("Thanks! We saved it as a maybe.")
    assert _status(vecino, event_id, ANA) == "maybe"
    params = twilio.params("1", ANA, sid="SMdup")
    for _ in range(2):  # Twilio retries the same MessageSid
        twilio.post("1", sender=ANA, sid="SMdup")
    assert params["MessageSid"] == "SMdup"
    assert _status(vecino, event_id, ANA) == "yes"
    with vecino.db.transaction() as session:
        assert [c.status for c in session.scalars(select(RsvpChange))] == ["maybe", "yes"]


def test_a_late_reply_after_the_conversation_timed_out_still_counts(vecino, twilio, clock):  # type: ignore[no-untyped-def]
    event_id = _event(vecino)
    _invite(vecino, ANA, event_id)
    clock.advance(hours=5)
    assert _reply(twilio, "no").startswith("Gracias por avisarnos.")
    assert _status(vecino, event_id, ANA) == "no"


def test_si_with_two_open_invitations_asks_which_by_date(vecino, twilio, clock):  # type: ignore[no-untyped-def]
    later = _event(vecino, starts_at=TOWN_HALL_AT + timedelta(days=7), title_es="Sesión")
    sooner = _event(vecino)
    _invite(vecino, ANA, later)
    assert _invite(vecino, ANA, sooner) == []  # busy answering the first: not interrupted
    clock.advance(minutes=20)
    assert _invite(vecino, ANA, sooner)[-1] == "¿Puedes venir? Responde con un número."
    assert _reply(twilio, "si") == (
        "Tienes más de una invitación. ¿Para qué evento es tu respuesta?\n"
        "1. mar 1 dic, 6:00 p.m.: Asamblea: comida y vivienda\n"
        "2. mar 8 dic, 6:00 p.m.: Sesión\n\n"
        "Responde con el número del evento."
    )
    assert _reply(twilio, "2").startswith("¡Qué bien, te esperamos!")
    assert (_status(vecino, later, ANA), _status(vecino, sooner, ANA)) == ("yes", "invited")


def test_full_event_waitlists_and_cant_make_it_promotes(vecino, twilio):  # type: ignore[no-untyped-def]
    event_id = _event(vecino, capacity=1)
    _invite(vecino, ANA, event_id)
    _invite(vecino, BEN, event_id, language="en")
    _reply(twilio, "si", ANA)
    assert _reply(twilio, "yes", BEN).startswith("This event is full, so you are on the waiting")
    assert _reply(twilio, "ya no puedo ir", ANA) == (
        "Entendido, liberamos tu lugar. Gracias por avisarnos."
    )
    assert (_status(vecino, event_id, ANA), _status(vecino, event_id, BEN)) == (
        "cancelled",
        "yes",
    )
    with vecino.db.transaction() as session:
        ben = session.scalar(select(Rsvp).where(Rsvp.status == "yes"))
        assert ben.promoted_at == START


def test_cancelar_still_opts_out_during_an_invitation(vecino, twilio):  # type: ignore[no-untyped-def]
    event_id = _event(vecino)
    _invite(vecino, ANA, event_id)
    assert "ALTA" in _reply(twilio, "CANCELAR")
    assert _status(vecino, event_id, ANA) == "invited"
    assert _reply(twilio, "sí") == ""  # "yes" after STOP: silence, nothing recorded
    assert _status(vecino, event_id, ANA) == "invited"
    assert _invite(vecino, ANA, event_id) == []  # nothing more is started for them


def test_rsvp_for_a_cancelled_event_gets_a_clear_answer(vecino, twilio):  # type: ignore[no-untyped-def]
    event_id = _event(vecino)
    _invite(vecino, ANA, event_id)
    with vecino.db.transaction() as session:
        store.cancel_event(session, store.get(session, event_id), START)
    assert _reply(twilio, "si") == (
        "Lo sentimos, ese evento se canceló. Responde MENU para ver opciones."
    )
    assert _status(vecino, event_id, ANA) == "invited"


def test_invitation_to_a_past_or_unknown_event_says_so(vecino):  # type: ignore[no-untyped-def]
    past = _event(vecino, starts_at=START - timedelta(days=1))
    assert _invite(vecino, ANA, past) == [
        "Ese evento ya pasó. ¡Gracias! Responde MENU para ver opciones."
    ]
    assert _invite(vecino, BEN, 999, language="en") == [
        "We could not find that event. Reply MENU for options."
    ]


def test_when_repeats_the_date_place_and_link(vecino, twilio):  # type: ignore[no-untyped-def]
    event_id = _event(vecino)
    _invite(vecino, ANA, event_id, language="en")
    _reply(twilio, "yes")
    reply = _reply(twilio, "WHEN?")
    assert reply == (
        "Town hall: food and housing\n"
        "When: Tuesday, December 1, 2026, 6:00 PM to 7:30 PM\n"
        "Where: Central Library, 630 W 5th St\n"
        "Online: https://meet.example.org/th"
    )
    # "when" inside another question is not about events: the menu, as before.
    assert "1." in _reply(twilio, "when does the pantry open")
    # A new contact asking in Spanish gets Spanish (the trigger's language becomes theirs).
    assert _reply(twilio, "¿cuándo es?", BEN) == (
        "No tienes eventos próximos con nosotros. Responde MENU para ver opciones."
    )


def _start(vecino, address: str, flow_id: str, params: dict, language: str | None = None):  # type: ignore[no-untyped-def]
    now = vecino.conversations.clock()
    with vecino.db.transaction() as session:
        contact = lock_contact(session, "sms", address, now)
        contact.language = language or contact.language
        turn = start_for(vecino, session, contact, flow_id, params, now)
    return [message.text for message in turn.messages]


def test_reminder_goes_to_a_yes_only_and_no_frees_the_seat(vecino, twilio, clock):  # type: ignore[no-untyped-def]
    event_id = _event(vecino, capacity=1, place=None)
    _invite(vecino, ANA, event_id, language="en")
    _invite(vecino, BEN, event_id, language="en")
    _reply(twilio, "yes", ANA)
    _reply(twilio, "yes", BEN)  # waitlisted
    clock.advance(hours=1)
    assert _start(vecino, BEN, "event_reminder", {"event_id": event_id, "minutes": 1440}) == []
    assert _start(vecino, ANA, "event_reminder", {"event_id": event_id, "minutes": 1440}) == [
        "Reminder of an event you said yes to:\n"
        "Town hall: food and housing\n"
        "When: Tuesday, December 1, 2026, 6:00 PM to 7:30 PM\n"
        "Online: https://meet.example.org/th",
        "Can you still come? Reply 1 (yes) or 2 (no).",
    ]
    assert _reply(twilio, "2", ANA) == "Got it, we let your seat go. Thanks for telling us."
    assert (_status(vecino, event_id, ANA), _status(vecino, event_id, BEN)) == (
        "cancelled",
        "yes",
    )
    assert _start(vecino, BEN, "event_promoted", {"event_id": event_id})[0].startswith(
        "Good news: a seat opened up, and it is yours!\nTown hall: food and housing\n"
    )


def test_cancel_notice_in_spanish(vecino):  # type: ignore[no-untyped-def]
    event_id = _event(vecino)
    with vecino.db.transaction() as session:
        store.cancel_event(session, store.get(session, event_id), START)
    [text] = _start(vecino, ANA, "event_notice", {"event_id": event_id, "kind": "cancelled"}, "es")
    assert text.startswith("Lo sentimos, este evento se canceló:\nAsamblea: comida y vivienda\n")
