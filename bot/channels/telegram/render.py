"""How the engine's replies look on Telegram: buttons for choices, a location button, HTML-safe
text, and messages within Telegram's 4,096 characters.

Choices become inline keyboard buttons whose ``callback_data`` names the question they belong to
(``Outbound.step``) and the choice's value, so a press is decoded into
``Inbound(choice=value, choice_step=step)`` and the engine can tell a stale button from a fresh
one. Buttons are numbered like the SMS rendering, so the flows' "reply with a number" stays true
and a typed "2" still works.
"""

from __future__ import annotations

import hashlib
import html
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)
from telegram.constants import MessageLimit, ParseMode

from ...engine import Inbound, Outbound
from ...engine.actions import Translator
from .messages import SHARE_LOCATION

MAX_TEXT = MessageLimit.MAX_TEXT_LENGTH  # 4096, counted after HTML entities are parsed
MAX_CALLBACK_DATA = 64  # bytes, Telegram's limit for callback_data
SEPARATOR = "|"
DIGEST_PREFIX = "~"  # callback data too long for step|value: a digest looked up in the flows

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup


@dataclass(frozen=True)
class TelegramMessage:
    """One ``sendMessage`` call: HTML-escaped text and an optional keyboard."""

    text: str
    reply_markup: Markup | None = None
    parse_mode: str = ParseMode.HTML

    def as_text(self) -> str:
        """The message as a resident sees it, for transcripts and golden tests.

        Each keyboard row is one line; ``[label]`` is an inline button, ``[label] (location)``
        the reply-keyboard button that shares the resident's location.
        """
        lines = [self.text]
        if isinstance(self.reply_markup, InlineKeyboardMarkup):
            lines += [
                " ".join(f"[{b.text}]" for b in row) for row in self.reply_markup.inline_keyboard
            ]
        elif isinstance(self.reply_markup, ReplyKeyboardMarkup):
            lines += [
                " ".join(f"[{b.text}]" + (" (location)" if b.request_location else "") for b in row)
                for row in self.reply_markup.keyboard
            ]
        return "\n".join(line for line in lines if line)


class TelegramRenderer:
    """Renders a turn's replies for one resident, in their language (``None``: both)."""

    name = "telegram"

    def __init__(self, translator: Translator | None = None, language: str | None = None) -> None:
        self.translator = translator
        self.language = language

    def render(self, replies: Sequence[Outbound]) -> list[TelegramMessage]:
        messages: list[TelegramMessage] = []
        for reply in replies:
            chunks = split_text(reply.text) if reply.text else []
            markup = self._markup(reply)
            if not chunks and markup is None:
                continue
            chunks = chunks or [""]
            messages += [TelegramMessage(html.escape(chunk, quote=False)) for chunk in chunks[:-1]]
            # The keyboard goes on the last piece, right under the question it answers.
            messages.append(TelegramMessage(html.escape(chunks[-1], quote=False), markup))
        return messages

    def _markup(self, reply: Outbound) -> Markup | None:
        if reply.options:
            rows = [
                [
                    InlineKeyboardButton(
                        f"{number}. {option.label}",
                        callback_data=encode_callback(reply.step or "", option.value),
                    )
                ]
                for number, option in enumerate(reply.options, 1)
            ]
            return InlineKeyboardMarkup(rows)
        if reply.asks_location:
            button = KeyboardButton(self._share_location_label(), request_location=True)
            # One-time: the button folds away once used; typing a ZIP code still works.
            return ReplyKeyboardMarkup(
                [[button]], resize_keyboard=True, one_time_keyboard=True, is_persistent=False
            )
        return None

    def _share_location_label(self) -> str:
        if self.translator is None:
            return SHARE_LOCATION
        if self.language is not None:
            return self.translator.gettext(self.language, SHARE_LOCATION)
        spanish = self.translator.gettext("es", SHARE_LOCATION)
        english = self.translator.gettext("en", SHARE_LOCATION)
        return spanish if spanish == english else f"{spanish} / {english.removeprefix('📍 ')}"


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """``text`` in pieces of at most ``limit`` UTF-16 code units (Telegram's measure: an emoji
    counts twice), cut between paragraphs, lines or words where possible, so a resource entry
    stays whole unless it alone is too long."""
    pieces: list[str] = []
    rest = text
    while (fits := _fitting(rest, limit)) < len(rest):
        window = rest[: fits + 1]  # a space right after the last fitting character is a fine cut
        cut = max(window.rfind("\n\n"), 0) or max(window.rfind("\n"), 0) or window.rfind(" ")
        if cut <= 0:
            cut = fits
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest or not pieces:
        pieces.append(rest)
    return pieces


def _fitting(text: str, limit: int) -> int:
    """How many leading characters of ``text`` fit in ``limit`` UTF-16 code units."""
    units = 0
    for index, character in enumerate(text):
        units += 2 if ord(character) > 0xFFFF else 1
        if units > limit:
            return index
    return len(text)


# ---- callback data ---------------------------------------------------------------------


def encode_callback(step: str, value: str) -> str:
    """``flow/step|value`` when it fits Telegram's 64 bytes, else a digest of both."""
    plain = f"{step}{SEPARATOR}{value}"
    if len(plain.encode()) <= MAX_CALLBACK_DATA:
        return plain
    return DIGEST_PREFIX + _digest(step, value)


def decode_callback(data: str | None, long_choices: Mapping[str, tuple[str, str]]) -> Inbound:
    """The press as the engine's ``Inbound``. Data we did not make (forged, or from a flow
    that changed since) becomes a press on no question, which the engine answers like a
    stale button: with the question the resident is on now."""
    raw = data or ""
    if raw.startswith(DIGEST_PREFIX):
        found = long_choices.get(raw[len(DIGEST_PREFIX) :])
        if found is not None:
            return Inbound(choice=found[1], choice_step=found[0])
        return Inbound(choice="", choice_step="")
    step, separator, value = raw.partition(SEPARATOR)
    if not separator or not step or not value:
        return Inbound(choice="", choice_step="")
    return Inbound(choice=value, choice_step=step)


def long_choice_table(choices: Iterable[tuple[str, str]]) -> dict[str, tuple[str, str]]:
    """Digest -> ``(step, value)`` for every choice whose plain form would not fit."""
    return {
        _digest(step, value): (step, value)
        for step, value in choices
        if len(f"{step}{SEPARATOR}{value}".encode()) > MAX_CALLBACK_DATA
    }


def _digest(step: str, value: str) -> str:
    return hashlib.sha256(f"{step}\0{value}".encode()).hexdigest()[:32]
