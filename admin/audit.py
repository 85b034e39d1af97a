"""The audit log: one row per change made in the admin view, and per phone number revealed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from .models import AdminUser, AuditEntry


def record(
    session: Session,
    user: AdminUser | None,
    action: str,
    now: datetime,
    target: str | None = None,
    detail: dict[str, Any] | None = None,
    ip: str | None = None,
    actor: str | None = None,
) -> AuditEntry:
    """Add an entry in the caller's transaction, so the change and its record commit together."""
    entry = AuditEntry(
        at=now,
        user_id=user.id if user is not None else None,
        actor=actor or (user.email if user is not None else "system"),
        action=action,
        target=target,
        detail=detail,
        ip=ip,
    )
    session.add(entry)
    return entry
