"""Reading a resident's answer to a question, in either language, as a patient human would."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from .flows import Choice, Step
from .people import count_people
from .text import contains_phrase, fold
from .types import Inbound

NUMBER_WORDS = {
    "zero": 0, "none": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20,
    "cero": 0, "ninguno": 0, "ninguna": 0, "uno": 1, "una": 1, "un": 1, "dos": 2, "tres": 3,
    "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7, "ocho": 8, "nueve": 9, "diez": 10,
    "doce": 12, "trece": 13, "catorce": 14, "quince": 15, "dieciseis": 16,
    "diecisiete": 17, "dieciocho": 18, "diecinueve": 19, "veinte": 20,
}  # fmt: skip
# ("once" is left out: it is 11 in Spanish but "one time" in English.)
# Inside a longer reply these are articles more often than numbers ("una familia de cinco",
# "none of these"): they count only before "o" / "or" ("una o dos") or as the whole message.
ARTICLES = {"un", "una", "none", "ninguno", "ninguna"}
ALTERNATIVES = {"o", "u", "or", "y", "and"}
YES = {
    "yes", "y", "yeah", "yea", "yep", "yup", "sure", "sure thing", "ok", "okay", "okey", "oki",
    "alright", "all right", "of course", "ready", "go", "lets go", "let s go", "start",
    "begin", "lets start", "let s start", "yes please", "si", "s", "sip", "claro",
    "claro que si", "si claro", "por supuesto", "correcto", "de acuerdo", "esta bien", "bueno",
    "dale", "va", "sale", "orale", "listo", "lista", "vamos", "si por favor",
    # "¿Empezamos?" is answered with the verb: these are yes to a question, and an opt-in
    # keyword only for someone who opted out (the keyword layer decides that first).
    "empezar", "empecemos", "empezamos", "comenzar", "comencemos", "comenzamos", "iniciar",
    "inicio", "iniciemos",
}  # fmt: skip
NO = {
    "no", "n", "nope", "nop", "nah", "nel", "no thanks", "no thank you", "no gracias",
    "not now", "ahora no", "ahorita no", "never", "nunca", "not really", "no realmente",
}  # fmt: skip
NEGATIONS = {"no", "not", "nunca", "never", "nope", "nel", "nah", "dont", "don", "cant"}
# Navigation words, matched against the whole message only: a resident writing "I'd skip
# breakfast" is answering, not skipping. "No sé" counts as a skip where a skip is allowed,
# because that is what a patient interviewer would write down.
SKIP_WORDS = {
    "skip",
    "skip it",
    "skip this",
    "pass",
    "next",
    "prefer not to say",
    "rather not say",
    "prefer not to answer",
    "dont know",
    "don t know",
    "i dont know",
    "i don t know",
    "not sure",
    "saltar",
    "salta",
    "saltala",
    "saltar pregunta",
    "paso",
    "omitir",
    "siguiente",
    "prefiero no decir",
    "prefiero no contestar",
    "prefiero no responder",
    "no quiero contestar",
    "no quiero responder",
    "no se",
    "no lo se",
    "quien sabe",
    "ni idea",
    "no tengo idea",
    "who knows",
    "no idea",
}
BACK_WORDS = {
    "back",
    "go back",
    "previous",
    "undo",
    "atras",
    "regresar",
    "volver",
    "anterior",
    "pregunta anterior",
}
# Hedges: an answer that does not fit the question's options is still an answer attempt, never
# a keyword for another flow ("más o menos" must not fire MÁS). Flows map the hedges they can
# place on their own scale (see docs/surveys.md); anything else is asked again.
HEDGES = {
    "mas o menos", "more or less", "kind of", "kinda", "sort of", "sorta", "maybe", "tal vez",
    "quizas", "quiza", "a veces", "sometimes", "casi nunca", "almost never", "casi siempre",
    "almost always", "no mucho", "not much", "a little", "un poco", "regular", "so so",
    "asi asi", "depende", "it depends",
}  # fmt: skip
# Asking for the question again: the short re-prompt names only the option numbers.
REPEAT_WORDS = {
    "repeat", "repeat the question", "again", "what", "huh", "what question", "which question",
    "que", "que pregunta", "cual pregunta", "como", "repite", "repitela", "repetir",
    "la pregunta", "no entiendo", "no entendi", "i dont understand", "i don t understand",
    "options", "the options", "las opciones", "cuales opciones",
}  # fmt: skip
CONNECTORS = {"y", "e", "and", "&", "+"}
ZIP_PATTERN = re.compile(r"(?<![\w])(\d{5})(?:-\d{4})?(?![\w])")
NUMBER_PATTERN = re.compile(r"(?<![\w.,-])(-?\d+(?:[.,]\d+)?)(?![\w])")
MAX_TEXT_ANSWER = 1000


@dataclass(frozen=True)
class Answer:
    """A valid answer's stored value, or why the text was not one."""

    value: Any = None
    # "unclear", "out_of_range", "too_many", "empty", "conflict", "ambiguous"
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def number_in(text: str) -> int | float | None:
    """The one number a message holds (digits, or a number word: "tres", "somos cinco")."""
    folded = fold(text)
    if folded in NUMBER_WORDS:
        return NUMBER_WORDS[folded]
    found = NUMBER_PATTERN.findall(text.strip())
    if found:
        if len(found) != 1:
            return None
        number = float(found[0].replace(",", "."))
        return int(number) if number.is_integer() else number
    tokens = folded.split()
    if not tokens:
        return None
    words = [
        NUMBER_WORDS[token]
        for token, following in zip(tokens, [*tokens[1:], ""], strict=True)
        if token in NUMBER_WORDS and (token not in ARTICLES or following in ALTERNATIVES)
    ]
    return words[0] if len(words) == 1 else None


def zip_codes_in(text: str) -> list[str]:
    return ZIP_PATTERN.findall(text)


def match_choice(text: str, choices: Sequence[Choice], shown: Sequence[str]) -> Choice | None:
    """The choice a text names: its number as shown, its value, label or words in any language."""
    folded = fold(text)
    if not folded:
        return None
    visible = _visible(choices, shown)
    if folded.replace(" ", "").isdigit():  # "2", "3.0"; the number comes from the raw text
        number = number_in(text)
        in_range = isinstance(number, int) and 1 <= number <= len(visible)
        return visible[number - 1] if in_range else None
    exact = [c for c in visible if folded in c.names]
    if len(exact) == 1:
        return exact[0]
    if folded in NUMBER_WORDS:  # "dos"; after the names, so "ninguno" can name "none"
        number = NUMBER_WORDS[folded]
        return visible[number - 1] if 1 <= number <= len(visible) else None
    # "sometimes, I guess" / "a veces creo": one choice named inside a longer reply.
    inside = _named_inside(folded, visible)
    return inside[0] if len(inside) == 1 else None


def is_hedge(text: str) -> bool:
    folded = fold(text)
    return any(contains_phrase(folded, hedge) for hedge in HEDGES)


def asks_again(text: str) -> bool:
    """ "?", "¿qué?", "repite": the resident wants the whole question again."""
    stripped = text.strip()
    return bool(stripped) and (set(stripped) <= set("?¿ ") or fold(text) in REPEAT_WORDS)


def names_choice_exactly(text: str, choices: Sequence[Choice], shown: Sequence[str]) -> bool:
    """The reply is a shown choice's number or one of its names, not just a word inside it."""
    folded = fold(text)
    visible = _visible(choices, shown)
    if folded.isdigit() or folded in NUMBER_WORDS:
        return True
    return any(folded in c.names for c in visible)


def is_skip(text: str) -> bool:
    return fold(text) in SKIP_WORDS


def is_back(text: str) -> bool:
    return fold(text) in BACK_WORDS


def _visible(choices: Sequence[Choice], shown: Sequence[str]) -> list[Choice]:
    by_value = {c.value: c for c in choices}
    return [by_value[v] for v in shown if v in by_value] or list(choices)


def _numbers_only(folded: str) -> list[int] | None:
    """``"1 3"``, ``"1, 3"``, ``"1 y 3"`` -> ``[1, 3]``; None when there are words besides."""
    tokens = folded.split()
    numbers = [int(t) for t in tokens if t.isdigit()]
    if not numbers or any(not t.isdigit() and t not in CONNECTORS for t in tokens):
        return None
    return numbers


def _named_inside(folded: str, visible: Sequence[Choice]) -> list[Choice]:
    """Choices named inside a reply, the longest name winning where names overlap: in
    "casi nunca" the words of "sometimes" ("casi nunca") beat those of "never" ("nunca")."""
    spans = [
        (found.start(), found.end(), choice)
        for choice in visible
        for name in choice.names
        if name
        for found in re.finditer(rf"(?<!\w){re.escape(name)}(?!\w)", folded)
    ]
    kept = {
        id(choice)
        for start, end, choice in spans
        if not any(s <= start and end <= e and e - s > end - start for s, e, _ in spans)
    }
    return [c for c in visible if id(c) in kept]


PIECE_SEPARATORS = re.compile(r"[,;/+&]|\s(?:y|e|and)\s", re.IGNORECASE)


def _pieces(
    text: str, choices: Sequence[Choice], shown: Sequence[str], visible: Sequence[Choice]
) -> list[Choice]:
    """``"comida y escuela"``: each piece names one choice (or part of one label); else []."""
    picked = []
    for piece in PIECE_SEPARATORS.split(text):
        folded = fold(piece)
        if not folded:
            continue
        choice = match_choice(piece, choices, shown)
        if choice is None and len(folded) >= 4:
            # "escuela" for "Escuela y guardería": part of exactly one choice's name.
            partial = [c for c in visible if any(contains_phrase(n, folded) for n in c.names)]
            choice = partial[0] if len(partial) == 1 else None
        if choice is None:
            return []
        picked.append(choice)
    return picked


def match_choices(
    text: str, choices: Sequence[Choice], shown: Sequence[str]
) -> tuple[list[Choice], str | None]:
    """Several choices named in one reply (``"1 3"``, ``"comida y renta"``), or a problem."""
    folded = fold(text)
    if not folded:
        return [], "empty"
    visible = _visible(choices, shown)
    numbers = _numbers_only(folded)
    if numbers is None and folded in NUMBER_WORDS:
        numbers = [NUMBER_WORDS[folded]]
    if numbers is not None:
        if any(not 1 <= n <= len(visible) for n in numbers):
            return [], "out_of_range"
        picked = [visible[n - 1] for n in numbers]
    else:
        exact = [c for c in visible if folded in c.names]
        picked = exact if len(exact) == 1 else _pieces(text, choices, shown, visible)
        picked = picked or _named_inside(folded, visible)
    if not picked:
        return [], "unclear"
    unique = [c for c in visible if c in picked]  # in the order shown, each once
    if len(unique) > 1 and any(c.exclusive for c in unique):
        return [], "conflict"  # "none of these" together with something
    return unique, None


def parse_yes_no(text: str) -> bool | None:
    """Yes, no, or None; "sí, por favor" and "no, gracias" too (a yes or no word first, and
    nothing after it that turns it around: "sí pero no" and "no sé" are neither)."""
    folded = fold(text)
    if folded in YES or folded == "1":
        return True
    if folded in NO or folded == "2":
        return False
    tokens = folded.split()
    for size in (3, 2, 1):
        head, rest = " ".join(tokens[:size]), tokens[size:]
        if not rest:
            continue
        if head in YES and not NEGATIONS.intersection(rest):
            return True
        turned = rest[0] in ("se", "lo", "sabe", "idea") or any(
            " ".join(rest[:n]) in YES for n in (1, 2)
        )
        if head in NO and not turned:
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
    if choice:
        return Answer(choice.value)
    # "1 2" or "often, sometimes": two answers to a one-answer question. Say so, store nothing.
    several, _ = match_choices(inbound.text, step.choices, shown)
    if len(several) > 1:
        return Answer(problem="too_many")
    return _unclear_or_empty(inbound)


def _multi(step: Step, inbound: Inbound, shown: Sequence[str]) -> Answer:
    if inbound.choice is not None:
        valid = {c.value for c in step.choices}
        return Answer([inbound.choice]) if inbound.choice in valid else Answer(problem="unclear")
    picked, problem = match_choices(inbound.text, step.choices, shown)
    if problem == "empty":
        return _unclear_or_empty(inbound)
    if problem is not None:
        return Answer(problem=problem)
    return Answer([c.value for c in picked])


def _scale(step: Step, inbound: Inbound, shown: Sequence[str]) -> Answer:
    number = number_in(inbound.text)
    if number is None:
        return _unclear_or_empty(inbound)
    low, high = step.minimum, step.maximum
    if not isinstance(number, int) or (low is not None and number < low):
        return Answer(problem="out_of_range")
    if high is not None and number > high:
        return Answer(problem="out_of_range")
    return Answer(number)


def _yes_no(step: Step, inbound: Inbound, shown: Sequence[str]) -> Answer:
    if inbound.choice in ("yes", "no"):
        return Answer(inbound.choice == "yes")
    value = parse_yes_no(inbound.text)
    if value is None:
        value = _step_yes_no_words(step, fold(inbound.text))
    if value is None:
        return _unclear_or_empty(inbound)
    return Answer(value)


def _step_yes_no_words(step: Step, folded: str) -> bool | None:
    """A question's own ``yes_words`` / ``no_words`` (AHC transportation: "a veces" is yes)."""
    said_yes = any(contains_phrase(folded, w) for w in step.yes_words if w)
    said_no = any(contains_phrase(folded, w) for w in step.no_words if w)
    if said_yes != said_no:
        return said_yes
    return None


def _number(step: Step, inbound: Inbound, shown: Sequence[str]) -> Answer:
    number = count_people(inbound.text) if step.household else number_in(inbound.text)
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


MONTHS = {
    "january": 1, "jan": 1, "enero": 1, "ene": 1,
    "february": 2, "feb": 2, "febrero": 2,
    "march": 3, "mar": 3, "marzo": 3,
    "april": 4, "apr": 4, "abril": 4, "abr": 4,
    "may": 5, "mayo": 5,
    "june": 6, "jun": 6, "junio": 6,
    "july": 7, "jul": 7, "julio": 7,
    "august": 8, "aug": 8, "agosto": 8, "ago": 8,
    "september": 9, "sep": 9, "sept": 9, "septiembre": 9, "setiembre": 9,
    "october": 10, "oct": 10, "octubre": 10,
    "november": 11, "nov": 11, "noviembre": 11,
    "december": 12, "dec": 12, "diciembre": 12, "dic": 12,
}  # fmt: skip
DATE_FILLERS = {"de", "del", "of", "the", "el"}
NUMERIC_DATE = re.compile(r"^\s*(\d{1,4})\s*[/.-]\s*(\d{1,4})(?:\s*[/.-]\s*(\d{2,4}))?\s*$")


def _year(raw: int) -> int:
    # Two-digit years: 25 is 2025 and 85 is 1985, which is what people mean in a survey.
    if raw >= 100:
        return raw
    return 2000 + raw if raw < 50 else 1900 + raw


def _iso(year: int, month: int, day: int | None) -> str | None:
    try:
        value = date(year, month, day or 1)
    except ValueError:
        return None
    return value.isoformat() if day else value.isoformat()[:7]


def parse_date(text: str) -> tuple[str | None, str | None]:
    """A date as ISO text (``2025-03-15``, or ``2025-03`` when only month and year are given).

    Accepts ``3/15/2025``, ``15/3/2025``, ``3/2025``, ``2025-03-15``, ``March 15, 2025``,
    ``15 de marzo de 2025``, ``marzo 2025``. ``3/4/2025`` could be March 4 or 3 April depending
    on where someone learned to write dates, so it is ``ambiguous`` and the resident is asked to
    name the month.
    """
    numeric = NUMERIC_DATE.match(text)
    if numeric:
        first, second, third = numeric.groups()
        a, b = int(first), int(second)
        if third is None:
            if len(first) == 4:  # 2025-03
                return _iso(a, b, None), None
            # 3/2021 is a month; 3/21 could be March 21 or March 2021, so it is not an answer.
            return (_iso(b, a, None), None) if len(second) == 4 else (None, None)
        if len(first) == 4:  # 2025-03-15
            return _iso(a, b, int(third)), None
        if len(first) > 2 or len(second) > 2:
            return None, None
        year = _year(int(third))
        if a > 12 and b <= 12:
            return _iso(year, b, a), None
        if (b > 12 and a <= 12) or a == b:
            return _iso(year, a, b), None
        return None, "ambiguous"
    # Month names: "15 de marzo de 2025", "March 15, 2025", "marzo 2025".
    tokens = [t for t in fold(text).split() if t not in DATE_FILLERS]
    months = [MONTHS[t] for t in tokens if t in MONTHS]
    numbers = [int(t) for t in tokens if t.isdigit()]
    if len(months) != 1 or len(tokens) != len(numbers) + 1 or not 1 <= len(numbers) <= 2:
        return None, None
    years = [n for n in numbers if n > 31]
    days = [n for n in numbers if n <= 31]
    if len(years) != 1 or len(days) > 1:
        return None, None
    return _iso(years[0], months[0], days[0] if days else None), None


def _date(step: Step, inbound: Inbound, shown: Sequence[str]) -> Answer:
    value, problem = parse_date(inbound.text)
    if problem:
        return Answer(problem=problem)
    if value is None:
        return _unclear_or_empty(inbound)
    low, high = step.minimum, step.maximum
    # ISO text compares like the dates it names; "2025-03" sorts with the first of March.
    if low is not None and value < str(low)[: len(value)]:
        return Answer(problem="out_of_range")
    if high is not None and value > str(high)[: len(value)]:
        return Answer(problem="out_of_range")
    return Answer(value)


def _location(step: Step, inbound: Inbound, shown: Sequence[str]) -> Answer:
    if inbound.location is not None:
        return Answer({"lat": inbound.location.latitude, "lon": inbound.location.longitude})
    answer = _zip(step, inbound, shown)
    return Answer({"zip": answer.value}) if answer.ok else answer


PARSERS: dict[str, AnswerParser] = {
    "choice": _choice,
    "multi": _multi,
    "yesno": _yes_no,
    "number": _number,
    "scale": _scale,
    "date": _date,
    "text": _text,
    "zip": _zip,
    "location": _location,
}
