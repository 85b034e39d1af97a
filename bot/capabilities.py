"""The actions and menu predicates each domain module offers to flows.

A capability registers here when it exists; until then, a flow that names its action fails
``vecino flows check``, and a menu item guarded by its predicate stays hidden.
"""

from __future__ import annotations

from .directory.actions import register as register_directory
from .directory.followup import register as register_followup
from .engine import Capabilities
from .handoff import register as register_handoff
from .outreach.actions import register as register_outreach
from .outreach.slot_actions import register as register_slots
from .surveys.actions import register as register_surveys


def build_capabilities() -> Capabilities:
    capabilities = Capabilities()
    register_surveys(capabilities)
    register_directory(capabilities)
    register_followup(capabilities)
    register_outreach(capabilities)
    register_slots(capabilities)
    register_handoff(capabilities)
    return capabilities
