"""Named actions and predicates that flows call and that the application registers.

An action is where a flow reaches the rest of Vecino (the directory, surveys, outreach). The
engine hands it a context and takes back messages and an outcome; whatever the action touches
(a database session, the contact) arrives through ``deps`` (``bot.action_deps.ActionDeps``),
so the engine itself stays pure: it passes ``deps`` along and never looks inside.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from .flows import Flow, FlowValidator, Step, Target
from .messages import LANGUAGE_SET
from .types import Conversation, Event, Inbound, Outbound

if TYPE_CHECKING:  # for the type checker only: the engine never touches what deps hold
    from ..action_deps import ActionDeps


class Translator(Protocol):
    def gettext(self, language: str | None, message: str, **params: object) -> str: ...


@dataclass(frozen=True)
class FlowEvent:
    """What happened inside a flow, for the flow's ``on_event`` action.

    ``kind`` is ``answer`` (``value`` is the stored answer), ``skip`` (the resident skipped;
    ``value`` is None), ``back`` (the answer under ``key`` was withdrawn to be asked again) or
    ``crisis`` (a crisis message arrived while this flow was waiting for an answer).
    """

    kind: str
    key: str | None = None
    value: Any = None


@dataclass
class ActionContext:
    conversation: Conversation
    step: Step
    inbound: Inbound
    now: datetime
    deps: ActionDeps
    translator: Translator
    flow: Flow | None = None
    event: FlowEvent | None = None

    @property
    def language(self) -> str | None:
        return self.conversation.language

    def gettext(self, message: str, **params: object) -> str:
        return self.translator.gettext(self.language, message, **params)

    def text(self, text: Any) -> str:
        """A flow text ({en:, es:}) in the resident's language."""
        return pick_language(text, self.language)


@dataclass
class ActionResult:
    messages: list[Outbound] = field(default_factory=list)
    outcome: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    language: str | None = None
    events: list[Event] = field(default_factory=list)
    # Continue somewhere decided at run time (another flow, a step found in storage) rather
    # than through the step's fixed outcomes. Ignored when the target does not exist.
    goto: Target | None = None


Action = Callable[[ActionContext], ActionResult]
Predicate = Callable[["ActionDeps | None"], bool]


@dataclass
class Capabilities:
    """The actions and menu predicates available to flows in this application."""

    actions: dict[str, Action] = field(default_factory=dict)
    predicates: dict[str, Predicate] = field(default_factory=dict)
    # Extra checks a domain module runs on the flows it owns (run by ``vecino flows check``).
    validators: list[FlowValidator] = field(default_factory=list)

    def action(self, name: str) -> Callable[[Action], Action]:
        def register(function: Action) -> Action:
            self.actions[name] = function
            return function

        return register

    def predicate(self, name: str) -> Callable[[Predicate], Predicate]:
        def register(function: Predicate) -> Predicate:
            self.predicates[name] = function
            return function

        return register


def pick_language(text: Any, language: str | None) -> str:
    if isinstance(text, str):
        return text
    if not isinstance(text, dict):
        return ""
    return str(text.get(language or "en") or text.get("en") or text.get("es") or "")


def builtin_capabilities() -> Capabilities:
    """Actions every deployment has, independent of any domain module."""
    capabilities = Capabilities()

    @capabilities.action("set_language")
    def set_language(context: ActionContext) -> ActionResult:
        """Remember the language answered in the step's ``save`` key (``es`` or ``en``)."""
        chosen = context.conversation.data.get(context.step.args.get("from", "language"))
        if chosen not in ("es", "en"):
            return ActionResult(outcome="invalid")
        return ActionResult(language=chosen)

    @capabilities.action("toggle_language")
    def toggle_language(context: ActionContext) -> ActionResult:
        new = "en" if context.language == "es" else "es"
        done = replace(context, conversation=replace(context.conversation, language=new))
        return ActionResult(language=new, messages=[Outbound(done.gettext(LANGUAGE_SET))])

    return capabilities
