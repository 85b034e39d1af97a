"""Text normalisation: fold case, accents and punctuation, then undo texting shorthand.

Two levels, because they serve different rules. ``fold`` is exact (what answers and flow
files are compared with). ``normalize`` also rewrites the spellings residents really type
("kiero", "xq", "pls", "stooop", "dont") into one standard form, so a rule is written once.
"""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[^\w\s]+")
_SPACES = re.compile(r"\s+")
_REPEATS = re.compile(r"([a-z])\1{2,}")  # "stooop" -> "stop", "ayudaaaa" -> "ayuda"

# Texting shorthand and frequent misspellings -> standard spelling, one token at a time.
# Only tokens that cannot be an ordinary word in either language are listed ("q" is "que" in
# Spanish texting and never an English word on its own; "k" is "que" or "ok", so both are
# harmless fillers for our rules).
SPELLING = {
    # Spanish
    "kiero": "quiero",
    "qiero": "quiero",
    "kieres": "quieres",
    "q": "que",
    "k": "que",
    "ke": "que",
    "xq": "porque",
    "xk": "porque",
    "pq": "porque",
    "pk": "porque",
    "x": "por",
    "d": "de",
    "porfa": "por favor",
    "porfis": "por favor",
    "porfavor": "por favor",
    "xfa": "por favor",
    "xfavor": "por favor",
    "plis": "please",
    "nesesito": "necesito",
    "nececito": "necesito",
    "nesecito": "necesito",
    "nesito": "necesito",
    "ocupo": "necesito",  # Mexican Spanish: "ocupo comida" = I need food
    "aiuda": "ayuda",
    "alluda": "ayuda",
    "ayudaa": "ayuda",
    "msj": "mensajes",
    "msjs": "mensajes",
    "mensages": "mensajes",
    "mesajes": "mensajes",
    "ablar": "hablar",
    "suisidio": "suicidio",
    "suicido": "suicidio",
    "suisidarme": "suicidarme",
    "suisidar": "suicidar",
    # English
    "pls": "please",
    "plz": "please",
    "pleas": "please",
    "u": "you",
    "ur": "your",
    "im": "i m",
    "dont": "don t",
    "doesnt": "doesn t",
    "didnt": "didn t",
    "wont": "won t",
    "cant": "can t",
    "cannot": "can t",
    "isnt": "isn t",
    "wasnt": "wasn t",
    "werent": "weren t",
    "arent": "aren t",
    "wanna": "want to",
    "gonna": "going to",
    "msg": "message",
    "msgs": "messages",
    "txt": "text",
    "txts": "texts",
    "txting": "texting",
    "thx": "thanks",
    "ty": "thanks",
    "unsubscibe": "unsubscribe",
    "unsuscribe": "unsubscribe",
    "unsubcribe": "unsubscribe",
    "suicde": "suicide",
    "sucide": "suicide",
    "myslef": "myself",
}


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


def normalize(text: str) -> str:
    """``fold`` plus texting shorthand: ``"Kiero darme d baja xfa!!"`` -> ``"quiero darme d baja
    por favor"``. Apostrophes become spaces, so "don't" and "dont" both read ``"don t"``."""
    folded = _REPEATS.sub(r"\1", fold(text))
    return " ".join(SPELLING.get(token, token) for token in folded.split(" ") if token)
