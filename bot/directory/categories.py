"""Categories of help as data (``categories.yaml``), and finding one in a resident's words.

Words match whole (after folding case, accents and punctuation); a word that is close to one
of ours ("comdia", "hosuing") matches too, through ``difflib`` from the standard library: the
vocabulary is a few hundred words, so a similarity ratio over it is fast and needs no new
dependency.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

from ..engine.text import fold
from ..understanding.requests import plural_pattern

CATEGORIES_FILE = Path(__file__).with_name("categories.yaml")
# difflib ratio for a misspelling: "comdia"/"comida" is 0.83, "hosuing"/"housing" 0.86, while
# unrelated short words ("casa"/"cafe") stay below it.
FUZZY_CUTOFF = 0.8
MIN_FUZZY_LENGTH = 4  # "bus" vs "but": too short to guess safely


@dataclass(frozen=True)
class Category:
    code: str
    label: dict[str, str]
    triggers: dict[str, tuple[str, ...]] = field(default_factory=dict)
    words: dict[str, tuple[str, ...]] = field(default_factory=dict)
    hsds_terms: tuple[str, ...] = ()

    def label_in(self, language: str | None) -> str:
        return self.label.get(language or "en") or self.label["en"]

    def phrases(self) -> set[str]:
        found = {fold(self.code.replace("_", " ")), *(fold(v) for v in self.label.values())}
        for group in (self.triggers, self.words):
            for words in group.values():
                found.update(fold(word) for word in words)
        return {phrase for phrase in found if phrase}


@cache
def load_categories(path: Path = CATEGORIES_FILE) -> tuple[Category, ...]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return tuple(
        Category(
            code=str(item["code"]),
            label=dict(item["label"]),
            triggers={k: tuple(v) for k, v in (item.get("triggers") or {}).items()},
            words={k: tuple(v) for k, v in (item.get("words") or {}).items()},
            hsds_terms=tuple(str(term) for term in item.get("hsds_terms") or ()),
        )
        for item in raw
    )


def category(code: str) -> Category | None:
    return next((c for c in load_categories() if c.code == code), None)


def category_codes() -> list[str]:
    return [c.code for c in load_categories()]


@cache
def _vocabulary() -> list[tuple[str, str]]:
    """(phrase, code) for every phrase, longest first so "salud mental" beats "salud"."""
    pairs = [(phrase, c.code) for c in load_categories() for phrase in c.phrases()]
    return sorted(pairs, key=lambda pair: -len(pair[0]))


def find_category(text: str) -> str | None:
    """The category a message names, by number (1-7 as listed), word, phrase or near-miss."""
    folded = fold(text)
    if not folded:
        return None
    categories = load_categories()
    first = folded.split(" ")[0]
    if first.isdigit() and len(first) <= 2 and folded == first:
        number = int(first)
        return categories[number - 1].code if 1 <= number <= len(categories) else None
    # The first thing named wins ("necesito raite a la clinica" asks for a ride); at the same
    # place, the longest phrase ("salud mental" over "salud").
    found = [
        (hit.start(), -len(phrase), code)
        for phrase, code in _vocabulary()
        if (hit := re.search(rf"(?<!\w){plural_pattern(phrase)}(?!\w)", folded)) is not None
    ]
    return min(found)[2] if found else _fuzzy(folded)


def _fuzzy(folded: str) -> str | None:
    singles = {phrase: code for phrase, code in _vocabulary() if " " not in phrase}
    for word in folded.split(" "):
        if len(word) < MIN_FUZZY_LENGTH or word.isdigit():
            continue
        close = difflib.get_close_matches(word, singles, n=1, cutoff=FUZZY_CUTOFF)
        if close:
            return singles[close[0]]
    return None


def category_for_term(term: str) -> str | None:
    """Our category for an HSDS taxonomy term code or name, if any."""
    folded = fold(term)
    for c in load_categories():
        if folded == fold(c.code) or any(folded == fold(t) for t in c.hsds_terms):
            return c.code
    return None
