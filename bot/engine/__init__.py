"""The channel-agnostic conversation engine. No Flask, Twilio or Telegram in here."""

from .actions import ActionContext, ActionResult, Capabilities, FlowEvent
from .flows import FlowFault, FlowSet, load_flows, validate
from .runner import HANDOFF_FLOW, MAIN_FLOW, WELCOME_FLOW, Engine, EngineSettings, InvalidFlows
from .types import (
    HANDOFF_KEY,
    HISTORY_KEY,
    OFFER_KEY,
    PREFILL_KEY,
    SHOWN_KEY,
    TRIGGER_KEY,
    Conversation,
    Event,
    Inbound,
    Location,
    Option,
    Outbound,
    Turn,
)

__all__ = [
    "HANDOFF_FLOW",
    "HANDOFF_KEY",
    "HISTORY_KEY",
    "MAIN_FLOW",
    "OFFER_KEY",
    "PREFILL_KEY",
    "SHOWN_KEY",
    "TRIGGER_KEY",
    "WELCOME_FLOW",
    "ActionContext",
    "ActionResult",
    "Capabilities",
    "Conversation",
    "Engine",
    "EngineSettings",
    "Event",
    "FlowEvent",
    "FlowFault",
    "FlowSet",
    "Inbound",
    "InvalidFlows",
    "Location",
    "Option",
    "Outbound",
    "Turn",
    "load_flows",
    "validate",
]
