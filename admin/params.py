"""Reading filters from the query string, refusing bad values with a reason."""

from __future__ import annotations

from datetime import date

from flask import abort, request

from .context import gettext as _


def date_arg(name: str) -> date | None:
    """``?since=2026-11-01``; None when absent; 400 with the reason when not a date."""
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        abort(400, description=_("{value} is not a date (use YYYY-MM-DD).", value=raw[:20]))
