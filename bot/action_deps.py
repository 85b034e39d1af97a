"""What flow actions may touch during a turn, as a type: the application's side of the engine.

Kept outside ``bot.engine`` so the engine names no storage type, not even for the type
checker; ``bot.conversations.Deps`` is the object that satisfies it.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from .config import Settings
    from .models import Contact


class ActionDeps(Protocol):
    """What actions may touch during a turn; the application's ``bot.conversations.Deps``.

    The same object arrives whether the resident wrote (``handle``) or Vecino started the
    flow (``start``, ``resume``); ``inbound_message_id`` is None in the latter.
    """

    settings: Settings
    now: datetime
    inbound_message_id: int | None

    @property
    def session(self) -> Session:
        """The transaction's ORM session, opened the first time an action asks."""
        ...

    @property
    def contact(self) -> Contact:
        """The contact whose turn this is, loaded the first time an action asks."""
        ...
