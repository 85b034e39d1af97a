"""Values that cross the engine's boundary. Plain data: no I/O, no channel detail."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

LANGUAGES = ("es", "en")

# Keys the engine keeps in a conversation's ``data`` beside the answers. Public, so domain
# actions that read or hand them back name them here rather than reach into the runner.
SHOWN_KEY = "_shown"  # the choice values the waiting question showed, in order
TRIGGER_KEY = "_trigger_text"  # the words that started the flow ("comida 90057")
# Questions answered so far in the current flow, newest last (only in flows with allow_back).
HISTORY_KEY = "_history"
# Answers an action hands back to resume a flow: the engine walks past these questions,
# following branches exactly as if the resident had just answered them again.
PREFILL_KEY = "_prefill"
# Choice values an action offers to the next question (the survey picker offers the open
# surveys only): the question shows these, in this order, among those its show_if allows.
OFFER_KEY = "_offer"
# Set while the resident waits for (or talks with) a person on staff: the bot is paused for
# them (``bot.handoff`` sets and clears it; the engine only reads it).
HANDOFF_KEY = "_handoff"


@dataclass(frozen=True)
class Location:
    latitude: float
    longitude: float


@dataclass(frozen=True)
class Inbound:
    """What a resident sent, already translated from the channel's format."""

    text: str = ""
    location: Location | None = None
    # A button press: the choice's value and the step it belonged to (to spot stale buttons).
    choice: str | None = None
    choice_step: str | None = None
    media_count: int = 0


@dataclass(frozen=True)
class Option:
    """One choice shown to the resident: its value and its label in their language."""

    value: str
    label: str


@dataclass(frozen=True)
class Outbound:
    """One message for the resident. Channels decide how choices look (numbers or buttons)."""

    text: str
    options: tuple[Option, ...] = ()
    asks_location: bool = False
    step: str | None = None  # "flow/step" of the question, so a button can name its question
    # False when the text already names the options by number ("Reply 1, 2 or 3."): SMS then
    # leaves out the numbered list, a channel with buttons still draws them.
    list_options: bool = True

    def to_payload(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "options": [[o.value, o.label] for o in self.options],
            "asks_location": self.asks_location,
            "step": self.step,
            "list_options": self.list_options,
        }

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> Outbound:
        return cls(
            text=payload["text"],
            options=tuple(Option(v, label) for v, label in payload.get("options", [])),
            asks_location=payload.get("asks_location", False),
            step=payload.get("step"),
            list_options=payload.get("list_options", True),
        )


@dataclass(frozen=True)
class Conversation:
    """A contact's state as the engine sees it."""

    language: str | None = None
    opted_out: bool = False
    flow_id: str | None = None
    step_id: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    invalid_count: int = 0
    updated_at: datetime | None = None

    def at(self, flow_id: str | None, step_id: str | None) -> Conversation:
        return replace(self, flow_id=flow_id, step_id=step_id, invalid_count=0)

    @property
    def waiting(self) -> bool:
        return self.step_id is not None


@dataclass(frozen=True)
class Event:
    """Something the caller must act on beyond sending messages."""

    kind: str  # opted_out, opted_in, crisis, language_set, expired, action
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass
class Turn:
    """The engine's answer to one inbound message."""

    conversation: Conversation
    messages: list[Outbound] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
