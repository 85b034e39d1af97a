"""SMS rendering: choices as numbered lines, bodies within Twilio's 1,600 characters.

What each body costs in segments is ``bot.segments``' job (the directory needs it too)."""

from __future__ import annotations

from collections.abc import Sequence

from ..engine import Outbound

MAX_BODY = 1600  # Twilio rejects longer message bodies


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
