"""SMS rendering: choices as numbered lines, bodies within Twilio's 1,600 characters, and the
segment arithmetic that decides what each message costs."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from ..engine import Outbound

MAX_BODY = 1600  # Twilio rejects longer message bodies
GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = set("^{}\\[~]|€\f")  # each costs two septets (escape + char)


@dataclass(frozen=True)
class SegmentCount:
    encoding: str  # "GSM-7" or "UCS-2"
    units: int  # septets or UTF-16 code units
    segments: int


def count_segments(text: str) -> SegmentCount:
    """How many SMS segments a body is billed as.

    GSM-7 carries 160 characters in one segment, 153 per segment once concatenated. A single
    character outside GSM-7 (Spanish á í ó ú, any emoji) switches the whole message to UCS-2:
    70 per segment, 67 when concatenated.
    """
    if not text:
        return SegmentCount("GSM-7", 0, 0)
    if all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text):
        septets = len(text) + sum(1 for ch in text if ch in GSM7_EXTENSION)
        segments = 1 if septets <= 160 else math.ceil(septets / 153)
        return SegmentCount("GSM-7", septets, segments)
    units = len(text.encode("utf-16-le")) // 2
    segments = 1 if units <= 70 else math.ceil(units / 67)
    return SegmentCount("UCS-2", units, segments)


def render_text(reply: Outbound) -> str:
    """One reply as SMS text: the text, then its choices as numbered lines."""
    lines = [reply.text] if reply.text else []
    if reply.list_options:
        lines.extend(f"{n}. {option.label}" for n, option in enumerate(reply.options, 1))
    return "\n".join(lines)


def render(replies: Sequence[Outbound], limit: int = MAX_BODY) -> list[str]:
    """The bodies to send for one turn: replies joined into as few messages as fit ``limit``.

    Splits fall between replies, then between lines, then between words, so a numbered choice
    or a resource entry is never cut in half unless a single line is longer than the limit.
    """
    bodies: list[str] = []
    current = ""
    for block in (render_text(reply) for reply in replies):
        if not block:
            continue
        candidate = f"{current}\n\n{block}" if current else block
        if len(candidate) <= limit:
            current = candidate
            continue
        if current:
            bodies.append(current)
        current = ""
        for piece in _split(block, limit):
            if current and len(current) + 1 + len(piece) <= limit:
                current = f"{current}\n{piece}"
            else:
                if current:
                    bodies.append(current)
                current = piece
    if current:
        bodies.append(current)
    return bodies


def _split(block: str, limit: int) -> list[str]:
    pieces: list[str] = []
    for line in block.split("\n"):
        while len(line) > limit:
            cut = line.rfind(" ", 0, limit + 1)
            cut = cut if cut > 0 else limit
            pieces.append(line[:cut].rstrip())
            line = line[cut:].lstrip()
        pieces.append(line)
    return pieces
