"""Checks every webhook makes before a provider's input reaches the database.

The same rules on SQLite and PostgreSQL: PostgreSQL refuses a NUL in text (and in JSON),
neither driver can encode a lone UTF-16 surrogate (JSON's ``"\\ud800"`` decodes to one), and a
``varchar(64)`` column is a hard limit on PostgreSQL but not on SQLite. Whatever the database
would refuse is cleaned here, or answered 400 with a reason, so a bad request never becomes a
500 (which the provider would retry, and fail again, forever).
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

MAX_JSON_DEPTH = 32  # a Telegram update nests about 6 deep
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x1f\x7f]")


class BadInput(ValueError):
    """Input no provider sends: answer 400 with ``str(error)`` as the reason."""


def clean_text(value: str) -> str:
    """Text a resident wrote, made storable: NULs dropped, lone surrogates replaced."""
    if not _UNSTORABLE.search(value):
        return value
    return "".join(
        "" if ch == "\x00" else "\ufffd" if "\ud800" <= ch <= "\udfff" else ch for ch in value
    )


def has_control_characters(value: str) -> bool:
    """True for NUL, newlines and other C0 controls: never in an address or a provider id."""
    return _CONTROL.search(value) is not None or _UNSTORABLE.search(value) is not None


def parse_json(raw: bytes) -> Any:
    """JSON from a request body; :class:`BadInput` for anything that is not plain, finite,
    shallow JSON (``NaN``, ``Infinity``, ``1e999``, deep nesting, invalid UTF-8)."""
    try:
        data = json.loads(raw, parse_constant=_refuse_constant, parse_float=_finite_float)
    except RecursionError:
        raise BadInput("JSON nested too deeply") from None
    except ValueError as error:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise BadInput(f"invalid JSON ({type(error).__name__})") from None
    if _depth_exceeds(data, MAX_JSON_DEPTH):
        raise BadInput(f"JSON nested deeper than {MAX_JSON_DEPTH}")
    return data


def _refuse_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number JSON allows")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError("number out of range")
    return value


def _depth_exceeds(data: Any, limit: int) -> bool:
    """Iterative, so a pathological document cannot exhaust the stack here either."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth > limit:
                return True
            children = value.values() if isinstance(value, dict) else value
            stack.extend((child, depth + 1) for child in children)
    return False
