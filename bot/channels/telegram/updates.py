"""Telegram updates, already parsed by python-telegram-bot, turned into what Vecino does next.

``translate`` is pure: it decides from the update alone. Whether ``/start`` means "menu" or
"subscribe me again" depends on the contact, so commands are resolved in a second step,
``command_text``, with the contact's state in hand.

What a resident can send, and what happens:

- text, a photo/sticker/voice note (with or without a caption), a shared location or venue, a
  button press: into the conversation, like any SMS;
- ``/start [payload]``, ``/stop``, ``/help``, ``/menu``, ``/lang [es|en]`` (and Spanish aliases):
  the engine's own keywords, so they behave exactly as STOP / HELP / MENU / ES over SMS;
- an edit of an earlier message: a short note that edits are not read (the original was);
- blocking the bot: the contact is marked opted out at once;
- anything in a group, supergroup or channel, service messages, update types we did not ask
  for: ignored. The bot is one-to-one; answering in a group would spam it and leak who asked.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from telegram import ChatMember, Message, Update
from telegram.constants import ChatType

from ...engine import Inbound, Location
from .messages import EDITED_MESSAGE
from .render import decode_callback

ALLOWED_UPDATES = ("message", "edited_message", "callback_query", "my_chat_member")
COMMAND = re.compile(r"^/([A-Za-z0-9_]{1,32})(?:@[A-Za-z0-9_]+)?(?:\s+(.*))?$", re.DOTALL)
DEEP_LINK_PAYLOAD = re.compile(r"^[A-Za-z0-9_-]{1,64}$")  # what Telegram allows in ?start=
COMMANDS = {
    "start": "start",
    "inicio": "start",
    "stop": "stop",
    "alto": "stop",
    "baja": "stop",
    "help": "help",
    "ayuda": "help",
    "menu": "menu",
    "lang": "lang",
    "language": "lang",
    "idioma": "lang",
}
MEDIA = (
    "animation",
    "audio",
    "contact",
    "dice",
    "document",
    "photo",
    "poll",
    "sticker",
    "story",
    "video",
    "video_note",
    "voice",
)


@dataclass(frozen=True)
class Incoming:
    """A message for the conversation. ``command`` is set for a known bot command."""

    chat_id: str
    inbound: Inbound
    provider_id: str
    command: str | None = None
    argument: str = ""
    callback_query_id: str | None = None


@dataclass(frozen=True)
class Notice:
    """A fixed answer that does not enter the conversation (the note about edits)."""

    chat_id: str
    message: str


@dataclass(frozen=True)
class Blocked:
    """The resident blocked the bot."""

    chat_id: str


@dataclass(frozen=True)
class Ignored:
    reason: str
    callback_query_id: str | None = None


Decision = Incoming | Notice | Blocked | Ignored


def translate(update: Update, long_choices: Mapping[str, tuple[str, str]]) -> Decision:
    provider_id = f"u{update.update_id}"
    if update.callback_query is not None:
        query = update.callback_query
        chat = query.message.chat if query.message is not None else None
        if chat is None or chat.type != ChatType.PRIVATE:
            return Ignored("button outside a private chat", query.id)
        return Incoming(
            str(chat.id),
            decode_callback(query.data, long_choices),
            provider_id,
            callback_query_id=query.id,
        )
    if update.message is not None:
        return _message(update.message, provider_id)
    if update.edited_message is not None:
        edited = update.edited_message
        if edited.chat.type != ChatType.PRIVATE:
            return Ignored("edit in a group")
        if edited.location is not None:
            return Ignored("live location update")  # a moving dot, not a new answer
        return Notice(str(edited.chat.id), EDITED_MESSAGE)
    if update.my_chat_member is not None:
        member = update.my_chat_member
        if member.chat.type == ChatType.PRIVATE and member.new_chat_member.status in (
            ChatMember.BANNED,  # "kicked": what a private chat reports when the user blocks
            ChatMember.LEFT,
        ):
            return Blocked(str(member.chat.id))
        return Ignored("membership change")
    if update.channel_post is not None or update.edited_channel_post is not None:
        return Ignored("channel post")
    return Ignored("update type not handled")


def _message(message: Message, provider_id: str) -> Decision:
    if message.chat.type != ChatType.PRIVATE:
        return Ignored("group chat")
    chat_id = str(message.chat.id)
    if message.text is not None:
        match = COMMAND.match(message.text.strip())
        if match and match.group(1).lower() in COMMANDS:
            return Incoming(
                chat_id,
                Inbound(text=message.text),
                provider_id,
                command=COMMANDS[match.group(1).lower()],
                argument=(match.group(2) or "").strip(),
            )
        return Incoming(chat_id, Inbound(text=message.text), provider_id)
    if message.location is not None:  # also set for a shared venue
        where = Location(message.location.latitude, message.location.longitude)
        return Incoming(chat_id, Inbound(location=where), provider_id)
    if any(getattr(message, kind, None) for kind in MEDIA):
        return Incoming(chat_id, Inbound(text=message.caption or "", media_count=1), provider_id)
    return Ignored("service message")


def command_text(command: str, argument: str, opted_out: bool, language: str | None) -> str:
    """The keyword a command stands for, given the contact's state.

    ``/start`` is what Telegram sends for a new chat and for "Restart" after unblocking: for
    someone opted out it means START (subscribe again), otherwise MENU (which shows the
    bilingual welcome to someone whose language we do not know yet).
    """
    match command:
        case "start":
            return "START" if opted_out else "MENU"
        case "stop":
            return "STOP"
        case "help":
            return "HELP"
        case "lang":
            wanted = argument.strip().lower()[:2]
            if wanted in ("es", "en"):
                return wanted.upper()
            if language is None:
                return "MENU"  # the welcome asks which language
            return "EN" if language == "es" else "ES"
        case _:
            return "MENU"


def deep_link_source(command: str | None, argument: str) -> str | None:
    """``/start townhall`` -> ``townhall``: how the resident found us, if it looks like one."""
    if command != "start" or not DEEP_LINK_PAYLOAD.match(argument):
        return None
    return argument
