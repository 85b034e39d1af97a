"""Twilio SMS and WhatsApp: the inbound webhook and its TwiML reply.

Order, as in every webhook here: verify the signature, check the fields, hand over to the
conversation service (which dedupes on ``MessageSid``), reply. Nothing in here decides what to
say; that is the engine's job.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import phonenumbers
from flask import Blueprint, Response, current_app, request
from sqlalchemy.exc import OperationalError
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from ..conversations import Envelope
from ..engine import Inbound, Outbound
from ..outbound.receipts import record_status
from . import sms

log = logging.getLogger(__name__)
blueprint = Blueprint("twilio", __name__)
WHATSAPP_PREFIX = "whatsapp:"


class SmsRenderer:
    """SMS and WhatsApp look the same to a resident: numbered choices, plain text."""

    name = "sms"

    def render(self, replies: Sequence[Outbound]) -> list[str]:
        return sms.render(replies)


def twiml(bodies: Sequence[str]) -> Response:
    response = MessagingResponse()
    for body in bodies:
        response.message(body)
    return Response(str(response), mimetype="text/xml")


def normalize_address(raw: str) -> tuple[str, str]:
    """``(channel, address)`` from Twilio's ``From``: ``whatsapp:+1...`` is its own channel.

    Phone numbers are stored in E.164 so the same resident is one contact however Twilio
    formats the number; anything unparseable (a short code, an alphanumeric sender) is kept
    as given.
    """
    channel = "sms"
    value = raw.strip()
    if value.lower().startswith(WHATSAPP_PREFIX):
        channel, value = "whatsapp", value[len(WHATSAPP_PREFIX) :]
    try:
        number = phonenumbers.parse(value, "US")
    except phonenumbers.NumberParseException:
        return channel, value
    if not phonenumbers.is_possible_number(number):
        return channel, value
    return channel, phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _public_url() -> str:
    """The URL Twilio signed: ``PUBLIC_BASE_URL`` + path when set, else the request's own URL
    (which honours ``X-Forwarded-*`` when ``VECINO_TRUSTED_PROXIES`` is set)."""
    base = current_app.config["SETTINGS"].public_base_url
    if base:
        query = request.query_string.decode()
        return f"{base}{request.path}" + (f"?{query}" if query else "")
    return request.url


def signature_is_valid() -> bool:
    token = current_app.config["SETTINGS"].twilio_auth_token
    signature = request.headers.get("X-Twilio-Signature", "")
    if not token:
        log.error("TWILIO_AUTH_TOKEN is not set: refusing Twilio webhooks")
        return False
    if not signature:
        return False
    validator = RequestValidator(token)
    return validator.validate(_public_url(), request.form.to_dict(flat=True), signature)


def _plain(message: str, status: int) -> Response:
    return Response(message + "\n", status=status, mimetype="text/plain")


@blueprint.post("/webhooks/twilio")
def inbound() -> Response:
    if not signature_is_valid():
        return _plain("Forbidden: invalid or missing X-Twilio-Signature.", 403)
    form = request.form
    media_count = _media_count(form.get("NumMedia"))
    missing = [name for name in ("From", "MessageSid") if not form.get(name, "").strip()]
    if "Body" not in form and not media_count:
        missing.append("Body")
    if missing:
        return _plain(f"Bad request: missing {', '.join(missing)}.", 400)

    channel, address = normalize_address(form["From"])
    envelope = Envelope(
        channel=channel,
        address=address,
        message=Inbound(text=form.get("Body", ""), media_count=media_count),
        provider_id=form["MessageSid"].strip()[:64],
    )
    try:
        delivery = current_app.extensions["vecino"].conversations.receive(envelope)
    except OperationalError:
        # Nothing was stored, so nothing is lost: Twilio logs the failure and the resident's
        # next message finds the conversation where it was.
        log.exception("database unavailable while handling a Twilio message")
        return _plain("Service unavailable: try again later.", 503)
    return twiml(SmsRenderer().render(delivery.replies))


@blueprint.post("/webhooks/twilio/status")
def status_callback() -> Response:
    """Twilio's status callback for a message we sent: sent, delivered, failed, ..."""
    if not signature_is_valid():
        return _plain("Forbidden: invalid or missing X-Twilio-Signature.", 403)
    form = request.form
    sid = (form.get("MessageSid") or form.get("SmsSid") or "").strip()
    status = (form.get("MessageStatus") or form.get("SmsStatus") or "").strip()
    missing = [
        name for name, value in (("MessageSid", sid), ("MessageStatus", status)) if not value
    ]
    if missing:
        return _plain(f"Bad request: missing {', '.join(missing)}.", 400)
    channel = "whatsapp" if form.get("To", "").lower().startswith(WHATSAPP_PREFIX) else "sms"
    vecino = current_app.extensions["vecino"]
    try:
        with vecino.db.transaction() as session:
            known = record_status(
                session,
                channel,
                sid[:64],
                status,
                form.get("ErrorCode") or None,
                vecino.conversations.clock(),
            )
    except OperationalError:
        # Say plainly that the receipt was not recorded, rather than fail with a 500.
        log.exception("database unavailable while recording a delivery receipt")
        return _plain("Service unavailable: try again later.", 503)
    # 200 even for an unknown id (a message sent by another system on the same number):
    # there is nothing to update, and an error would only fill Twilio's debugger.
    return _plain("ok" if known else "unknown message", 200)


def _media_count(raw: str | None) -> int:
    try:
        return max(int(raw or 0), 0)
    except ValueError:
        return 0
