"""Reading one inbound text: crisis, opt-out (sure or to be asked), opt-in, help, menu, language,
a request for a person.

Rules over normalised text, checked in a fixed order (crisis first: safety wins). Everything
not recognised here is an ordinary message: an answer to the waiting question or a request
for a flow (``bot.understanding.requests``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from . import lexicon as lx
from .normalize import normalize

# How many words before a stop phrase are searched for another subject ("my ex won't ...").
SUBJECT_WINDOW = 5


@dataclass(frozen=True)
class Reading:
    """What a message is. ``kind``: crisis, safety (violence at home), opt_out, ask_opt_out
    (unclear: ask once), opt_in, help, menu, language, person (talk to a person, not the
    bot). ``language``: the language the words
    belong to, when they tell us; ``value``: for ``language``, the language asked for; for
    ``crisis``, ``"safety"`` when the message also tells of violence at home."""

    kind: str
    language: str | None
    value: str | None = None


def _alternation(patterns: Iterable[str]) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)(?:" + "|".join(f"(?:{p})" for p in patterns) + r")(?!\w)")


@cache
def _compiled(table_name: str) -> dict[str, re.Pattern[str]]:
    table: dict[str, tuple[str, ...]] = getattr(lx, table_name)
    return {language: _alternation(patterns) for language, patterns in table.items()}


_FILLER = _alternation(sorted(lx.FILLER, key=len, reverse=True))
_OTHER_SUBJECT = _alternation(lx.OTHER_SUBJECT)
_SAFETY = _alternation(lx.SAFETY)
_NOT_FOR_A_PERSON = _alternation(lx.PERSON_NOT)


def without_filler(normalized: str) -> str:
    """``"stop please"`` -> ``"stop"``; ``"alto por favor ya"`` -> ``"alto"``."""
    return " ".join(_FILLER.sub(" ", normalized).split())


def _whole(text: str, table: dict[str, tuple[str, ...]]) -> str | None:
    for language, words in table.items():
        if text in words:
            return language
    return None


def _repeated_word(text: str, table: dict[str, tuple[str, ...]]) -> str | None:
    """ "stop stop", "STOP ALTO": every word is one of the table's single words."""
    words = text.split(" ")
    for language, entries in table.items():
        if words[0] in entries:
            singles = {w for entries_ in table.values() for w in entries_ if " " not in w}
            return language if all(word in singles for word in words) else None
    return None


def _whole_phrase(text: str, table_name: str) -> str | None:
    """The language of a phrase that is the whole of ``text``."""
    for language, pattern in _compiled(table_name).items():
        if pattern.fullmatch(text):
            return language
    return None


def _phrase(text: str, table_name: str, guarded: bool) -> str | None:
    """The language of the first phrase found, skipping any that another subject governs."""
    for language, pattern in _compiled(table_name).items():
        for found in pattern.finditer(text):
            if guarded and _other_subject(text[: found.start()]):
                continue
            return language
    return None


def _other_subject(before: str) -> bool:
    window = " ".join(before.split()[-SUBJECT_WINDOW:])
    return _OTHER_SUBJECT.search(window) is not None


def is_crisis(text: str) -> str | None:
    """The language of the crisis words in ``text``, or None."""
    return _phrase(normalize(text), "CRISIS", guarded=False)


def opt_out(normalized: str, bare: str) -> Reading | None:
    """``opt_out`` when sure, ``ask_opt_out`` when unclear, None when not a request to stop."""
    language = _whole(bare, lx.OPT_OUT_WORDS) or (
        _repeated_word(bare, lx.OPT_OUT_WORDS) if bare else None
    )
    if language is not None:
        return Reading("opt_out", language)
    language = _phrase(normalized, "OPT_OUT_PHRASES", guarded=True) or _phrase(
        bare, "OPT_OUT_PHRASES", guarded=True
    )
    if language is not None:
        return Reading("opt_out", language)
    language = _whole(normalized, lx.ASK_WHOLE) or _whole(bare, lx.ASK_WHOLE)
    if language is None:
        language = _phrase(normalized, "ASK_PHRASES", guarded=True)
    if language is not None and _SAFETY.search(normalized) is None:
        return Reading("ask_opt_out", language)
    return None


def asks_for_person(normalized: str, bare: str) -> str | None:
    """The language of a request to talk to a person ("quiero hablar con alguien", "agent"),
    or None; "I don't want to talk to anyone" is not one."""
    language = _whole(bare, lx.PERSON_WORDS) or _whole(normalized, lx.PERSON_WORDS)
    if language is not None:
        return language
    if _NOT_FOR_A_PERSON.search(normalized) is not None:
        return None
    return _phrase(normalized, "PERSON_PHRASES", guarded=False)


def confirmation(text: str) -> bool | None:
    """A plain yes (True) or no (False) to "do you want to stop getting our messages?"."""
    normalized = normalize(text)
    for candidate in (normalized, without_filler(normalized)):
        if candidate in lx.CONFIRM:
            return True
        if candidate in lx.DENY:
            return False
    return None


def read(text: str) -> Reading | None:
    """What ``text`` is, or None for an ordinary message. Crisis is checked first, then
    violence at home: both outrank every other reading, an opt-out above all."""
    normalized = normalize(text)
    if not normalized:
        return None
    violence = _phrase(normalized, "VIOLENCE", guarded=False)
    if (language := _phrase(normalized, "CRISIS", guarded=False)) is not None:
        # "mi esposo me pega, ya no aguanto": both sets of lines, crisis first.
        return Reading("crisis", language, value="safety" if violence else None)
    if violence is not None:
        return Reading("safety", violence)
    bare = without_filler(normalized) or normalized
    if (found := opt_out(normalized, bare)) is not None:
        return found
    if (
        language := _whole(bare, lx.OPT_IN_WORDS) or _whole_phrase(bare, "OPT_IN_PHRASES")
    ) is not None:
        return Reading("opt_in", language)
    if (language := _whole(bare, lx.HELP_WORDS)) is not None:
        return Reading("help", language)
    if bare in lx.MENU_WORDS["en"] or bare in lx.MENU_WORDS["es"]:
        # "menu" is the same word in both languages, so it tells us nothing about language.
        spanish_only = bare in lx.MENU_WORDS["es"] and bare not in lx.MENU_WORDS["en"]
        return Reading("menu", "es" if spanish_only else None)
    for wanted, words in lx.LANGUAGE_WORDS.items():
        if bare in words:
            return Reading("language", wanted, value=wanted)
    if (language := asks_for_person(normalized, bare)) is not None:
        return Reading("person", language)
    return None
