"""The yardstick for bench/webhook.py: the least a *correct* Twilio webhook must do.

Signature check → ``INSERT … ON CONFLICT (channel, provider_id) DO NOTHING`` → commit → fixed
TwiML, on Vecino's own engine settings (``bot.db``: WAL and ``BEGIN IMMEDIATE`` on SQLite). No
conversation: it shows what storing each message once costs on this machine, so the full path
can be judged against work it cannot avoid rather than against an endpoint that does nothing.
"""

from __future__ import annotations

import os

from flask import Flask, Response, request
from sqlalchemy import Column, Integer, MetaData, String, Table, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from twilio.request_validator import RequestValidator

from bot.db import Database

TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response><Message>Hi</Message></Response>'
metadata = MetaData()
inbound_table = Table(
    "bench_inbound",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("channel", String(16), nullable=False),
    Column("provider_id", String(64), nullable=False),
    Column("body", Text, nullable=False),
    UniqueConstraint("channel", "provider_id"),
)


def create_tables(database_url: str) -> None:
    """Called once by the benchmark before the workers start, so they never race to create."""
    database = Database(database_url)
    metadata.create_all(database.engine)
    database.dispose()


def create_app() -> Flask:
    database = Database(os.environ["DATABASE_URL"])
    validator = RequestValidator(os.environ["TWILIO_AUTH_TOKEN"])
    public_url = os.environ["PUBLIC_BASE_URL"] + "/webhooks/twilio"
    insert = postgresql_insert if database.engine.dialect.name == "postgresql" else sqlite_insert
    statement = insert(inbound_table).on_conflict_do_nothing(
        index_elements=["channel", "provider_id"]
    )
    app = Flask(__name__)

    @app.post("/webhooks/twilio")
    def inbound() -> Response:
        form = request.form
        if not validator.validate(public_url, form, request.headers.get("X-Twilio-Signature", "")):
            return Response("forged\n", status=403, mimetype="text/plain")
        with database.engine.begin() as connection:
            connection.execute(
                statement,
                {"channel": "sms", "provider_id": form["MessageSid"], "body": form["Body"]},
            )
        return Response(TWIML, mimetype="text/xml")

    return app
