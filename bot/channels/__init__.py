"""Channels translate between a provider's format and the engine's ``Inbound``/``Outbound``.

Each channel module has the same shape: parse a provider request into an ``Envelope``, render
replies into what the provider sends, and (for channels that can) send outside a webhook reply.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

from ..engine import Outbound


@runtime_checkable
class Renderer(Protocol):
    """How a channel turns the engine's replies into what its provider sends."""

    name: str

    def render(self, replies: Sequence[Outbound]) -> list[Any]: ...
