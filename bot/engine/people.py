"""Counting the people in a household from the way a resident says it.

"How many people live in your home, counting you?" is answered "4", "somos cinco", "yo y mis
3 hijos" (4), "mi esposo y yo" (2) or "my wife, 2 kids and me" (4). A total ("somos 5",
"5 personas") wins over the people listed; someone who lists the people they live with lives
there too, so they count once even when they don't name themselves ("mi esposo y mis 2 hijos"
is 4). A plural nobody counted ("mis hijos", "my kids") cannot be told: None, and the
resident is asked for a number.
"""

from __future__ import annotations

from .text import fold

NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "uno": 1, "una": 1, "un": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6,
    "siete": 7, "ocho": 8, "nueve": 9, "diez": 10, "once": 11, "doce": 12,
}  # fmt: skip
SELF = {
    "yo", "me", "i", "im", "myself", "conmigo", "contandome", "incluyendome", "alone", "sola",
    "solo", "solita", "solito",
}  # fmt: skip
ONE_PERSON = {
    "esposo", "esposa", "marido", "pareja", "novio", "novia", "husband", "wife", "partner",
    "spouse", "boyfriend", "girlfriend", "hijo", "hija", "nino", "nina", "bebe", "son",
    "daughter", "kid", "child", "baby", "mama", "madre", "papa", "padre", "mom", "mother",
    "dad", "father", "abuela", "abuelo", "grandma", "grandpa", "grandmother", "grandfather",
    "hermano", "hermana", "brother", "sister", "tio", "tia", "uncle", "aunt", "primo", "prima",
    "cousin", "sobrino", "sobrina", "nephew", "niece", "nieto", "nieta", "grandson",
    "granddaughter", "suegra", "suegro", "cunado", "cunada", "roommate", "amigo", "amiga",
    "friend", "companero", "companera",
}  # fmt: skip
# Plurals that name a number by themselves; other plurals need one ("3 hijos").
PAIRS = {"padres", "papas", "parents", "suegros", "abuelos", "grandparents"}
SEVERAL = {
    "hijos", "hijas", "ninos", "ninas", "bebes", "kids", "children", "sons", "daughters",
    "babies", "hermanos", "hermanas", "brothers", "sisters", "tios", "tias", "primos", "primas",
    "cousins", "sobrinos", "sobrinas", "nietos", "nietas", "grandkids", "grandchildren",
    "roommates", "amigos", "amigas", "friends", "companeros",
}  # fmt: skip
PEOPLE = {"personas", "persona", "people", "person", "gente", "miembros", "members", "total"}
# Without a number, a reply counts only when it is a list of people: these words may join them.
# A sentence about something else ("mi esposo me pega", "my landlord wants me out") names
# people too, but it is not an answer, and storing "2" for it would be wrong data.
LIST_WORDS = {
    "mi", "mis", "my", "y", "e", "and", "con", "with", "plus", "mas", "tambien", "also", "el",
    "la", "los", "las", "vivo", "vivimos", "live", "lives", "we", "somos", "just", "only",
    "nosotros", "nomas", "en", "casa", "home", "at", "it", "s", "is", "its",
}  # fmt: skip


def _number(token: str) -> int | None:
    if token.isdigit():
        return int(token)
    return NUMBER_WORDS.get(token)


def count_people(text: str) -> int | None:
    """How many people the reply says live in the home, or None when it cannot be told."""
    tokens = fold(text).split()
    totals: list[int] = []
    listed, self_named, uncounted, stray = 0, False, False, False
    index = 0
    while index < len(tokens):
        token = tokens[index]
        following = tokens[index + 1] if index + 1 < len(tokens) else ""
        number = _number(token)
        if number is not None and (following in SEVERAL or following in ONE_PERSON):
            listed += number  # "3 hijos", "dos niños", "un hijo"
            index += 2
            continue
        if number is not None and token not in ("un", "una", "uno"):
            totals.append(number)  # "somos 5", "5 personas", "5"
        elif token in SELF:
            self_named = True
        elif token in ONE_PERSON:
            listed += 1
        elif token in PAIRS:
            listed += 2
        elif token in SEVERAL:
            uncounted = True
        elif token not in LIST_WORDS and token not in PEOPLE:
            stray = True
        index += 1
    if len(totals) == 1:
        return totals[0]
    if totals or uncounted:
        return None  # "3 o 4", "mis hijos": ask for the number
    if stray:
        return None  # not a list of people: ask for the number
    if listed:
        return listed + 1  # the resident lives there too, named or not
    if self_named:
        return 1  # "solo yo", "just me"
    if tokens in (["uno"], ["una"], ["un"]):
        return 1
    return None
