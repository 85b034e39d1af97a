"""``bot.driver``: SQLite statements run on the driver's cursor store and read values exactly as
SQLAlchemy does, and fail with SQLAlchemy's exceptions, values hidden."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import bindparam, insert, select
from sqlalchemy.exc import IntegrityError, OperationalError

from bot import driver
from bot.db import Database, conflict_insert
from bot.models import Base, Contact, Message
from bot.schema import import_all_models

NOW = datetime(2026, 11, 26, 9, 30, 15, 123456, tzinfo=UTC)
ADDRESS = "+13235550199"

_NEW_CONTACT = insert(Contact.__table__).values(
    channel=bindparam("b_channel"),
    address=bindparam("b_address"),
    first_seen_at=bindparam("b_now"),
    last_seen_at=bindparam("b_now"),
)
_NEW_MESSAGE = (
    conflict_insert("sqlite")(Message.__table__)
    .values(
        contact_id=bindparam("m_contact"),
        channel="sms",
        direction="in",
        provider_id=bindparam("m_sid"),
        body=bindparam("m_body"),
        payload=bindparam("m_payload", type_=Message.__table__.c.payload.type),
        status="received",
        created_at=bindparam("m_now", type_=Message.__table__.c.created_at.type),
        updated_at=bindparam("m_now", type_=Message.__table__.c.updated_at.type),
    )
    .on_conflict_do_nothing(index_elements=["channel", "provider_id"])
    .returning(Message.__table__.c.id, Message.__table__.c.payload, Message.__table__.c.created_at)
)


@pytest.fixture
def database(tmp_path: Path):  # type: ignore[no-untyped-def]
    import_all_models()
    database = Database(f"sqlite:///{tmp_path / 'driver.sqlite3'}")
    Base.metadata.create_all(database.engine)
    yield database
    database.dispose()


def _contact(database: Database) -> int:
    with database.transaction() as session:
        session.execute(_NEW_CONTACT, {"b_channel": "sms", "b_address": ADDRESS, "b_now": NOW})
        return session.scalars(select(Contact.id)).one()


def test_values_go_in_and_come_back_as_sqlalchemy_stores_and_reads_them(database) -> None:  # type: ignore[no-untyped-def]
    contact_id = _contact(database)
    payload = {"choice": "food", "location": {"lat": 34.05, "lon": -118.25}, "note": "ñandú 🙂"}
    values = {"m_contact": contact_id, "m_sid": "SM1", "m_body": "hola", "m_payload": payload}
    with database.transaction() as session:
        rows = driver.run(session.connection(), _NEW_MESSAGE, {**values, "m_now": NOW})
    [(message_id, returned_payload, returned_created)] = rows
    assert returned_payload == payload
    assert returned_created == NOW
    with database.reading() as session:
        stored = session.get(Message, message_id)
        assert stored is not None
        assert (stored.payload, stored.created_at, stored.body) == (payload, NOW, "hola")


def test_a_conflict_the_statement_settles_itself_returns_no_row(database) -> None:  # type: ignore[no-untyped-def]
    contact_id = _contact(database)
    values = {"m_contact": contact_id, "m_sid": "SM2", "m_body": "1", "m_payload": None}
    with database.transaction() as session:
        first = driver.run(session.connection(), _NEW_MESSAGE, {**values, "m_now": NOW})
        again = driver.run(session.connection(), _NEW_MESSAGE, {**values, "m_now": NOW})
    assert len(first) == 1
    assert again == []


def test_a_driver_error_is_sqlalchemys_exception_without_the_values(database) -> None:  # type: ignore[no-untyped-def]
    # Callers retry on OperationalError and IntegrityError and answer 503 for the first: a raw
    # sqlite3 error would have been a 500. The values (a resident's number) stay out of it.
    _contact(database)
    with pytest.raises(IntegrityError) as raised, database.transaction() as session:
        driver.run(
            session.connection(),
            _NEW_CONTACT,
            {"b_channel": "sms", "b_address": ADDRESS, "b_now": NOW},
        )
    assert ADDRESS not in str(raised.value)
    assert "UNIQUE constraint failed" in str(raised.value)

    with pytest.raises(OperationalError), database.transaction() as session:
        session.connection().exec_driver_sql("DROP TABLE messages")
        driver.run(
            session.connection(),
            _NEW_MESSAGE,
            {"m_contact": 1, "m_sid": "SM3", "m_body": "x", "m_payload": None, "m_now": NOW},
        )


def test_driver_statements_are_for_sqlite_only() -> None:
    from sqlalchemy.dialects import postgresql

    with pytest.raises(ValueError):
        driver.DriverStatement(_NEW_CONTACT, postgresql.dialect())
