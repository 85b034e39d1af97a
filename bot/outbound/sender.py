"""What every sender promises, whatever the provider: the ``Sender`` protocol and its report."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from ..engine import Outbound

# Errors every sender reports the same way, so callers need not know the provider.
OPTED_OUT = "opted_out"  # the contact said no (STOP, a blocked bot, carrier error 21610)
NETWORK = "network"  # the provider could not be reached: nothing went out, worth another try


@dataclass
class SendReport:
    """What happened to a batch: how many went out, and why the rest did not."""

    sent: int = 0
    blocked: bool = False  # the recipient refuses messages (Telegram 403, carrier opt-out)
    # "blocked", "opted_out", "rate_limited", "network", "timeout", or the provider's reason
    error: str | None = None
    waited: list[float] = field(default_factory=list)
    provider_ids: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None

    def add(self, other: SendReport) -> None:
        """Fold one message's report into a batch's."""
        self.sent += other.sent
        self.waited += other.waited
        self.blocked = self.blocked or other.blocked
        self.error = other.error
        self.provider_ids += other.provider_ids


@runtime_checkable
class Sender(Protocol):
    """Sends one turn's worth of messages to one address, rendering them for its channel."""

    def send_replies(
        self, address: str, replies: Sequence[Outbound], language: str | None
    ) -> SendReport: ...
