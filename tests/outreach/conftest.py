"""The outreach tests' app: pointed at a loopback fake of Twilio's REST API, so the worker's
sends are real HTTP, and the scheduler's jobs run with its services."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.app import create_app
from scheduler import jobs

from ..conftest import _empty_all_tables, settings_with
from ..fake_twilio_api import FakeTwilioApi


@pytest.fixture
def fake_twilio() -> Iterator[FakeTwilioApi]:
    api = FakeTwilioApi().start()
    yield api
    api.stop()


@pytest.fixture
def app(settings, clock, fake_twilio):  # type: ignore[no-untyped-def]
    application = create_app(
        settings_with(settings, twilio_api_base_url=fake_twilio.base_url), clock
    )
    application.config["TESTING"] = True
    jobs.use_services(application.extensions["vecino"])
    yield application
    jobs.use_services(None)
    application.extensions["vecino"].db.dispose()
    _empty_all_tables(settings.database_url)
