"""Trigger words: at the start of a message anywhere, inside a request at the menu."""

from __future__ import annotations

import pytest

from tests.test_corpora import TRIGGERS


@pytest.mark.parametrize(
    ("text", "inside", "expected"),
    [
        ("comida 90057", False, ("es", "find_help")),
        ("comdia 90057", False, ("es", "find_help")),  # one typo in a long first word
        ("por favor comida 90057", False, ("es", "find_help")),  # filler before the keyword
        ("necesito comida cerca de 90011", True, ("es", "find_help")),
        ("necesito comida cerca de 90011", False, None),  # inside a survey: must start with it
        ("hay clinicas gratis?", True, ("es", "find_help")),  # plural
        ("any pantries open today?", True, ("en", "find_help")),
        ("más", False, ("es", "find_help_more")),
        ("MORE please", False, ("en", "find_help_more")),
        ("más o menos", False, None),  # a survey answer, not the next page
        ("more or less", True, None),
        ("quiero más comida", True, ("es", "find_help")),  # food, not paging
        ("the food bank stopped giving bags", True, None),  # no ZIP and no request cue
        ("cancel my appointment at the clinic", True, None),
    ],
)
def test_trigger_words_in_context(text: str, inside: bool, expected):  # type: ignore[no-untyped-def]
    assert TRIGGERS.match(text, inside=inside) == expected
