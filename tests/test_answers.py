"""Reading answers the way residents write them: yes/no, number words, people counted in a
household, overlapping choice words, and flow files whose words YAML did not read as text."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest

from bot.config import PROJECT_ROOT
from bot.engine import load_flows, validate
from bot.engine.answers import (
    asks_again,
    is_hedge,
    is_skip,
    match_choice,
    number_in,
    parse_yes_no,
)
from bot.engine.flows import Choice
from bot.engine.people import count_people


@pytest.mark.parametrize(
    "text",
    ["sí", "Si", "ok", "OK!", "sure", "dale", "empezar", "Empezar", "inicio", "empecemos",
     "sí, por favor", "yes please", "claro que sí", "sí claro", "let's go", "órale"],
)  # fmt: skip
def test_yes(text: str):
    assert parse_yes_no(text) is True


@pytest.mark.parametrize(
    "text", ["no", "No.", "no gracias", "no, thank you", "nunca", "no por ahora", "nope"]
)
def test_no(text: str):
    assert parse_yes_no(text) is False


@pytest.mark.parametrize(
    "text", ["no sé", "no se", "sí pero no", "ok no", "más o menos", "tal vez", "pizza", "1 2"]
)
def test_neither_yes_nor_no(text: str):
    assert parse_yes_no(text) is None


@pytest.mark.parametrize(
    ("text", "number"),
    [("tres", 3), ("three", 3), ("son tres", 3), ("somos cinco", 5), ("una", 1), ("12", 12),
     ("una familia de cinco", 5), ("veinte", 20), ("3 o 4", None), ("uno o dos", None)],
)  # fmt: skip
def test_number_words(text: str, number: int | None):
    assert number_in(text) == number


@pytest.mark.parametrize(
    ("text", "people"),
    [
        ("yo y mis 3 hijos", 4),
        ("yo y mis tres hijos", 4),
        ("mi esposo y yo", 2),
        ("somos 5", 5),
        ("somos cinco", 5),
        ("5 personas", 5),
        ("yo, mi esposo y 2 niños", 4),
        ("mi esposa y mis 2 hijos", 4),
        ("me and my 2 kids", 3),
        ("my husband, my mom and me", 3),
        ("my parents and me", 3),
        ("just me", 1),
        ("solo yo", 1),
        ("vivo sola", 1),
        ("4", 4),
        ("yo y mis 3 hijos, somos 4", 4),
        ("yo y mis hijos", None),
        ("3 o 4", None),
        ("no sé", None),
        # A sentence about something else is not a count: Spanish "me" is not English "me",
        # and a person named in a story does not live in a household of two.
        ("mi ex no me deja en paz, necesito un albergue", None),
        ("mi esposo me pega", None),
        ("my landlord wants me out", None),
        ("vivo con mi esposo", 2),
        ("it's just me", 1),
    ],
)
def test_people_in_a_household(text: str, people: int | None):
    assert count_people(text) == people


HOW_OFTEN = (
    Choice("sometimes", {"en": "Sometimes", "es": "A veces"}, {"es": ("casi nunca", "a veces")}),
    Choice("never", {"en": "Never", "es": "Nunca"}, {"es": ("nunca", "no")}),
)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("casi nunca", "sometimes"),  # not "never": the longer name wins
        ("pues casi nunca la verdad", "sometimes"),
        ("nunca", "never"),
        ("-1", None),
        ("2", "never"),
        ("a veces o nunca", None),  # two answers
    ],
)
def test_the_longest_name_wins_where_names_overlap(text: str, value: str | None):
    choice = match_choice(text, HOW_OFTEN, ["sometimes", "never"])
    assert (choice.value if choice else None) == value


@pytest.mark.parametrize("text", ["no sé", "Quién sabe", "ni idea", "who knows", "not sure"])
def test_not_knowing_is_a_skip(text: str):
    assert is_skip(text)


def test_hedges_and_asking_again():
    assert is_hedge("más o menos") and is_hedge("Kind of, I guess") and not is_hedge("sí")
    assert asks_again("?") and asks_again(" ¿? ") and asks_again("¿Qué?")
    assert not asks_again("") and not asks_again("qué bien")


def test_flows_check_refuses_a_boolean_where_a_word_is_expected(tmp_path: Path):
    flows = tmp_path / "flows"
    flows.mkdir()
    (flows / "quiz.yaml").write_text(
        dedent(
            """
            id: quiz
            start: often
            triggers: {en: [quiz], es: [prueba]}
            steps:
              often:
                ask: choice
                text: {en: "How often?", es: "¿Con qué frecuencia?"}
                choices:
                  - value: never
                    label: {en: Never, es: Nunca}
                    words: {en: [never, no], es: [nunca, 'no']}
                  - value: yes
                    label: {en: Yes, es: Sí}
            """
        ),
        encoding="utf-8",
    )
    faults = [str(fault) for fault in validate(load_flows(flows))]
    assert faults == [
        "quiz.yaml: step 'often': choice 1 words (en): YAML read an unquoted word as the boolean "
        "False (no, yes, on, off, true and false are booleans in YAML); put the word in quotes, "
        "like 'no'",
        "quiz.yaml: step 'often': choice 2 value: YAML read an unquoted word as the boolean "
        "True (no, yes, on, off, true and false are booleans in YAML); put the word in quotes, "
        "like 'no'",
        "quiz.yaml: step 'often': choice 2 label (en): YAML read an unquoted word as the boolean "
        "True (no, yes, on, off, true and false are booleans in YAML); put the word in quotes, "
        "like 'no'",
    ]


def test_every_shipped_flow_reads_its_words_as_text():
    faults = validate(load_flows(PROJECT_ROOT / "flows"))
    assert not [f for f in faults if "boolean" in f.reason or "is not text" in f.reason]
