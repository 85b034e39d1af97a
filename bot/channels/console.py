"""``vecino chat``: a resident's conversation in a terminal, through the real engine and
database, rendered as SMS (or, with ``--channel telegram``, as Telegram messages with their
buttons in brackets). Reads lines from standard input, so it can also be scripted."""

from __future__ import annotations

import html
import logging
import uuid
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TextIO

from ..conversations import Envelope
from ..engine import Inbound, Outbound
from ..outbound.sender import Pace, SendReport
from ..privacy import mask_address
from ..segments import count_segments
from . import sms

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from ..services import Vecino


class ConsoleRenderer:
    name = "console"

    def render(self, replies: list) -> list[str]:
        return sms.render(replies)


class ConsoleSender:
    """``Sender`` for ``vecino run`` without provider credentials: what would be sent goes to
    the log instead, masked (the number shortened, no message text), so a newcomer sees the
    worker's follow-ups and reminders happen."""

    name = "console"

    def send_replies(
        self,
        address: str,
        replies: Sequence[Outbound],
        language: str | None,
        pace: Pace | None = None,
    ) -> SendReport:
        report = SendReport()
        for body in sms.render(replies):
            segments = count_segments(body).segments
            if pace is not None:
                pace(segments)
            steps = ",".join(reply.step for reply in replies if reply.step) or "-"
            log.info(
                "console sender: would send %d segment(s) to %s (%s, step %s)",
                segments,
                mask_address(address),
                language or "es+en",
                steps,
            )
            report.add(SendReport(sent=1, delivered=[(f"console-{uuid.uuid4().hex}", body)]))
        return report


def run_chat(
    vecino: Vecino, channel: str, address: str, lines: TextIO, echo: Callable[[str], None]
) -> None:
    interactive = lines.isatty()
    if interactive:
        echo(f"Chatting as {address} on {channel}. Type a message; Ctrl-D to quit.")
    while True:
        if interactive:
            echo("you> ", nl=False)  # type: ignore[call-arg]
        line = lines.readline()
        if not line:
            break
        text = line.rstrip("\n")
        if not interactive:
            echo(f"you> {text}")
        envelope = Envelope(
            channel, address, Inbound(text=text), provider_id=f"console-{uuid.uuid4().hex}"
        )
        delivery = vecino.conversations.receive(envelope)
        if channel == "telegram":
            from .telegram import TelegramRenderer

            rendered = TelegramRenderer(vecino.catalogs, delivery.language).render(delivery.replies)
            bodies = [html.unescape(message.as_text()) for message in rendered]
        else:
            bodies = ConsoleRenderer().render(delivery.replies)
        if not bodies:
            echo("bot> (no reply)")
        for body in bodies:
            echo("bot> " + body.replace("\n", "\n     "))
