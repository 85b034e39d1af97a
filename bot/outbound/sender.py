"""What every sender promises, whatever the provider: the ``Sender`` protocol and its report."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from ..engine import Outbound

# Errors every sender reports the same way, so callers need not know the provider.
OPTED_OUT = "opted_out"  # the contact said no (STOP, a blocked bot, carrier error 21610)
NETWORK = "network"  # the provider could not be reached: nothing went out, worth another try

Pace = Callable[[int], object]  # wait for a slot for this many units (``outbound.pacing``)


@dataclass
class SendReport:
    """What happened to a batch: how many went out, and why the rest did not."""

    sent: int = 0
    blocked: bool = False  # the recipient refuses messages (Telegram 403, carrier 21610)
    unreachable: bool = False  # the address cannot take messages (Twilio 21211, 30006, ...)
    retryable: bool = False  # nothing is wrong with the message: try again later
    # "blocked", "opted_out", "rate_limited", "network", "timeout", or the provider's reason
    error: str | None = None
    error_code: str | None = None  # the provider's code, e.g. Twilio "30003"
    retry_after: float | None = None  # seconds the provider asked us to wait
    waited: list[float] = field(default_factory=list)
    # (provider id, text) of each message that went out, in order.
    delivered: list[tuple[str | None, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None

    def add(self, other: SendReport) -> None:
        """Fold one message's report into a batch's."""
        self.sent += other.sent
        self.waited += other.waited
        self.delivered += other.delivered
        self.blocked = self.blocked or other.blocked
        self.unreachable = self.unreachable or other.unreachable
        self.retryable = other.retryable
        self.error = other.error
        self.error_code = other.error_code
        self.retry_after = other.retry_after


@runtime_checkable
class Sender(Protocol):
    """Sends a turn's worth of messages to one address, rendered for its channel.

    ``name`` is what the send rate is kept under (one Twilio account, one Telegram bot).
    ``pace`` is called with each message's cost (SMS segments; 1 for a Telegram message)
    before it goes out, and waits as long as the rate requires.
    """

    name: str

    def send_replies(
        self,
        address: str,
        replies: Sequence[Outbound],
        language: str | None,
        pace: Pace | None = None,
    ) -> SendReport: ...
