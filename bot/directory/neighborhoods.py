"""Neighborhoods of central and South LA -> ZIP code, for residents who don't know their ZIP.

The table (``neighborhoods.yaml``) is small, bundled and read offline; it says where each
name and ZIP come from. Names match whole words after folding case and accents ("pico union",
"Pico-Union"); a long one-word name also matches with a typo ("coreatown", "bolye heights").
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from pathlib import Path

import yaml

from ..engine.text import fold

NEIGHBORHOODS_FILE = Path(__file__).with_name("neighborhoods.yaml")
FUZZY_CUTOFF = 0.85
MIN_FUZZY_LENGTH = 6  # "bell" or "watts" must be spelled right


@dataclass(frozen=True)
class Neighborhood:
    name: str
    zip_code: str
    names: tuple[str, ...]  # folded: the name and its other spellings


@cache
def load_neighborhoods(path: Path = NEIGHBORHOODS_FILE) -> tuple[Neighborhood, ...]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return tuple(
        Neighborhood(
            name=str(item["name"]),
            zip_code=str(item["zip"]),
            names=tuple(fold(n) for n in [item["name"], *(item.get("also") or [])]),
        )
        for item in raw
    )


@cache
def _by_name() -> list[tuple[str, Neighborhood]]:
    pairs = [(name, n) for n in load_neighborhoods() for name in n.names]
    return sorted(pairs, key=lambda pair: -len(pair[0]))  # "east hollywood" before "hollywood"


def find_neighborhood(text: str) -> Neighborhood | None:
    """The neighborhood or landmark a message names, if it is in our table."""
    folded = fold(text)
    if not folded:
        return None
    for name, neighborhood in _by_name():
        if re.search(rf"(?<!\w){re.escape(name)}(?!\w)", folded):
            return neighborhood
    singles = {name: n for name, n in _by_name() if len(name.replace(" ", "")) >= MIN_FUZZY_LENGTH}
    words = folded.split(" ")
    candidates = words + [f"{a} {b}" for a, b in pairwise(words)]
    for candidate in candidates:
        if len(candidate.replace(" ", "")) < MIN_FUZZY_LENGTH:
            continue
        close = difflib.get_close_matches(candidate, singles, n=1, cutoff=FUZZY_CUTOFF)
        if close:
            return singles[close[0]]
    return None
