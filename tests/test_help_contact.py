"""VECINO_HELP_CONTACT: read from the environment and named in HELP over a real webhook."""

from __future__ import annotations

from bot.app import create_app
from bot.config import Settings

from .conftest import TwilioSender, settings_with
from .test_twilio_webhook import bodies


def test_help_contact_comes_from_the_environment():
    env = {"SECRET_KEY": "x", "VECINO_HELP_CONTACT": " (213) 555-0199 "}
    assert Settings.from_env(env).help_contact == "(213) 555-0199"
    assert Settings.from_env({"SECRET_KEY": "x"}).help_contact is None


def test_help_over_sms_names_the_person_to_reach(app, settings, clock):  # type: ignore[no-untyped-def]
    # Its own app, built from settings as in production; ``app`` empties the tables after.
    mine = create_app(settings_with(settings, help_contact="(213) 555-0199"), clock=clock)
    twilio = TwilioSender(mine.test_client())
    twilio.post("hola")
    twilio.post("1")
    [body] = bodies(twilio.post("AYUDA"))
    mine.extensions["vecino"].db.dispose()
    assert "Para hablar con una persona: (213) 555-0199." in body
    assert "Responde ALTO para no recibir mensajes." in body
