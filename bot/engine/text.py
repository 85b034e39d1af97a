"""Text normalisation used to match keywords and answers the way a patient human would."""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[^\w\s]+")
_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Lower-case, strip accents, turn punctuation into spaces and squeeze whitespace.

    ``"  ¡ALTO! "`` -> ``"alto"``, ``"Menú."`` -> ``"menu"``, ``"Sí"`` -> ``"si"``.
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = stripped.replace("_", " ")
    return _SPACES.sub(" ", _NON_WORD.sub(" ", stripped)).strip()


def contains_phrase(folded_text: str, folded_phrase: str) -> bool:
    """Whole-word phrase match on already folded text."""
    return re.search(rf"(?<!\w){re.escape(folded_phrase)}(?!\w)", folded_text) is not None
