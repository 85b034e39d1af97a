"""Migrations and models agree, and a database can be migrated down and up again."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from bot.models import Base
from bot.schema import downgrade, import_all_models, upgrade


def test_migrated_schema_matches_the_models(database_url: str):
    import_all_models()
    engine = create_engine(database_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert differences == []


def test_downgrade_to_base_and_upgrade_again(tmp_path):  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'roundtrip.sqlite3'}"
    upgrade(url)
    downgrade(url, "base")
    upgrade(url)


def test_0012_ties_outbox_rows_to_their_broadcast_and_invitations_to_the_event():  # type: ignore[no-untyped-def]
    """Rows queued before 0012 keep counting for their broadcast, and an invitation already
    queued by a broadcast takes the event's key, so ``events invite`` cannot repeat it."""
    import os
    from datetime import UTC, datetime

    from sqlalchemy import insert, select

    from bot.models import Contact, OutboxMessage
    from bot.outreach.models import Broadcast, OutreachEvent
    from bot.schema import scratch_database

    at = datetime(2026, 11, 24, 18, 0, tzinfo=UTC)
    server = os.environ.get("DATABASE_URL", "").strip()
    with scratch_database(server, "vecino_migration", migrate=False) as url:
        upgrade(url, "0011_tags")
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(insert(Contact.__table__), [
                {"id": 1, "channel": "sms", "address": "+12135550123", "first_seen_at": at,
                 "last_seen_at": at},
            ])  # fmt: skip
            connection.execute(insert(OutreachEvent.__table__).values(
                id=7, token="t7", kind="town_hall", title_en="T", title_es="A", starts_at=at,
                ends_at=at, timezone="America/Los_Angeles", status="scheduled",
                remind_minutes=[], sequence=0, created_at=at, updated_at=at,
            ))  # fmt: skip
            connection.execute(insert(Broadcast.__table__), [
                {"id": b, "event_id": e, "filters": [], "status": "queued", "recipients": 1,
                 "send_at": at, "created_at": at}
                for b, e in ((1, 7), (2, 7), (3, None))
            ])  # fmt: skip
            connection.execute(insert(OutboxMessage.__table__), [
                {"contact_id": 1, "channel": "sms", "reason": "broadcast", "idempotency_key": key,
                 "flow_id": "x", "status": "pending", "not_before": at, "attempts": 0,
                 "created_at": at, "updated_at": at}
                for key in ("broadcast:1:1", "broadcast:2:1", "broadcast:3:1", "followup:9")
            ])  # fmt: skip
        upgrade(url)
        with engine.connect() as connection:
            rows = connection.execute(
                select(OutboxMessage.idempotency_key, OutboxMessage.broadcast_id).order_by(
                    OutboxMessage.id
                )
            ).all()
        engine.dispose()
    assert [tuple(row) for row in rows] == [
        ("event:7:invite:1", 1),  # the event's key: one invitation per contact per event
        ("broadcast:2:1", 2),  # the duplicate the old keys let in: still counted, keyed apart
        ("broadcast:3:1", 3),  # a text keeps its key
        ("followup:9", None),
    ]


OUTBOX_ID = "ix_messages_outbox_id"


def test_0013_0014_index_only_messages_that_reply_hold_a_lease_or_left_the_outbox(
    database_url: str,
):
    """Inbound messages and SMS replies add no entry to these three indexes, and the lookups
    that need them (a reply's inbound, the lease sweep, an outbox row's message, the foreign
    keys' SET NULL) still can use them: ``= ?`` and ``< ?`` imply NOT NULL to both
    databases."""
    from sqlalchemy import inspect, text

    engine = create_engine(database_url)
    with engine.connect() as connection:
        indexes = {index["name"]: index for index in inspect(connection).get_indexes("messages")}
        for name in ("ix_messages_in_reply_to_id", "ix_messages_lease_until", OUTBOX_ID):
            options = indexes[name].get("dialect_options", {})
            where = options.get(f"{connection.dialect.name}_where")
            assert "not null" in str(where).lower(), (name, options)
        postgresql = connection.dialect.name == "postgresql"
        if postgresql:
            connection.execute(text("SET enable_seqscan = off"))
        explain = "EXPLAIN" if postgresql else "EXPLAIN QUERY PLAN"
        for query, name in (
            ("SELECT id FROM messages WHERE in_reply_to_id = 7", "ix_messages_in_reply_to_id"),
            ("SELECT id FROM messages WHERE lease_until < '2026-01-01'", "ix_messages_lease_until"),
            ("SELECT id FROM messages WHERE outbox_id = 7", OUTBOX_ID),  # 0014
        ):
            plan = " ".join(str(row) for row in connection.execute(text(f"{explain} {query}")))
            assert name in plan, plan
    engine.dispose()


def test_0015_the_dashboards_index_holds_residents_messages_and_still_serves_its_count(
    database_url: str,
):
    """Replies add no entry to the dashboard's index, and its count of residents who wrote
    each day still uses it: on SQLite the index alone, on PostgreSQL a range of it (with the
    constant ``direction`` first, PostgreSQL costed a whole-index scan and read the table)."""
    from datetime import UTC, datetime

    from sqlalchemy import event, inspect, text
    from sqlalchemy.orm import Session

    from admin.stats import conversations_per_day

    name = "ix_messages_inbound_created"
    engine = create_engine(database_url)
    postgresql = engine.dialect.name == "postgresql"
    with engine.connect() as connection:
        index = {i["name"]: i for i in inspect(connection).get_indexes("messages")}[name]
        where = index.get("dialect_options", {}).get(f"{engine.dialect.name}_where")
        assert "direction" in str(where) and "'in'" in str(where), index
    sent: list[tuple[str, object]] = []

    def capture(_conn, _cursor, statement, parameters, *_args):  # type: ignore[no-untyped-def]
        sent.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    with Session(engine) as session:
        conversations_per_day(session, "America/Los_Angeles", datetime.now(UTC))
    event.remove(engine, "before_cursor_execute", capture)
    [(query, parameters)] = [(q, p) for q, p in sent if "messages" in q]
    with engine.connect() as connection:
        if postgresql:  # an empty table is read whole whatever its indexes
            connection.execute(text("SET enable_seqscan = off"))
        explain = "EXPLAIN" if postgresql else "EXPLAIN QUERY PLAN"
        rows = connection.exec_driver_sql(f"{explain} {query}", parameters)  # type: ignore[arg-type]
        plan = " ".join(str(row) for row in rows)
    assert name in plan, plan
    if not postgresql:
        assert "COVERING INDEX" in plan, plan
    engine.dispose()
