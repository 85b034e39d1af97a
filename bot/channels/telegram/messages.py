"""Words only the Telegram channel says: a button label, a note about edits, command menus.

Marked with ``N_`` for extraction like the engine's own strings; Spanish lives in the same
catalog (``locales/es/LC_MESSAGES/messages.po``).
"""

from __future__ import annotations

from ...engine.messages import N_

SHARE_LOCATION = N_("📍 Share my location")
EDITED_MESSAGE = N_(
    "I only read new messages, not edits. If you meant something else, please send it again."
)

# The command menu Telegram shows next to the text box (set by `vecino telegram set-webhook`).
COMMANDS = {
    "start": N_("Start over"),
    "menu": N_("See all the options"),
    "help": N_("Who we are and how to stop"),
    "lang": N_("Switch language (español / English)"),
    "stop": N_("Stop all messages"),
}
