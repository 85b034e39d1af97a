"""Keeping residents' identities out of logs and exports."""

from __future__ import annotations

import hashlib
import hmac
import re


def mask_address(address: str | None) -> str:
    """``+12135550123`` -> ``+1******0123``; Telegram ids keep only their last 3 digits.

    Enough to tell two residents apart in a log line, not enough to contact either.
    """
    if not address:
        return "<none>"
    prefix, _, bare = address.rpartition(":")
    keep = 4 if bare.startswith("+") else 3
    head = bare[:2] if bare.startswith("+") else ""
    hidden = max(len(bare) - len(head) - keep, 3)
    masked = f"{head}{'*' * hidden}{bare[-keep:]}"
    return f"{prefix}:{masked}" if prefix else masked


def pseudonym(secret_key: str, contact_id: int) -> str:
    """A stable id for exports: the same resident always maps to the same value, and it cannot
    be turned back into a phone number without the deployment's secret key."""
    digest = hmac.new(secret_key.encode(), f"contact:{contact_id}".encode(), hashlib.sha256)
    return "r_" + digest.hexdigest()[:16]


# Shapes of personal numbers in free text (log lines, tracebacks), for ``mask_text``.
_NUMBER_SHAPES = re.compile(
    r"\+\d{7,15}\b"  # E.164, also after "whatsapp:"
    r"|(?:\(\d{3}\)\s?|\b\d{3}[ .-])\d{3}[ .-]\d{4}\b"  # (213) 555-0123, 213.555.0123
    r"|(?<![\w.:/-])-?\d{7,}\b"  # bare numbers of 7+ digits: Telegram chat ids, raw numbers
)


def mask_text(text: str) -> str:
    """Every phone-number- or chat-id-shaped run in ``text`` masked as :func:`mask_address`
    would, for text that was never meant to hold one (a log line, a traceback)."""
    return _NUMBER_SHAPES.sub(_mask_match, text)


def _mask_match(match: re.Match[str]) -> str:
    found = match.group()
    if found.startswith("+"):
        return mask_address(found)
    digits = sum(ch.isdigit() for ch in found)
    seen = 0
    masked = []
    for ch in found:  # keep the punctuation, hide all but the last 3 digits
        if ch.isdigit():
            seen += 1
            masked.append(ch if seen > digits - 3 else "*")
        else:
            masked.append(ch)
    return "".join(masked)


COORDINATE_DECIMALS = 2  # 0.01 degree is about 1.1 km: a neighbourhood, not a home


def coarse_point(latitude: float, longitude: float) -> list[float]:
    """A shared location as it may be stored once the search has used it."""
    return [round(latitude, COORDINATE_DECIMALS), round(longitude, COORDINATE_DECIMALS)]
