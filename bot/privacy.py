"""Keeping residents' identities out of logs and exports."""

from __future__ import annotations

import hashlib
import hmac


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
