"""Global keywords: both languages, any case, accents, spaces and punctuation."""

import pytest

from bot.engine.keywords import match_keyword


@pytest.mark.parametrize(
    ("text", "kind", "language"),
    [
        ("STOP", "opt_out", "en"),
        ("  stop. ", "opt_out", "en"),
        ("Stop!", "opt_out", "en"),
        ("STOPALL", "opt_out", "en"),
        ("unsubscribe", "opt_out", "en"),
        ("Cancel", "opt_out", "en"),
        ("end", "opt_out", "en"),
        ("QUIT", "opt_out", "en"),
        ("ALTO", "opt_out", "es"),
        ("¡Alto!", "opt_out", "es"),
        ("parar", "opt_out", "es"),
        ("Baja", "opt_out", "es"),
        ("CANCELAR", "opt_out", "es"),
        ("please stop texting me", "opt_out", "en"),
        ("Stop sending me messages!!", "opt_out", "en"),
        ("no more texts please", "opt_out", "en"),
        ("no más mensajes", "opt_out", "es"),
        ("Ya no me manden mensajes por favor", "opt_out", "es"),
        ("dejen de escribirme", "opt_out", "es"),
        ("START", "opt_in", "en"),
        ("unstop", "opt_in", "en"),
        ("Alta", "opt_in", "es"),
        ("help", "help", "en"),
        ("HELP?", "help", "en"),
        ("Ayuda", "help", "es"),
        ("menu", "menu", None),
        ("MENÚ", "menu", None),
        ("opciones", "menu", "es"),
        ("ES", "language", "es"),
        ("Español", "language", "es"),
        ("espanol", "language", "es"),
        ("English", "language", "en"),
        ("EN", "language", "en"),
        ("I want to die", "crisis", "en"),
        ("sometimes I think about suicide", "crisis", "en"),
        ("me quiero morir", "crisis", "es"),
        ("Pienso en el SUICIDIO", "crisis", "es"),
        ("quiero quitarme la vida", "crisis", "es"),
    ],
)
def test_keywords_match_in_both_languages(text: str, kind: str, language: str | None):
    match = match_keyword(text)
    assert match is not None, text
    assert match.kind == kind
    assert match.language == language


def test_spanish_stop_requests_with_verbs_are_honoured():
    assert match_keyword("dejen de escribir").kind == "opt_out"
    assert match_keyword("por favor dejen de enviar mensajes").kind == "opt_out"


@pytest.mark.parametrize(
    "text",
    [
        "is there a bus stop near 90057",
        "the food bank stopped giving bags",
        "I need help with rent",  # help inside a sentence is a request, not the HELP keyword
        "end of the month",
        "quiero comida",
        "",
        "   ",
        "🙂🙂",
        "12345",
        "estoy alto de estres",  # "alto" inside a sentence is not an opt-out
    ],
)
def test_ordinary_sentences_are_not_keywords(text: str):
    assert match_keyword(text) is None


def test_crisis_wins_over_other_keywords():
    assert match_keyword("stop, I want to die").kind == "crisis"
