"""No resident's number, chat id or words in the logs, even when the database fails."""

from __future__ import annotations

import io
import logging
import os
import sys
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine

from bot.app import create_app
from bot.logmask import MaskPersonalNumbers, mask_personal_numbers
from bot.schema import scratch_database

from ..conftest import TwilioSender, settings_with
from ..telegram.conftest import TelegramPoster

PHONE = "+13235559876"
CHAT_ID = 987654321012
WORDS = "mi vecina sabe el secreto"


REFUSE_INSERTS = {
    "sqlite": [
        "CREATE TRIGGER refuse BEFORE INSERT ON messages BEGIN SELECT RAISE(FAIL, 'no'); END"
    ],
    "postgresql": [
        "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'no'; END $$",
        "CREATE TRIGGER refuse BEFORE INSERT ON messages FOR EACH ROW EXECUTE FUNCTION refuse()",
    ],
}


@pytest.fixture(params=["unmigrated", "refusing-inserts"])
def broken_url(request) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """A database nobody ran ``vecino db upgrade`` on (an ordinary deploy mistake), or one
    that fails the ``INSERT`` of a message, whose parameters hold the resident's words."""
    migrate = request.param != "unmigrated"
    with scratch_database(os.environ.get("DATABASE_URL", ""), "vecino_broken", migrate) as url:
        if migrate:
            engine = create_engine(url)
            with engine.begin() as connection:
                for statement in REFUSE_INSERTS[engine.dialect.name]:
                    connection.exec_driver_sql(statement)
            engine.dispose()
        yield url


@pytest.fixture
def captured() -> Iterator[tuple[logging.Handler, io.StringIO]]:
    """A plain handler on the root logger, as ``logging.basicConfig`` would install."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield handler, stream
    root.removeHandler(handler)
    root.setLevel(level)


def _provoke_database_errors(app) -> list[int]:  # type: ignore[no-untyped-def]
    client = app.test_client()
    twilio = TwilioSender(client)
    status = TwilioSender(client, path="/webhooks/twilio/status")
    telegram = TelegramPoster(client, chat_id=CHAT_ID)
    return [
        twilio.post(WORDS, sender=PHONE).status_code,
        twilio.post(WORDS, sender="whatsapp:" + PHONE).status_code,
        status.post(None, sender=PHONE, MessageStatus="delivered").status_code,
        telegram.text(WORDS).status_code,
        telegram.text("/start").status_code,
        client.get("/healthz").status_code,
    ]


@pytest.mark.parametrize("with_filter", [True, False], ids=["configured", "engine-alone"])
def test_database_errors_log_no_personal_data(
    settings, clock, bot_api, broken_url, captured, with_filter
):  # type: ignore[no-untyped-def]
    """``engine-alone``: no handler has the masking filter, so ``hide_parameters`` and the
    code's own masking must keep the data out by themselves."""
    handler, stream = captured
    app = create_app(settings_with(settings, database_url=broken_url), clock=clock)
    if not with_filter:
        for each in logging.getLogger().handlers:
            each.filters = [f for f in each.filters if not isinstance(f, MaskPersonalNumbers)]
    assert any(isinstance(f, MaskPersonalNumbers) for f in handler.filters) is with_filter
    try:
        statuses = _provoke_database_errors(app)
    finally:
        app.extensions["vecino"].db.dispose()
    logged = stream.getvalue()
    assert statuses[0] in (500, 503) and statuses[3] in (500, 503), statuses  # both webhooks
    assert "Traceback" in logged  # the errors were logged, with their SQL
    assert "parameters hidden due to hide_parameters=True]" in logged
    for secret in ("3235559876", str(CHAT_ID), WORDS, "secreto"):
        assert secret not in logged, secret


def test_the_filter_masks_numbers_in_messages_arguments_and_tracebacks(captured):  # type: ignore[no-untyped-def]
    _handler, stream = captured
    mask_personal_numbers()
    log = logging.getLogger("tests.hardening")
    try:
        raise ValueError(f"no contact for {PHONE} or chat {CHAT_ID}")
    except ValueError:
        log.exception("lookup of %s failed (chat %d, (213) 555-0123)", PHONE, CHAT_ID)
    logged = stream.getvalue()
    assert "ValueError: no contact for +1******9876 or chat *********012" in logged
    assert "lookup of +1******9876 failed (chat *********012, (***) ***-*123)" in logged
    assert "3235559" not in logged and "654321" not in logged
    assert sys.exc_info() == (None, None, None)


def test_the_filter_leaves_ordinary_log_lines_alone(captured):  # type: ignore[no-untyped-def]
    _handler, stream = captured
    mask_personal_numbers()
    line = "127.0.0.1:5000 2026-11-25 15:09:02,123 contact 42 took 0.1234567 s (SMa1b2c3d4e5f6)"
    logging.getLogger("tests.hardening").warning(line)
    assert stream.getvalue() == f"WARNING tests.hardening: {line}\n"
