"""Real HTTP over loopback: a resident's whole journey, and concurrent deliveries."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import requests
from sqlalchemy import func, select

from bot.models import Contact, ConversationState, Message

from .conftest import PUBLIC_BASE_URL, twilio_signature
from .test_twilio_webhook import bodies


class Resident:
    def __init__(self, server, number: str) -> None:  # type: ignore[no-untyped-def]
        self.server, self.number = server, number
        self.http = requests.Session()

    def send(self, body: str, sid: str | None = None) -> list[str]:
        response = self.raw(body, sid)
        return bodies(_Adapter(response))

    def raw(self, body: str, sid: str | None = None) -> requests.Response:
        params = {
            "MessageSid": sid or f"SM{uuid.uuid4().hex}",
            "From": self.number,
            "To": "+12135550000",
            "Body": body,
            "NumMedia": "0",
        }
        signature = twilio_signature(PUBLIC_BASE_URL + "/webhooks/twilio", params)
        return self.http.post(
            self.server.url + "/webhooks/twilio",
            data=params,
            headers={"X-Twilio-Signature": signature},
            timeout=30,
        )


class _Adapter:
    """Lets the Flask-response helper read a requests response."""

    def __init__(self, response: requests.Response) -> None:
        self.status_code = response.status_code
        self.mimetype = response.headers["Content-Type"].split(";")[0]
        self._content = response.content

    def get_data(self, as_text: bool = False):  # type: ignore[no-untyped-def]
        return self._content.decode() if as_text else self._content


def test_welcome_language_menu_opt_out_and_back(live_server, vecino):  # type: ignore[no-untyped-def]
    resident = Resident(live_server, "+13235550111")
    [welcome] = resident.send("Hola")
    assert "Responde 1 para español" in welcome and "Reply 2 for English" in welcome
    [menu] = resident.send("1")
    assert menu.startswith("¿En qué te puedo ayudar?")
    [switched] = resident.send("EN")
    assert switched.startswith("OK, I will write to you in English.")
    assert "What can I help you with?" in switched
    [stopped] = resident.send("stop")
    assert "no more messages" in stopped
    assert resident.send("hello?") == []
    assert resident.send("menu") == []
    [back] = resident.send("START")
    assert "welcome back!" in back and "What can I help you with?" in back
    with vecino.db.transaction() as session:
        contact = session.scalars(select(Contact)).one()
        assert contact.language == "en"
        assert contact.opted_out_at is None and contact.opted_in_at is not None
        # Seven in; out: welcome, menu, two for the switch, stop, two for START.
        assert session.scalar(select(func.count()).select_from(Message)) == 7 + 7


def test_concurrent_messages_from_one_number_do_not_corrupt_state(live_server, vecino):  # type: ignore[no-untyped-def]
    resident = Resident(live_server, "+13235550222")
    resident.send("hola")
    resident.send("2")
    texts = [f"nonsense {n}" for n in range(12)]
    with ThreadPoolExecutor(max_workers=12) as pool:
        responses = list(pool.map(lambda t: Resident(live_server, resident.number).raw(t), texts))
    assert [r.status_code for r in responses] == [200] * 12
    with vecino.db.transaction() as session:
        inbound = session.scalar(
            select(func.count()).select_from(Message).where(Message.direction == "in")
        )
        assert inbound == 2 + 12
        state = session.scalars(select(ConversationState)).one()
        # Each of the 12 invalid answers was counted exactly once, one after another.
        assert state.invalid_count == 12
        assert session.scalar(select(func.count()).select_from(Contact)) == 1


def test_concurrent_retries_of_one_message_are_stored_once(live_server, vecino):  # type: ignore[no-untyped-def]
    resident = Resident(live_server, "+13235550333")
    with ThreadPoolExecutor(max_workers=8) as pool:
        responses = list(
            pool.map(
                lambda _: Resident(live_server, resident.number).raw("hola", "SM-same"), range(8)
            )
        )
    assert {r.status_code for r in responses} == {200}
    assert len({r.content for r in responses}) == 1
    with vecino.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Message)) == 2
        assert session.scalar(select(func.count()).select_from(Contact)) == 1


def test_first_messages_from_many_new_residents_at_once(live_server, vecino):  # type: ignore[no-untyped-def]
    numbers = [f"+1323555{n:04d}" for n in range(20)]
    with ThreadPoolExecutor(max_workers=10) as pool:
        responses = list(pool.map(lambda n: Resident(live_server, n).raw("hi"), numbers))
    assert {r.status_code for r in responses} == {200}
    with vecino.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Contact)) == 20
