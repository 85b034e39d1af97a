"""Inputs that used to reach the database unchecked (500s, mostly on PostgreSQL only)."""

from __future__ import annotations

import json
import uuid

from sqlalchemy import func, select

from bot.models import Message

from ..conftest import PUBLIC_BASE_URL, TwilioSender, twilio_signature


def _inbound_bodies(vecino) -> list[str]:  # type: ignore[no-untyped-def]
    with vecino.db.transaction() as session:
        return list(session.scalars(select(Message.body).where(Message.direction == "in")))


def _count(vecino) -> int:  # type: ignore[no-untyped-def]
    with vecino.db.transaction() as session:
        return session.scalar(select(func.count()).select_from(Message))


# ---- Twilio ---------------------------------------------------------------------------------


def test_a_nul_in_the_body_is_stripped_and_the_message_answered(twilio: TwilioSender, vecino):
    response = twilio.post("ho\x00la")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert _inbound_bodies(vecino) == ["hola"]


def test_a_from_longer_than_the_column_is_refused_with_a_reason(twilio: TwilioSender, vecino):
    response = twilio.post("hola", sender="x" * 65)
    assert response.status_code == 400
    assert "From" in response.get_data(as_text=True)
    assert _count(vecino) == 0


def test_a_nul_in_from_or_message_sid_is_refused(twilio: TwilioSender, vecino):
    assert twilio.post("hola", sender="+1213555\x000123").status_code == 400
    assert twilio.post("hola", sid="SM\x00" + "0" * 32).status_code == 400
    assert _count(vecino) == 0


def test_a_nul_in_a_status_callbacks_message_sid_is_refused(twilio: TwilioSender):
    sender = TwilioSender(twilio.client, path="/webhooks/twilio/status")
    response = sender.post(None, sid="SM\x00abc", MessageStatus="delivered")
    assert response.status_code == 400
    assert "MessageSid" in response.get_data(as_text=True)


def test_an_odd_status_in_a_callback_is_refused(twilio: TwilioSender):
    sender = TwilioSender(twilio.client, path="/webhooks/twilio/status")
    assert sender.post(None, MessageStatus="deliv\x00ered").status_code == 400
    assert sender.post(None, MessageStatus="delivered", ErrorCode="3\x00").status_code == 400


def test_a_status_callback_for_a_reply_with_a_nul_status_changes_nothing(
    twilio: TwilioSender, vecino
):
    """The reply's status is "replied" (unranked), so an unranked status used to be written."""
    twilio.post("hola", sid="SM" + "1" * 32)
    with vecino.db.transaction() as session:
        reply = session.scalars(select(Message).where(Message.direction == "out")).first()
        reply.provider_id = "SM" + "2" * 32
    sender = TwilioSender(twilio.client, path="/webhooks/twilio/status")
    assert sender.post(None, sid="SM" + "2" * 32, MessageStatus="x\x00").status_code == 400


def _multipart(parts: list[tuple[str, str]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    chunks = []
    for disposition, value in parts:
        chunks.append(
            f"--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n{value}\r\n".encode()
        )
    chunks.append(f"--{boundary}--\r\n".encode())
    return b"".join(chunks), f"multipart/form-data; boundary={boundary}"


def test_a_multipart_body_with_a_nameless_part_is_refused_before_the_signature(
    twilio: TwilioSender, vecino
):
    body, content_type = _multipart([("form-data", "x"), ('form-data; name="From"', "+1213")])
    for path in ("/webhooks/twilio", "/webhooks/twilio/status"):
        response = twilio.client.post(
            path,
            data=body,
            content_type=content_type,
            headers={"X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl"},
        )
        assert response.status_code in (400, 403), (path, response.status_code)
    assert _count(vecino) == 0


def test_a_signed_multipart_body_is_still_refused(twilio: TwilioSender, vecino):
    """Twilio sends form-encoded bodies only; anything else is not Twilio, signed or not."""
    params = twilio.params("hola", "+12135550123")
    signature = twilio_signature(PUBLIC_BASE_URL + "/webhooks/twilio", params)
    body, content_type = _multipart([(f'form-data; name="{k}"', v) for k, v in params.items()])
    response = twilio.client.post(
        "/webhooks/twilio",
        data=body,
        content_type=content_type,
        headers={"X-Twilio-Signature": signature},
    )
    assert response.status_code == 400
    assert "form-encoded" in response.get_data(as_text=True)
    assert _count(vecino) == 0


# ---- Telegram -------------------------------------------------------------------------------


def test_telegram_text_with_a_nul_is_stripped_and_answered(telegram, vecino, bot_api):  # type: ignore[no-untyped-def]
    response = telegram.text("ho\x00la")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert _inbound_bodies(vecino) == ["hola"]


def test_telegram_text_with_a_lone_surrogate_is_answered(telegram, vecino, bot_api):  # type: ignore[no-untyped-def]
    raw = json.dumps(telegram.update(message=telegram.message(text="x"))).replace(
        '"text": "x"', '"text": "a\\ud800b"'
    )
    response = telegram.post(raw.encode())
    assert response.status_code == 200, response.get_data(as_text=True)
    assert _inbound_bodies(vecino) == ["a\ufffdb"]


def test_telegram_location_that_is_not_finite_is_refused(telegram, vecino):  # type: ignore[no-untyped-def]
    for latitude, longitude in (("NaN", "-118.2"), ("34.0", "Infinity"), ("1e999", "-118.2")):
        raw = json.dumps(telegram.update(message=telegram.message(location={"latitude": 0})))
        raw = raw.replace('"latitude": 0', f'"latitude": {latitude}, "longitude": {longitude}')
        response = telegram.post(raw.encode())
        assert response.status_code == 400, (latitude, longitude, response.status_code)
    assert _count(vecino) == 0


def test_deeply_nested_telegram_json_is_a_400(telegram, vecino):  # type: ignore[no-untyped-def]
    for depth in (100, 100_000):
        raw = '{"update_id": 1, "message": ' + "[" * depth + "]" * depth + "}"
        response = telegram.post(raw.encode())
        assert response.status_code == 400, (depth, response.status_code)
    assert _count(vecino) == 0
