"""Requests for a flow inside what residents write: "necesito comida cerca de 90011".

Flow files declare trigger words (FOOD / COMIDA). A message that *starts* with one starts the
flow anywhere, tolerating one typo in a long first word ("comdia 90057"); paging words (MORE /
MÁS) only as the whole message, so "más o menos" stays an answer. Where no question
is waiting (or at the menu) a trigger word *inside* a request starts it too: "90011 comida",
"hay comida gratis en el 90011?", "I need food 90026".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from difflib import get_close_matches
from typing import Any

from . import lexicon as lx
from .classify import without_filler
from .normalize import normalize

FUZZY_MIN_LENGTH = 5
FUZZY_CUTOFF = 0.8
_ZIP = re.compile(r"(?<!\d)\d{5}(?!\d)")
_CUES = re.compile(r"(?<!\w)(?:" + "|".join(lx.REQUEST_CUES) + r")(?!\w)")
_NOT_A_REQUEST = re.compile(r"(?<!\w)(?:" + "|".join(lx.NOT_A_REQUEST) + r")(?!\w)")


def plural_pattern(word: str) -> str:
    """A trigger word or its plural: "clinica" / "clinicas", "pantry" / "pantries"."""
    if word.endswith("y"):
        return re.escape(word[:-1]) + "(?:y|ies)"
    return re.escape(word) + "(?:s|es)?"


class Triggers:
    """Trigger words of every flow, as ``(word, language, flow_id)``."""

    def __init__(self, entries: Iterable[tuple[str, str, str]], alone: Iterable[str] = ()) -> None:
        # Longest first, so "mental health" wins over "health".
        self.entries = sorted(entries, key=lambda item: -len(item[0]))
        # Flows whose words count only as the whole message (WHEN, not "when does it open").
        self._alone = frozenset(alone)
        self._fuzzy = {
            word: (language, flow_id)
            for word, language, flow_id in reversed(self.entries)
            if " " not in word
            and len(word) >= FUZZY_MIN_LENGTH
            and word not in lx.NAVIGATION
            and flow_id not in self._alone
        }
        self._inside = [
            # "clinicas", "pantries": a plural names the same thing.
            (re.compile(rf"(?<!\w){plural_pattern(word)}(?!\w)"), language, flow_id)
            for word, language, flow_id in self.entries
            if word not in lx.NAVIGATION and flow_id not in self._alone
        ]

    @classmethod
    def of_flows(cls, flows: Iterable[Any]) -> Triggers:
        """The trigger words every flow declares (``bot.engine.flows.Flow``)."""
        flows = list(flows)
        return cls(
            (
                (word, language, flow.id)
                for flow in flows
                for language, words in flow.triggers.items()
                for word in words
            ),
            alone=(flow.id for flow in flows if flow.trigger_alone),
        )

    def match(self, text: str, inside: bool = False) -> tuple[str, str] | None:
        """``(language, flow_id)`` of the trigger ``text`` starts with or, when ``inside``,
        of the first trigger word in a request."""
        normalized = normalize(text)
        if not normalized:
            return None
        for candidate in dict.fromkeys((normalized, without_filler(normalized))):
            found = self._at_start(candidate)
            if found is not None:
                return found
        return self._in_request(normalized) if inside else None

    def _at_start(self, folded: str) -> tuple[str, str] | None:
        for word, language, flow_id in self.entries:
            if folded == word or (
                folded.startswith(word + " ")
                and word not in lx.NAVIGATION
                and flow_id not in self._alone
            ):
                return language, flow_id
        first = folded.split(" ", 1)[0]
        if len(first) < FUZZY_MIN_LENGTH:
            return None
        close = get_close_matches(first, self._fuzzy, n=1, cutoff=FUZZY_CUTOFF)
        return self._fuzzy[close[0]] if close else None

    def _in_request(self, normalized: str) -> tuple[str, str] | None:
        if _ZIP.search(normalized) is None and _CUES.search(normalized) is None:
            return None
        if _NOT_A_REQUEST.search(normalized) is not None:
            return None
        hits = [
            (found.start(), -len(found.group()), language, flow_id)
            for pattern, language, flow_id in self._inside
            if (found := pattern.search(normalized)) is not None
        ]
        if not hits:
            return None
        _, _, language, flow_id = min(hits)
        return language, flow_id
