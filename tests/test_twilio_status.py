"""POST /webhooks/twilio/status: delivery receipts update the message we sent."""

from __future__ import annotations

from sqlalchemy import select

from bot.models import Contact, Message

from .conftest import PUBLIC_BASE_URL, twilio_signature

PATH = "/webhooks/twilio/status"


def post_status(client, **params: str):  # type: ignore[no-untyped-def]
    signature = twilio_signature(PUBLIC_BASE_URL + PATH, params)
    return client.post(PATH, data=params, headers={"X-Twilio-Signature": signature})


def sent_message(vecino, sid: str = "SMout1", channel: str = "sms") -> int:  # type: ignore[no-untyped-def]
    with vecino.db.transaction() as session:
        contact = Contact(channel=channel, address="+12135550123", language="es")
        session.add(contact)
        session.flush()
        message = Message(
            contact_id=contact.id,
            channel=channel,
            direction="out",
            provider_id=sid,
            body="Recordatorio",
            status="queued",
        )
        session.add(message)
        session.flush()
        return message.id


def stored(vecino, message_id: int) -> tuple[str, str | None, object]:  # type: ignore[no-untyped-def]
    with vecino.db.transaction() as session:
        message = session.get(Message, message_id)
        contact = session.get(Contact, message.contact_id)
        return message.status, message.error_code, contact.opted_out_at


def test_statuses_move_forward_only(client, vecino):  # type: ignore[no-untyped-def]
    message_id = sent_message(vecino)
    assert post_status(client, MessageSid="SMout1", MessageStatus="delivered").status_code == 200
    post_status(client, MessageSid="SMout1", MessageStatus="sent")  # late, out of order
    assert stored(vecino, message_id)[0] == "delivered"


def test_error_21610_marks_the_contact_opted_out(client, vecino, clock):  # type: ignore[no-untyped-def]
    message_id = sent_message(vecino)
    post_status(client, MessageSid="SMout1", MessageStatus="undelivered", ErrorCode="21610")
    status, error, opted_out_at = stored(vecino, message_id)
    assert (status, error, opted_out_at) == ("undelivered", "21610", clock.now)


def test_other_failures_keep_the_contact(client, vecino):  # type: ignore[no-untyped-def]
    message_id = sent_message(vecino)
    post_status(client, MessageSid="SMout1", MessageStatus="failed", ErrorCode="30003")
    assert stored(vecino, message_id) == ("failed", "30003", None)


def test_whatsapp_receipts_find_the_whatsapp_message(client, vecino):  # type: ignore[no-untyped-def]
    message_id = sent_message(vecino, channel="whatsapp")
    post_status(client, MessageSid="SMout1", MessageStatus="read", To="whatsapp:+12135550123")
    assert stored(vecino, message_id)[0] == "read"


def test_unknown_sid_is_acknowledged_and_changes_nothing(client, vecino):  # type: ignore[no-untyped-def]
    response = post_status(client, MessageSid="SMnever", MessageStatus="delivered")
    assert response.status_code == 200
    with vecino.db.transaction() as session:
        assert session.scalars(select(Message)).all() == []


def test_forged_and_incomplete_callbacks(client, vecino):  # type: ignore[no-untyped-def]
    message_id = sent_message(vecino)
    forged = client.post(
        PATH,
        data={"MessageSid": "SMout1", "MessageStatus": "failed"},
        headers={"X-Twilio-Signature": "forged"},
    )
    assert forged.status_code == 403
    assert post_status(client, MessageSid="SMout1").status_code == 400
    assert stored(vecino, message_id)[0] == "queued"
