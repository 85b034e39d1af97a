"""Keywords that always win over whatever a flow is waiting for, in Spanish and English.

A whole message equal to a keyword matches (after folding case, accents, spaces and
punctuation). Opt-out and crisis also match phrases inside a longer message, because US
messaging rules count any reasonable request to stop, and because a resident in crisis will not
use our words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .text import fold

OPT_OUT = {
    "en": [
        "stop",
        "stopall",
        "unsubscribe",
        "cancel",
        "end",
        "quit",
        "stop all",
        "optout",
        "opt out",
        "revoke",
    ],
    "es": ["alto", "parar", "para", "baja", "cancelar", "darme de baja", "detener"],
}
OPT_OUT_PHRASES = {
    "en": [
        "stop texting",
        "stop messaging",
        "stop sending",
        "stop contacting",
        "stop txting",
        "stop the texts",
        "stop the messages",
        "stop these texts",
        "stop these messages",
        "no more texts",
        "no more messages",
        "no more text",
        "dont text me",
        "don t text me",
        "do not text me",
        "do not contact me",
        "dont contact me",
        "don t contact me",
        "leave me alone",
        "take me off",
        "remove me",
        "unsubscribe me",
        "opt me out",
    ],
    "es": [
        "no mas mensajes",
        "no mas textos",
        "ya no me manden",
        "ya no me envien",
        "ya no me escriban",
        "no me escriban",
        "no me manden",
        "no me envien",
        "dejen de escribir",
        "dejen de escribirme",
        "dejen de mandarme",
        "dejen de enviarme",
        "deja de escribirme",
        "deja de mandarme",
        "deja de enviarme",
        "dejen de mandar",
        "dejen de enviar",
        "deja de escribir",
        "deja de mandar",
        "deja de enviar",
        "quitenme de la lista",
        "sacame de la lista",
        "borrenme",
        "no quiero mas mensajes",
        "no quiero recibir",
    ],
}
OPT_IN = {"en": ["start", "unstop", "subscribe", "yes start"], "es": ["alta", "inicio", "empezar"]}
HELP = {"en": ["help", "info"], "es": ["ayuda", "informacion"]}
MENU = {"en": ["menu", "main menu", "options"], "es": ["menu", "opciones", "inicio menu"]}
LANGUAGE = {
    "es": ["es", "espanol", "spanish", "en espanol"],
    "en": ["en", "english", "ingles", "in english"],
}
CRISIS_PHRASES = {
    "en": [
        "suicide",
        "suicidal",
        "kill myself",
        "killing myself",
        "want to die",
        "wanna die",
        "end my life",
        "ending my life",
        "take my life",
        "hurt myself",
        "hurting myself",
        "better off dead",
        "no reason to live",
        "dont want to live",
        "don t want to live",
        "do not want to live",
        "want to be dead",
        "self harm",
    ],
    "es": [
        "suicidio",
        "suicidarme",
        "suicida",
        "me quiero morir",
        "quiero morir",
        "quiero morirme",
        "me quiero matar",
        "matarme",
        "quitarme la vida",
        "no quiero vivir",
        "hacerme dano",
        "lastimarme",
        "mejor muerto",
        "mejor muerta",
        "no vale la pena vivir",
        "acabar con mi vida",
        "terminar con mi vida",
    ],
}


@dataclass(frozen=True)
class KeywordMatch:
    kind: str  # opt_out, opt_in, help, menu, language, crisis
    language: str | None  # the language the word belongs to, when it tells us
    value: str | None = None  # for "language": the language asked for


def _whole(folded: str, table: dict[str, list[str]]) -> str | None:
    for language, words in table.items():
        if folded in words:
            return language
    return None


def _phrase_patterns(table: dict[str, list[str]]) -> dict[str, re.Pattern[str]]:
    # One alternation per language: a message is scanned once, not once per phrase.
    return {
        language: re.compile(r"(?<!\w)(?:" + "|".join(re.escape(p) for p in phrases) + r")(?!\w)")
        for language, phrases in table.items()
    }


_CRISIS = _phrase_patterns(CRISIS_PHRASES)
_OPT_OUT_PHRASES = _phrase_patterns(OPT_OUT_PHRASES)


def _phrase(folded: str, patterns: dict[str, re.Pattern[str]]) -> str | None:
    for language, pattern in patterns.items():
        if pattern.search(folded):
            return language
    return None


def match_keyword(text: str) -> KeywordMatch | None:
    """The global keyword this message is, if any. Crisis is checked first: safety wins."""
    folded = fold(text)
    if not folded:
        return None
    if (language := _phrase(folded, _CRISIS)) is not None:
        return KeywordMatch("crisis", language)
    if (language := _whole(folded, OPT_OUT)) is not None:
        return KeywordMatch("opt_out", language)
    if (language := _phrase(folded, _OPT_OUT_PHRASES)) is not None:
        return KeywordMatch("opt_out", language)
    if (language := _whole(folded, OPT_IN)) is not None:
        return KeywordMatch("opt_in", language)
    if (language := _whole(folded, HELP)) is not None:
        return KeywordMatch("help", language)
    if folded in MENU["en"] or folded in MENU["es"]:
        # "menu" is the same word in both languages, so it tells us nothing about language.
        language = "es" if folded in MENU["es"] and folded not in MENU["en"] else None
        return KeywordMatch("menu", language)
    for wanted, words in LANGUAGE.items():
        if folded in words:
            return KeywordMatch("language", wanted, value=wanted)
    return None
