"""Talking to a person, from the staff side: the waiting list, the reply form (through the
outbox and the dispatcher), refusals, the handback, roles, CSRF and the audit log."""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from datetime import timedelta

import pytest
from sqlalchemy import select

from admin.models import AuditEntry, FlagNote
from bot.engine import HANDOFF_KEY, Outbound
from bot.models import Contact, ConversationState, Message, OutboxMessage, StaffFlag
from bot.outbound.dispatch import Dispatcher
from bot.outbound.sender import SendReport
from bot.outbound.status import OutboxStatus

RESIDENT = "+13235550601"


class RecordingSender:
    """A provider that accepts everything and remembers what it was given."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.sent: list[tuple[str, str]] = []

    def send_replies(self, address, replies: Sequence[Outbound], language, pace=None):  # type: ignore[no-untyped-def]
        report = SendReport()
        for reply in replies:
            self.sent.append((address, reply.text))
            provider_id = f"{self.name}-{len(self.sent)}"
            report.add(SendReport(sent=1, delivered=[(provider_id, reply.text)]))
        return report


@pytest.fixture
def senders() -> dict[str, RecordingSender]:
    sms = RecordingSender("twilio")
    return {"sms": sms, "whatsapp": sms, "telegram": RecordingSender("telegram")}


def deliver(vecino, clock, senders) -> int:  # type: ignore[no-untyped-def]
    dispatcher = Dispatcher(
        vecino.db, vecino.engine, vecino.settings, senders, {}, "test", clock, random.Random(1)
    )
    return dispatcher.run_once()


def _text(response) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def ask_for_a_person(twilio, vecino, number: str = RESIDENT) -> int:  # type: ignore[no-untyped-def]
    twilio.post("hola", sender=number)
    twilio.post("1", sender=number)
    reply = twilio.post("quiero hablar con una persona", sender=number).get_data(as_text=True)
    assert "Una persona de Vecino te va a contestar" in reply
    with vecino.db.transaction() as session:
        return session.scalars(select(Contact.id).where(Contact.address == number)).one()


def reply_form(staff, contact_id: int) -> dict[str, str]:  # type: ignore[no-untyped-def]
    page = _text(staff.client.get(f"/admin/conversations/{contact_id}"))
    token = re.search(r'name="reply_token" value="([^"]+)"', page)
    assert token, "no reply form on the page"
    return {"reply_token": token.group(1)}


def audit_actions(vecino) -> list[str]:  # type: ignore[no-untyped-def]
    with vecino.db.transaction() as session:
        return list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def test_a_resident_asking_for_a_person_waits_in_the_list_and_the_flags_queue(
    organizer, twilio, vecino, clock
):  # type: ignore[no-untyped-def]
    first = ask_for_a_person(twilio, vecino, "+13235550602")
    clock.advance(minutes=5)
    second = ask_for_a_person(twilio, vecino, "+13235550603")
    twilio.post("hola", sender="+13235550604")  # not waiting
    clock.advance(minutes=1)
    # While waiting, an ordinary message is stored (for staff) and gets no answer.
    quiet = twilio.post("es sobre la renta", sender="+13235550602").get_data(as_text=True)
    assert "<Message>" not in quiet
    waiting = _text(organizer.client.get("/admin/conversations?waiting=1"))
    assert "Waiting for a person (2)" in waiting
    rows = re.findall(r"/admin/conversations/(\d+)", waiting)
    assert rows == [str(second), str(first)]  # newest request first
    assert "+1******0604" not in waiting
    queue = _text(organizer.client.get("/admin/flags"))
    assert "Asked for a person" in queue
    page = _text(organizer.client.get(f"/admin/conversations/{first}"))
    assert "Waiting for a person since" in page
    assert "es sobre la renta" in page
    assert "Hand back to the bot" in page


def test_a_reply_goes_through_the_outbox_to_the_residents_channel_with_its_status(
    organizer, twilio, vecino, clock, senders
):  # type: ignore[no-untyped-def]
    contact_id = ask_for_a_person(twilio, vecino)
    form = reply_form(organizer, contact_id)
    sent = organizer.post(
        f"/admin/conversations/{contact_id}/reply",
        {**form, "text": "Hola, soy Olga. ¿En qué te ayudo con la renta?"},
    )
    assert sent.status_code == 302
    page = _text(organizer.client.get(f"/admin/conversations/{contact_id}"))
    assert "Reply queued" in page
    assert "Staff: olga@example.org" in page and "queued" in page
    with vecino.db.transaction() as session:
        row = session.scalars(select(OutboxMessage)).one()
        assert (row.reason, row.status, row.channel) == ("staff_reply", "pending", "sms")
        assert row.payload[0]["text"] == "Hola, soy Olga. ¿En qué te ayudo con la renta?"
    # The same form sent twice (a double click) queues one message.
    again = organizer.post(
        f"/admin/conversations/{contact_id}/reply", {**form, "text": "Hola, soy Olga."}
    )
    assert again.status_code == 302
    assert deliver(vecino, clock, senders) == 1
    assert senders["sms"].sent == [(RESIDENT, "Hola, soy Olga. ¿En qué te ayudo con la renta?")]
    assert senders["telegram"].sent == []
    page = _text(organizer.client.get(f"/admin/conversations/{contact_id}"))
    assert '<span class="status status-sent">sent</span>' in page
    # Twilio's delivery receipt moves it on.
    with vecino.db.transaction() as session:
        message = session.scalars(select(Message).where(Message.outbox_id.is_not(None))).one()
        provider_id = message.provider_id
    twilio.client.post(  # unsigned receipts are refused, so sign this one like Twilio
        "/webhooks/twilio/status",
        data=(params := {"MessageSid": provider_id, "MessageStatus": "delivered"}),
        headers={"X-Twilio-Signature": _sign("/webhooks/twilio/status", params)},
    )
    page = _text(organizer.client.get(f"/admin/conversations/{contact_id}"))
    assert '<span class="status status-delivered">delivered</span>' in page
    # In Spanish one message is "entregado", not the broadcast cards' plural "entregados".
    organizer.post("/admin/language", {"language": "es"})
    page = _text(organizer.client.get(f"/admin/conversations/{contact_id}"))
    assert '<span class="status status-delivered">entregado</span>' in page
    organizer.post("/admin/language", {"language": "en"})
    # Still paused: the reply did not hand back.
    assert "<Message>" not in twilio.post("gracias", sender=RESIDENT).get_data(as_text=True)
    entries = [a for a in audit_actions(vecino) if a.startswith("conversation.")]
    assert entries == ["conversation.reply"]


def _sign(path: str, params: dict[str, str]) -> str:
    from ..conftest import PUBLIC_BASE_URL, twilio_signature

    return twilio_signature(PUBLIC_BASE_URL + path, params)


def test_a_telegram_resident_is_answered_on_telegram(organizer, vecino, clock, senders):  # type: ignore[no-untyped-def]
    from bot.conversations import Envelope
    from bot.engine import Inbound

    delivery = vecino.conversations.receive(Envelope("telegram", "777001", Inbound("agente")))
    assert "Una persona de Vecino" in delivery.replies[0].text
    form = reply_form(organizer, delivery.contact_id)
    organizer.post(
        f"/admin/conversations/{delivery.contact_id}/reply", {**form, "text": "Hola <b>vecina</b>"}
    )
    assert deliver(vecino, clock, senders) == 1
    assert senders["telegram"].sent == [("777001", "Hola <b>vecina</b>")]
    assert senders["sms"].sent == []
    page = _text(organizer.client.get(f"/admin/conversations/{delivery.contact_id}"))
    assert "Hola &lt;b&gt;vecina&lt;/b&gt;" in page  # escaped on the page


@pytest.mark.parametrize(
    ("text", "status", "reason"),
    [
        ("   ", 400, "Write a reply first"),
        ("x" * 1601, 400, "at most 1600 characters"),
        ("á" * 700, 400, "at most 10 SMS segments"),
    ],
)
def test_empty_or_huge_replies_are_refused_with_the_text_kept(
    organizer, twilio, vecino, text, status, reason
):  # type: ignore[no-untyped-def]
    contact_id = ask_for_a_person(twilio, vecino)
    form = {**reply_form(organizer, contact_id), "text": text}
    refused = organizer.post(f"/admin/conversations/{contact_id}/reply", form)
    assert refused.status_code == status
    body = refused.get_data(as_text=True)
    assert reason in body
    if text.strip():
        assert text in body  # what they typed is not lost
    with vecino.db.transaction() as session:
        assert session.scalars(select(OutboxMessage)).all() == []
    assert "conversation.reply" not in audit_actions(vecino)


def test_an_opted_out_or_unreachable_resident_cannot_be_sent_a_reply(
    organizer, twilio, vecino, clock
):  # type: ignore[no-untyped-def]
    contact_id = ask_for_a_person(twilio, vecino)
    form = reply_form(organizer, contact_id)
    twilio.post("ALTO", sender=RESIDENT)
    page = _text(organizer.client.get(f"/admin/conversations/{contact_id}"))
    assert "opted out (STOP): nothing can be sent" in page
    assert 'name="text"' not in page
    refused = organizer.post(f"/admin/conversations/{contact_id}/reply", {**form, "text": "Hola"})
    assert refused.status_code == 409
    assert "This resident opted out (STOP)" in refused.get_data(as_text=True)
    # STOP ended the wait: nobody is listed as waiting any more.
    assert "Waiting for a person (0)" in _text(organizer.client.get("/admin/conversations"))
    with vecino.db.transaction() as session:
        assert session.scalars(select(OutboxMessage)).all() == []
        flag = session.scalars(select(StaffFlag)).one()
        assert flag.reason == "handoff" and flag.resolved_at is not None
    other = ask_for_a_person(twilio, vecino, "+13235550699")
    with vecino.db.transaction() as session:
        session.get(Contact, other).unreachable_at = clock()
    refused = organizer.post(
        f"/admin/conversations/{other}/reply", {"reply_token": "t", "text": "Hola"}
    )
    assert refused.status_code == 409
    assert "This number cannot take messages" in refused.get_data(as_text=True)


def test_hand_back_un_pauses_the_bot_closes_the_flag_and_tells_the_resident(
    organizer, twilio, vecino, clock, senders
):  # type: ignore[no-untyped-def]
    contact_id = ask_for_a_person(twilio, vecino)
    form = reply_form(organizer, contact_id)
    done = organizer.post(f"/admin/conversations/{contact_id}/handback", {**form, "tell": "1"})
    assert done.status_code == 302
    page = _text(organizer.client.get(f"/admin/conversations/{contact_id}"))
    assert "Handed back: the bot answers this resident again." in page
    assert "Hand back to the bot" not in page
    with vecino.db.transaction() as session:
        state = session.get(ConversationState, contact_id)
        assert HANDOFF_KEY not in state.data
        flag = session.scalars(select(StaffFlag)).one()
        assert flag.resolved_at is not None
        assert session.get(FlagNote, flag.id).actor == "olga@example.org"
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "conversation.handback")
        ).one()
        assert entry.target == f"contact:{contact_id}" and entry.detail["flags"] == [flag.id]
    assert deliver(vecino, clock, senders) == 1
    assert senders["sms"].sent == [
        (RESIDENT, "Ya estás de nuevo con el bot de Vecino. Responde MENU para ver las opciones.")
    ]
    # The bot answers again.
    assert "Sobre Vecino" in twilio.post("menu", sender=RESIDENT).get_data(as_text=True)


def test_marking_a_handoff_flag_handled_also_hands_back(organizer, twilio, vecino):  # type: ignore[no-untyped-def]
    contact_id = ask_for_a_person(twilio, vecino)
    with vecino.db.transaction() as session:
        flag_id = session.scalars(select(StaffFlag.id)).one()
    organizer.post(f"/admin/flags/{flag_id}/handle", {"note": "La llamé por teléfono."})
    with vecino.db.transaction() as session:
        assert HANDOFF_KEY not in session.get(ConversationState, contact_id).data
    assert "Sobre Vecino" in twilio.post("1", sender=RESIDENT).get_data(as_text=True)


def test_a_reply_in_quiet_hours_waits_unless_the_resident_just_wrote(
    organizer, twilio, vecino, clock, senders
):  # type: ignore[no-untyped-def]
    contact_id = ask_for_a_person(twilio, vecino)  # 10:00 in Los Angeles
    clock.advance(hours=12)  # 22:00: quiet hours, and the resident went quiet long ago
    organizer.post(
        f"/admin/conversations/{contact_id}/reply",
        {**reply_form(organizer, contact_id), "text": "Te escribo mañana"},
    )
    page = _text(organizer.client.get(f"/admin/conversations/{contact_id}"))
    assert "It is quiet hours, so it goes out at" in page
    assert deliver(vecino, clock, senders) == 0 and senders["sms"].sent == []
    # The resident writes at 22:10: a reply now is part of a live conversation.
    clock.advance(minutes=10)
    twilio.post("sigo aquí", sender=RESIDENT)
    organizer.post(
        f"/admin/conversations/{contact_id}/reply",
        {**reply_form(organizer, contact_id), "text": "Aquí estoy"},
    )
    assert deliver(vecino, clock, senders) == 1
    assert senders["sms"].sent == [(RESIDENT, "Aquí estoy")]
    with vecino.db.transaction() as session:
        waiting = session.scalars(
            select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.PENDING)
        ).one()
        assert waiting.not_before > clock() + timedelta(hours=9)


def test_partner_staff_can_neither_read_nor_reply_nor_hand_back(partner, twilio, vecino):  # type: ignore[no-untyped-def]
    contact_id = ask_for_a_person(twilio, vecino)
    assert partner.client.get(f"/admin/conversations/{contact_id}").status_code == 403
    assert partner.client.get("/admin/conversations?waiting=1").status_code == 403
    token = partner.token()
    for action in ("reply", "handback"):
        refused = partner.client.post(
            f"/admin/conversations/{contact_id}/{action}",
            data={"csrf_token": token, "text": "hola", "reply_token": "p"},
        )
        assert refused.status_code == 403
    with vecino.db.transaction() as session:
        assert session.scalars(select(OutboxMessage)).all() == []
        assert HANDOFF_KEY in session.get(ConversationState, contact_id).data


def test_a_reply_or_handback_without_its_csrf_token_is_refused(organizer, twilio, vecino):  # type: ignore[no-untyped-def]
    contact_id = ask_for_a_person(twilio, vecino)
    for action in ("reply", "handback"):
        refused = organizer.client.post(
            f"/admin/conversations/{contact_id}/{action}", data={"text": "hola", "reply_token": "c"}
        )
        assert refused.status_code == 400
        assert "no security token" in refused.get_data(as_text=True)
    with vecino.db.transaction() as session:
        assert session.scalars(select(OutboxMessage)).all() == []
        assert HANDOFF_KEY in session.get(ConversationState, contact_id).data
    assert not [a for a in audit_actions(vecino) if a.startswith("conversation.")]
