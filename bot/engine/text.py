"""Text normalisation used to match keywords and answers the way a patient human would.

Defined in ``bot.understanding.normalize`` (one owner); re-exported for the engine's modules.
"""

from __future__ import annotations

from ..understanding.normalize import contains_phrase, fold

__all__ = ["contains_phrase", "fold"]
