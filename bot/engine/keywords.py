"""Global keywords, for callers that know them by this name (Telegram's /lang).

The rules live in one place, ``bot.understanding``: this module only keeps the old names.
"""

from __future__ import annotations

from ..understanding import Reading as KeywordMatch
from ..understanding import read as match_keyword

__all__ = ["KeywordMatch", "match_keyword"]
