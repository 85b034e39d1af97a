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

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

from telegram import Chat, ChatMember, Message, Update
from telegram.constants import ChatType

from ...engine import Inbound, Location
from ...engine.keywords import match_keyword
from ..edge import clean_text
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
MAX_CHAT_ID = 2**53  # Telegram: chat ids have at most 52 significant bits
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


class MalformedUpdate(ValueError):
    """JSON that PTB parsed (it checks little) but that cannot be a real Telegram update."""


def _private_chat_id(chat: Chat | None) -> str | None:
    """The chat id as we store it, ``None`` for a group or channel; malformed: raise."""
    if chat is None or not isinstance(chat.id, int) or isinstance(chat.id, bool):
        raise MalformedUpdate("chat.id must be an integer")
    if abs(chat.id) >= MAX_CHAT_ID:
        raise MalformedUpdate("chat.id out of range")
    return str(chat.id) if chat.type == ChatType.PRIVATE else None


def _text(value: object) -> str | None:
    """A text field, made storable (no NUL, no lone surrogate) on either database."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise MalformedUpdate("text fields must be strings")
    return clean_text(value)


def _coordinate(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise MalformedUpdate("a location needs numbers")
    if not math.isfinite(value):
        raise MalformedUpdate("a location needs finite numbers")
    return float(value)


def translate(update: Update, long_choices: Mapping[str, tuple[str, str]]) -> Decision:
    provider_id = f"u{update.update_id}"
    if update.callback_query is not None:
        query = update.callback_query
        if query.message is None:  # a button under an inline-mode message: not ours
            return Ignored("button outside a chat", query.id)
        chat_id = _private_chat_id(query.message.chat)
        if chat_id is None:
            return Ignored("button outside a private chat", query.id)
        return Incoming(
            chat_id,
            decode_callback(_text(query.data), long_choices),
            provider_id,
            callback_query_id=query.id,
        )
    if update.message is not None:
        return _message(update.message, provider_id)
    if update.edited_message is not None:
        edited = update.edited_message
        chat_id = _private_chat_id(edited.chat)
        if chat_id is None:
            return Ignored("edit in a group")
        if edited.location is not None:
            return Ignored("live location update")  # a moving dot, not a new answer
        return Notice(chat_id, EDITED_MESSAGE)
    if update.my_chat_member is not None:
        member = update.my_chat_member
        chat_id = _private_chat_id(member.chat)
        if chat_id is not None and member.new_chat_member.status in (
            ChatMember.BANNED,  # "kicked": what a private chat reports when the user blocks
            ChatMember.LEFT,
        ):
            return Blocked(chat_id)
        return Ignored("membership change")
    if update.channel_post is not None or update.edited_channel_post is not None:
        return Ignored("channel post")
    return Ignored("update type not handled")


def _message(message: Message, provider_id: str) -> Decision:
    chat_id = _private_chat_id(message.chat)
    if chat_id is None:
        return Ignored("group chat")
    text = _text(message.text)
    if text is not None:
        match = COMMAND.match(text.strip())
        if match and match.group(1).lower() in COMMANDS:
            return Incoming(
                chat_id,
                Inbound(text=text),
                provider_id,
                command=COMMANDS[match.group(1).lower()],
                argument=(match.group(2) or "").strip(),
            )
        return Incoming(chat_id, Inbound(text=text), provider_id)
    if message.location is not None:  # also set for a shared venue
        where = Location(
            _coordinate(message.location.latitude), _coordinate(message.location.longitude)
        )
        return Incoming(chat_id, Inbound(location=where), provider_id)
    if any(getattr(message, kind, None) for kind in MEDIA):
        caption = _text(message.caption) or ""
        return Incoming(chat_id, Inbound(text=caption, media_count=1), provider_id)
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
            # "/lang es", "/lang english", "/idioma español": the engine's own language words.
            wanted = match_keyword(argument)
            if wanted is not None and wanted.kind == "language" and wanted.value:
                return wanted.value.upper()
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
