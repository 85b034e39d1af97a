"""Reading a resident's answer to a question, in either language, as a patient human would."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from .flows import Choice, Step
from .text import contains_phrase, fold
from .types import Inbound

NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "zero": 0,
    "none": 0,
    "uno": 1,
    "una": 1,
    "dos": 2,
    "tres": 3,
    "cuatro": 4,
    "cinco": 5,
    "seis": 6,
    "siete": 7,
    "ocho": 8,
    "nueve": 9,
    "diez": 10,
    "cero": 0,
    "ninguno": 0,
    "ninguna": 0,
}
YES = {
    "yes",
    "y",
    "yeah",
    "yep",
    "yup",
    "sure",
    "ok",
    "okay",
    "si",
    "s",
    "claro",
    "sip",
    "correcto",
    "de acuerdo",
    "esta bien",
    "si claro",
    "yes please",
    "si por favor",
}
NO = {"no", "n", "nope", "nah", "no thanks", "no gracias", "nel"}
ZIP_PATTERN = re.compile(r"(?<![\w])(\d{5})(?:-\d{4})?(?![\w])")
NUMBER_PATTERN = re.compile(r"(?<![\w.,-])(-?\d+(?:[.,]\d+)?)(?![\w])")
MAX_TEXT_ANSWER = 1000


@dataclass(frozen=True)
class Answer:
    """A valid answer's stored value, or why the text was not one."""

    value: Any = None
    problem: str | None = None  # "unclear", "out_of_range", "too_many", "empty"

    @property
    def ok(self) -> bool:
        return self.problem is None


def number_in(text: str) -> int | float | None:
    """The one number a message holds (digits or a number word), else None."""
    folded = fold(text)
    if folded in NUMBER_WORDS:
        return NUMBER_WORDS[folded]
    found = NUMBER_PATTERN.findall(text.strip())
    if len(found) != 1:
        return None
    raw = found[0].replace(",", ".")
    number = float(raw)
    return int(number) if number.is_integer() else number


def zip_codes_in(text: str) -> list[str]:
    return ZIP_PATTERN.findall(text)


def match_choice(text: str, choices: Sequence[Choice], shown: Sequence[str]) -> Choice | None:
    """The choice a text names: its number as shown, its value, label or words in any language."""
    folded = fold(text)
    if not folded:
        return None
    by_value = {c.value: c for c in choices}
    visible = [by_value[v] for v in shown if v in by_value] or list(choices)
    number = number_in(text)
    if (isinstance(number, int) and folded.replace(" ", "").isdigit()) or folded in NUMBER_WORDS:
        if isinstance(number, int) and 1 <= number <= len(visible):
            return visible[number - 1]
        return None
    exact = [c for c in visible if folded in _names(c)]
    if len(exact) == 1:
        return exact[0]
    # "sometimes, I guess" / "a veces creo": one choice named inside a longer reply.
    inside = [c for c in visible if any(contains_phrase(folded, n) for n in _names(c) if n)]
    if len(inside) == 1:
        return inside[0]
    return None


def _names(choice: Choice) -> set[str]:
    names = {fold(choice.value)}
    names.update(fold(label) for label in choice.label.values())
    for words in choice.words.values():
        names.update(words)
    return names


def parse_yes_no(text: str) -> bool | None:
    folded = fold(text)
    if folded in YES or folded == "1":
        return True
    if folded in NO or folded == "2":
        return False
    return None


def _unclear_or_empty(inbound: Inbound) -> Answer:
    # Only a truly blank message is "empty"; emoji or punctuation were meant as something.
    return Answer(problem="unclear" if inbound.text.strip() else "empty")


AnswerParser = Callable[[Step, Inbound, Sequence[str]], Answer]


def parse_answer(step: Step, inbound: Inbound, shown: Sequence[str]) -> Answer:
    """Dispatch on the question type; unknown types are reported as unclear answers."""
    parser = PARSERS.get(step.ask or "")
    if parser is None:
        return Answer(problem="unclear")
    return parser(step, inbound, shown)


def _choice(step: Step, inbound: Inbound, shown: Sequence[str]) -> Answer:
    if inbound.choice is not None:
        valid = {c.value for c in step.choices}
        return Answer(inbound.choice) if inbound.choice in valid else Answer(problem="unclear")
    choice = match_choice(inbound.text, step.choices, shown)
    return Answer(choice.value) if choice else _unclear_or_empty(inbound)


def _yes_no(step: Step, inbound: Inbound, shown: Sequence[str]) -> Answer:
    if inbound.choice in ("yes", "no"):
        return Answer(inbound.choice == "yes")
    value = parse_yes_no(inbound.text)
    if value is None:
        return _unclear_or_empty(inbound)
    return Answer(value)


def _number(step: Step, inbound: Inbound, shown: Sequence[str]) -> Answer:
    number = number_in(inbound.text)
    if number is None:
        return _unclear_or_empty(inbound)
    if step.minimum is not None and number < step.minimum:
        return Answer(problem="out_of_range")
    if step.maximum is not None and number > step.maximum:
        return Answer(problem="out_of_range")
    return Answer(number)


def _text(step: Step, inbound: Inbound, shown: Sequence[str]) -> Answer:
    text = inbound.text.strip()
    if not text:
        return Answer(problem="empty")
    return Answer(text[:MAX_TEXT_ANSWER])


def _zip(step: Step, inbound: Inbound, shown: Sequence[str]) -> Answer:
    found = sorted(set(zip_codes_in(inbound.text)))
    if len(found) > 1:
        return Answer(problem="too_many")
    if not found:
        return _unclear_or_empty(inbound)
    return Answer(found[0])


def _location(step: Step, inbound: Inbound, shown: Sequence[str]) -> Answer:
    if inbound.location is not None:
        return Answer({"lat": inbound.location.latitude, "lon": inbound.location.longitude})
    answer = _zip(step, inbound, shown)
    return Answer({"zip": answer.value}) if answer.ok else answer


PARSERS: dict[str, AnswerParser] = {
    "choice": _choice,
    "yesno": _yes_no,
    "number": _number,
    "text": _text,
    "zip": _zip,
    "location": _location,
}
