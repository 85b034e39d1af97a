"""SMS segments and rendering."""

import pytest

from bot.channels.sms import MAX_BODY, render, render_text
from bot.engine import Option, Outbound
from bot.segments import count_segments


@pytest.mark.parametrize(
    ("text", "encoding", "segments"),
    [
        ("", "GSM-7", 0),
        ("a" * 160, "GSM-7", 1),
        ("a" * 161, "GSM-7", 2),
        ("a" * 306, "GSM-7", 2),
        ("a" * 307, "GSM-7", 3),
        ("é ñ ü ¿ ¡ Ñ Ü", "GSM-7", 1),  # inside GSM-7
        ("á", "UCS-2", 1),  # outside it
        ("í", "UCS-2", 1),
        ("ó", "UCS-2", 1),
        ("ú", "UCS-2", 1),
        ("a" * 69 + "á", "UCS-2", 1),
        ("a" * 70 + "á", "UCS-2", 2),
        ("a" * 133 + "á", "UCS-2", 2),
        ("a" * 134 + "á", "UCS-2", 3),
        ("🙂" * 35, "UCS-2", 1),  # an emoji is two UTF-16 units
        ("🙂" * 36, "UCS-2", 2),
        ("[" * 80, "GSM-7", 1),  # extension characters cost two septets
        ("[" * 81, "GSM-7", 2),
    ],
)
def test_segment_counts(text: str, encoding: str, segments: int):
    count = count_segments(text)
    assert (count.encoding, count.segments) == (encoding, segments)


def test_choices_render_as_numbered_lines():
    reply = Outbound("Pick one", options=(Option("a", "Food"), Option("b", "Housing")))
    assert render_text(reply) == "Pick one\n1. Food\n2. Housing"


def test_replies_are_joined_into_one_body_when_they_fit():
    assert render([Outbound("One"), Outbound("Two")]) == ["One\n\nTwo"]


def test_long_replies_are_split_between_lines_never_inside_an_entry():
    entries = [f"{n}. " + "x" * 90 for n in range(40)]
    bodies = render([Outbound("\n".join(entries))])
    assert len(bodies) > 1
    assert all(len(body) <= MAX_BODY for body in bodies)
    lines = [line for body in bodies for line in body.split("\n")]
    assert lines == entries


def test_a_single_huge_line_is_split_at_words_and_nothing_is_lost():
    words = [f"w{n}" for n in range(900)]
    bodies = render([Outbound(" ".join(words))])
    assert all(len(body) <= MAX_BODY for body in bodies)
    assert " ".join(" ".join(bodies).split()) == " ".join(words)
