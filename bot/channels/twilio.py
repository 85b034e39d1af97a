"""Twilio SMS and WhatsApp: the inbound webhook and its TwiML reply.

Order, as in every webhook here: verify the signature, check the fields, hand over to the
conversation service (which dedupes on ``MessageSid``), reply. Nothing in here decides what to
say; that is the engine's job.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

import phonenumbers
from flask import Blueprint, Response, current_app, request
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from ..conversations import Envelope
from ..db import UNAVAILABLE
from ..engine import Inbound, Outbound
from ..outbound.receipts import record_status
from . import sms
from .edge import clean_text, has_control_characters

log = logging.getLogger(__name__)
blueprint = Blueprint("twilio", __name__)
WHATSAPP_PREFIX = "whatsapp:"
FORM = "application/x-www-form-urlencoded"  # the only body Twilio sends to these webhooks
MAX_ADDRESS = 64  # contacts.address is varchar(64)
MAX_MEDIA = 10  # Twilio attaches at most 10 media to a message
PROVIDER_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")  # Twilio's are "SM" + 32 hex digits
STATUS = re.compile(r"^[a-z_]{1,16}$")
ERROR_CODE = re.compile(r"^[0-9]{1,16}$")


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
    try:
        return validator.validate(_public_url(), request.form.to_dict(flat=True), signature)
    except (TypeError, ValueError) as error:
        # A second line behind the form-encoded check: input the signature maths cannot
        # digest is not from Twilio.
        log.warning("Twilio signature check failed on odd input: %s", type(error).__name__)
        return False


def refuse_request() -> Response | None:
    """403 or 400 for a request that is not Twilio's, before anything acts on it.

    The body type comes first: a multipart body can carry a nameless part, which the
    signature check would choke on (``TypeError``) before it could answer.
    """
    if request.mimetype != FORM:
        return _plain(f"Bad request: Twilio sends form-encoded bodies ({FORM}).", 400)
    if not signature_is_valid():
        return _plain("Forbidden: invalid or missing X-Twilio-Signature.", 403)
    return None


def _plain(message: str, status: int) -> Response:
    return Response(message + "\n", status=status, mimetype="text/plain")


def _sender(raw: str) -> tuple[str, str] | str:
    """``(channel, address)`` from ``From``, or why it cannot be stored."""
    if has_control_characters(raw):
        return "From has characters no phone address has"
    channel, address = normalize_address(raw)
    if len(address) > MAX_ADDRESS:
        return f"From is longer than {MAX_ADDRESS} characters"
    return channel, address


@blueprint.post("/webhooks/twilio")
def inbound() -> Response:
    try:
        with current_app.extensions["vecino"].db.one_at_a_time():
            return _inbound()
    except UNAVAILABLE:  # this process's other requests kept the turn past the bound
        log.exception("no turn for a Twilio message in time")
        return _plain("Service unavailable: try again later.", 503)


def _inbound() -> Response:
    refused = refuse_request()
    if refused is not None:
        return refused
    form = request.form
    media_count = _media_count(form.get("NumMedia"))
    missing = [name for name in ("From", "MessageSid") if not form.get(name, "").strip()]
    if "Body" not in form and not media_count:
        missing.append("Body")
    if missing:
        return _plain(f"Bad request: missing {', '.join(missing)}.", 400)
    sid = form["MessageSid"].strip()
    if not PROVIDER_ID.match(sid):
        return _plain("Bad request: MessageSid is not a Twilio message id.", 400)
    sender = _sender(form["From"])
    if isinstance(sender, str):
        return _plain(f"Bad request: {sender}.", 400)
    channel, address = sender

    envelope = Envelope(
        channel=channel,
        address=address,
        message=Inbound(text=clean_text(form.get("Body", "")), media_count=media_count),
        provider_id=sid,
    )
    try:
        delivery = current_app.extensions["vecino"].conversations.receive(envelope)
    except UNAVAILABLE:
        # Nothing was stored, so nothing is lost: Twilio logs the failure and the resident's
        # next message finds the conversation where it was.
        log.exception("database unavailable while handling a Twilio message")
        return _plain("Service unavailable: try again later.", 503)
    return twiml(SmsRenderer().render(delivery.replies))


@blueprint.post("/webhooks/twilio/status")
def status_callback() -> Response:
    """Twilio's status callback for a message we sent: sent, delivered, failed, ..."""
    refused = refuse_request()
    if refused is not None:
        return refused
    form = request.form
    sid = (form.get("MessageSid") or form.get("SmsSid") or "").strip()
    status = (form.get("MessageStatus") or form.get("SmsStatus") or "").strip().lower()
    error_code = (form.get("ErrorCode") or "").strip()
    missing = [
        name for name, value in (("MessageSid", sid), ("MessageStatus", status)) if not value
    ]
    if missing:
        return _plain(f"Bad request: missing {', '.join(missing)}.", 400)
    problem = _receipt_problem(sid, status, error_code)
    if problem is not None:
        return _plain(f"Bad request: {problem}.", 400)
    channel = "whatsapp" if form.get("To", "").lower().startswith(WHATSAPP_PREFIX) else "sms"
    vecino = current_app.extensions["vecino"]
    try:
        with vecino.db.transaction() as session:
            known = record_status(
                session,
                channel,
                sid,
                status,
                error_code or None,
                vecino.conversations.clock(),
            )
    except UNAVAILABLE:
        # Say plainly that the receipt was not recorded, rather than fail with a 500.
        log.exception("database unavailable while recording a delivery receipt")
        return _plain("Service unavailable: try again later.", 503)
    # 200 even for an unknown id (a message sent by another system on the same number):
    # there is nothing to update, and an error would only fill Twilio's debugger.
    return _plain("ok" if known else "unknown message", 200)


def _receipt_problem(sid: str, status: str, error_code: str) -> str | None:
    if not PROVIDER_ID.match(sid):
        return "MessageSid is not a Twilio message id"
    if not STATUS.match(status):
        return "MessageStatus is not a Twilio status"
    if error_code and not ERROR_CODE.match(error_code):
        return "ErrorCode is not a number"
    return None


def _media_count(raw: str | None) -> int:
    try:
        return min(max(int(raw or 0), 0), MAX_MEDIA)
    except ValueError:
        return 0
