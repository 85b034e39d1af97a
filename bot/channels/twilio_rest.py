"""Sending SMS and WhatsApp through Twilio's REST API (messages Vecino starts).

``{TWILIO_API_BASE_URL}/2010-04-01/Accounts/{sid}/Messages.json`` through the ``twilio``
library's client, with ``From`` (``TWILIO_FROM_NUMBER``) or ``MessagingServiceSid``, and a
``StatusCallback`` to ``/webhooks/twilio/status`` so receipts update the stored message.

How Twilio's answers are taken (codes from Twilio's error dictionary):

- 429, any 5xx, a timeout or a refused connection, and 30003 (handset unreachable, often
  switched off): nothing is wrong with the message; the outbox tries again with backoff;
- 21610 (the number replied STOP to the carrier): the contact is opted out;
- 21211 (invalid number), 21614 (not a mobile number), 30005 (unknown or inactive number),
  30006 (landline or unreachable carrier): the contact is marked unreachable, no retry;
- anything else: failed, with Twilio's code kept.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import requests
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from ..config import Settings
from ..engine import Outbound
from ..outbound.sender import NETWORK, Pace, SendReport
from ..privacy import mask_address
from ..segments import count_segments
from . import sms

log = logging.getLogger(__name__)
DEFAULT_API_BASE_URL = "https://api.twilio.com"
TIMEOUT_SECONDS = 15
RETRY_CODES = {"30003"}
OPTED_OUT_CODES = {"21610"}
UNREACHABLE_CODES = {"21211", "21614", "30005", "30006"}
WHATSAPP_PREFIX = "whatsapp:"

# The twilio library logs every request's form, which holds the number and the body: keep it
# to warnings (privacy: no phone numbers or message text in logs).
_quiet_logger = logging.getLogger("bot.channels.twilio_rest.http")
_quiet_logger.setLevel(logging.WARNING)


class TwilioRestSender:
    """``Sender`` for the ``sms`` channel, or ``whatsapp`` (addresses are stored bare, as
    ``+1...``; Twilio wants ``whatsapp:+1...`` on both ends)."""

    name = "twilio"

    def __init__(
        self, settings: Settings, whatsapp: bool = False, timeout: float = TIMEOUT_SECONDS
    ) -> None:
        if not (settings.twilio_account_sid and settings.twilio_auth_token):
            raise RuntimeError("TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN are needed to send")
        if not (settings.twilio_from_number or settings.twilio_messaging_service_sid):
            raise RuntimeError("TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID is needed")
        http = TwilioHttpClient(timeout=timeout, logger=_quiet_logger)
        self.client = Client(
            settings.twilio_account_sid, settings.twilio_auth_token, http_client=http
        )
        self.client.api.base_url = (settings.twilio_api_base_url or DEFAULT_API_BASE_URL).rstrip(
            "/"
        )
        self.settings = settings
        self.whatsapp = whatsapp
        base = settings.public_base_url
        self.status_callback = f"{base}/webhooks/twilio/status" if base else None

    def send_replies(
        self,
        address: str,
        replies: Sequence[Outbound],
        language: str | None,
        pace: Pace | None = None,
    ) -> SendReport:
        """Send each rendered body in order; stop at the first that cannot go out."""
        report = SendReport()
        for body in sms.render(replies):
            if pace is not None:
                pace(count_segments(body).segments)
            one = self._send_one(address, body)
            report.add(one)
            if not one.ok:
                break
        return report

    def _send_one(self, address: str, body: str) -> SendReport:
        prefix = WHATSAPP_PREFIX if self.whatsapp else ""
        params: dict[str, str] = {"to": prefix + address, "body": body}
        if self.settings.twilio_messaging_service_sid:
            params["messaging_service_sid"] = self.settings.twilio_messaging_service_sid
        else:
            params["from_"] = prefix + (self.settings.twilio_from_number or "")
        if self.status_callback:
            params["status_callback"] = self.status_callback
        try:
            message = self.client.messages.create(**params)
        except TwilioRestException as error:
            return _refused(error, address)
        except requests.Timeout:
            log.warning("Twilio did not answer in time")
            return SendReport(error="timeout", retryable=True)
        except requests.RequestException as error:
            log.warning("Twilio unreachable: %s", type(error).__name__)
            return SendReport(error=NETWORK, retryable=True)
        return SendReport(sent=1, delivered=[(message.sid, body)])


def _refused(error: TwilioRestException, address: str) -> SendReport:
    code = str(error.code) if error.code is not None else None
    report = SendReport(error=f"twilio {error.status} {code or ''}".strip(), error_code=code)
    if error.status == 429 or error.status >= 500 or code in RETRY_CODES:
        report.retryable = True
    elif code in OPTED_OUT_CODES:
        report.blocked = True
    elif code in UNREACHABLE_CODES:
        report.unreachable = True
    log.warning("Twilio refused a message to %s: %s", mask_address(address), report.error)
    return report
