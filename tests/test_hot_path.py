"""The inbound path's economy (issue 12): few statements inside the write lock, dedupe by the
unique constraint, menu predicates remembered per process, and the guarantees kept."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from types import SimpleNamespace

import pytest
from sqlalchemy import create_engine, event, func, select, text
from sqlalchemy.orm import Session
from sqlalchemy.sql import compiler

from bench.statements import driver_statements
from bot import db, predicate_cache
from bot.conversations import Envelope
from bot.engine import Inbound
from bot.models import Contact, ConversationState, Message
from bot.surveys import store

from .test_live_server import Resident

ADDRESS = "+13235550777"
SURVEY_ITEM = "Take a survey"
# SQLite: BEGIN IMMEDIATE, the lock (with the state), inbound, state, replies: 5; one more
# when the contact changes (a language switch). PostgreSQL: 3 (bot.turn_storage).
STATEMENT_CEILING = 6


def say(vecino, text: str, sid: str | None = None, address: str = ADDRESS) -> list[str]:  # type: ignore[no-untyped-def]
    envelope = Envelope("sms", address, Inbound(text), provider_id=sid)
    replies = vecino.conversations.receive(envelope).replies
    return [" / ".join([r.text, *(o.label for o in r.options)]) for r in replies]


@contextmanager
def counting(vecino) -> Iterator[list[str]]:  # type: ignore[no-untyped-def]
    """The statements the app's engine runs inside the block, as the driver saw them
    (``bot.driver`` sends SQLite's straight to it), COMMIT left out."""
    seen: list[str] = []

    def record(statement: str) -> None:
        if statement.split()[0].upper() not in ("COMMIT", "ROLLBACK"):
            seen.append(statement)

    with driver_statements(vecino.db.engine, record):
        yield seen


def open_survey(vecino, key: str, is_open: bool = True) -> None:  # type: ignore[no-untyped-def]
    with vecino.db.transaction() as session:
        store.set_open(session, key, is_open, vecino.conversations.clock())


def test_a_turn_of_a_known_resident_stays_under_the_statement_ceiling(vecino):  # type: ignore[no-untyped-def]
    say(vecino, "hola", "SM1")
    say(vecino, "2", "SM2")  # English; the menu
    for number, body in enumerate(["menu", "¿qué?", "2", "menu"], start=3):
        with counting(vecino) as statements:
            replies = say(vecino, body, f"SM{number}")
        assert replies, body
        assert len(statements) <= STATEMENT_CEILING, statements
        # The menu's predicates come from the process's memory, not a query per render.
        assert not any("surveys" in s or "directory_points" in s for s in statements)


def test_a_new_residents_first_message_costs_no_more_statements_than_any_other(vecino):  # type: ignore[no-untyped-def]
    # SQLite creates the contact in the statement that locks it (an upsert); PostgreSQL
    # updates first, so a new address costs it the upsert too (its upsert spends a sequence
    # number, which a known resident's message should not).
    with counting(vecino) as statements:
        assert say(vecino, "hola", "SM1")
    touching_contacts = [s for s in statements if "contacts" in s.split("(")[0]]
    expected = 1 if vecino.db.is_sqlite else 2
    assert len(touching_contacts) == expected, statements
    assert len(statements) <= STATEMENT_CEILING, statements


@contextmanager
def contacts_loaded_at_commit() -> Iterator[list[list[Contact]]]:
    """Per commit inside the block, the Contact objects its session held."""
    seen: list[list[Contact]] = []

    def record(session: Session) -> None:
        seen.append([o for o in session.identity_map.values() if isinstance(o, Contact)])

    event.listen(Session, "before_commit", record)
    try:
        yield seen
    finally:
        event.remove(Session, "before_commit", record)


def test_a_common_turn_reads_the_contact_as_a_row_and_never_loads_the_object(vecino):  # type: ignore[no-untyped-def]
    # Loading the contact through the ORM cost more than the turn's statements, inside the
    # write lock; a menu, an answer or a language switch needs only its id and language.
    say(vecino, "hola", "SM1")
    with contacts_loaded_at_commit() as loaded:
        say(vecino, "2", "SM2")  # English
        say(vecino, "menu", "SM3")
        say(vecino, "ES", "SM4")  # a language switch, written with one UPDATE
    # A session opens only where an action asks (the menu's predicates, read once here).
    assert not any(loaded)
    with vecino.db.reading() as session:
        contact = session.scalars(select(Contact).where(Contact.address == ADDRESS)).one()
        assert contact.language == "es"
        assert contact.opted_out_at is None


def test_a_common_turn_opens_no_orm_session(vecino):  # type: ignore[no-untyped-def]
    # The session's transaction bookkeeping cost more than a turn's statements (35 µs of
    # them), inside the write lock: a turn runs on a Core connection and opens a session
    # only when an action asks for one.
    say(vecino, "hola", "SM1")
    say(vecino, "2", "SM2")  # the menu's predicates are read, and remembered
    with contacts_loaded_at_commit() as committed:
        say(vecino, "menu", "SM3")
        say(vecino, "ES", "SM4")
        say(vecino, "¿qué?", "SM5")
    assert committed == []


def test_a_turn_that_changes_the_contacts_standing_loads_it_and_stores_the_change(vecino):  # type: ignore[no-untyped-def]
    say(vecino, "hola", "SM1")
    say(vecino, "2", "SM2")
    with contacts_loaded_at_commit() as loaded:
        say(vecino, "STOP", "SM3")
    assert [len(objects) for objects in loaded] == [1]
    with vecino.db.reading() as session:
        contact = session.scalars(select(Contact).where(Contact.address == ADDRESS)).one()
        assert contact.opted_out_at is not None
        assert contact.language == "en"


def test_on_postgresql_every_turn_is_three_statements(vecino):  # type: ignore[no-untyped-def]
    # Each statement is a round trip to another process: the lock, then the inbound message
    # with the state, then the state, a language switch and the replies together.
    if vecino.db.is_sqlite:
        pytest.skip("PostgreSQL's statement shapes")
    say(vecino, "hola", "SM1")
    say(vecino, "2", "SM2")  # English; the first menu reads its predicates (once per process)
    for number, body in enumerate(["menu", "ES", "¿qué?", "EN", "menu"], start=3):
        with counting(vecino) as statements:
            assert say(vecino, body, f"SM{number}"), body
        assert len(statements) == 3, statements
    with vecino.db.reading() as session:
        contact = session.scalars(select(Contact).where(Contact.address == ADDRESS)).one()
        assert contact.language == "en"  # switched to Spanish and back
        replies = session.scalars(
            select(Message).where(Message.direction == "out").order_by(Message.id)
        ).all()
        inbound = {
            m.id: m.provider_id
            for m in session.scalars(select(Message).where(Message.direction == "in"))
        }
    # Every reply stored, in order, pointing at the message it answers.
    answered = [int(inbound[reply.in_reply_to_id][2:]) for reply in replies]
    assert answered == sorted(answered)
    assert set(answered) == set(range(1, 8))


def test_a_turn_compiles_no_statement_once_the_process_has_seen_its_shapes(vecino, monkeypatch):  # type: ignore[no-untyped-def]
    # Compiling a statement costs more CPU than the database takes to run it; a statement
    # SQLAlchemy cannot cache (a multi-row VALUES) was compiled again on every message.
    say(vecino, "hola", "SM1")
    say(vecino, "2", "SM2")
    say(vecino, "menu", "SM3")
    compiled: list[str] = []
    original = compiler.SQLCompiler.__init__

    def counting_init(self, dialect, statement, *args, **kwargs):  # type: ignore[no-untyped-def]
        compiled.append(type(statement).__name__)
        original(self, dialect, statement, *args, **kwargs)

    monkeypatch.setattr(compiler.SQLCompiler, "__init__", counting_init)
    assert say(vecino, "menu", "SM4")
    assert compiled == []


def test_a_silent_turn_still_stores_the_message_and_the_state(vecino, clock):  # type: ignore[no-untyped-def]
    say(vecino, "hola", "SM1")
    say(vecino, "2", "SM2")
    assert say(vecino, "STOP", "SM3")
    clock.advance(minutes=5)
    assert say(vecino, "hola", "SM4") == []  # opted out: silence, and no reply row
    with vecino.db.reading() as session:
        contact = session.scalars(select(Contact).where(Contact.address == ADDRESS)).one()
        state = session.get(ConversationState, contact.id)
        assert state is not None and state.updated_at == clock()
        last = session.scalars(select(Message).order_by(Message.id.desc()).limit(1)).one()
        assert (last.provider_id, last.direction) == ("SM4", "in")


def test_the_state_update_sets_invalid_count_only_when_it_changes(vecino):  # type: ignore[no-untyped-def]
    # SQLite rewrites an index entry for every indexed column an UPDATE sets, even to its old
    # value: ix_conversation_states_invalid cost a page in the WAL on every turn. (PostgreSQL's
    # upsert writes the row whole; with the value unchanged its update stays HOT.)
    if not vecino.db.is_sqlite:
        pytest.skip("SQLite's statement shapes")
    say(vecino, "hola", "SM1")
    say(vecino, "2", "SM2")

    def state_update(body: str, sid: str) -> str:
        with counting(vecino) as statements:
            say(vecino, body, sid)
        [statement] = [s for s in statements if "conversation_states SET" in s]
        return statement.split(" WHERE ")[0]

    def stored_invalid_count() -> int:
        with vecino.db.reading() as session:
            return session.scalars(select(ConversationState.invalid_count)).one()

    assert "invalid_count" in state_update("zzzz", "SM3")  # 0 -> 1
    assert stored_invalid_count() == 1
    assert "invalid_count" in state_update("1", "SM4")  # answered: back to 0
    assert stored_invalid_count() == 0
    assert "invalid_count" not in state_update("menu", "SM5")  # 0 -> 0
    assert stored_invalid_count() == 0


def test_a_redelivery_writes_nothing_and_answers_the_stored_replies(vecino, clock):  # type: ignore[no-untyped-def]
    say(vecino, "hola", "SM1")
    first = say(vecino, "2", "SM2")
    with vecino.db.transaction() as session:
        seen_before = session.scalars(select(Contact.last_seen_at)).one()
    clock.advance(minutes=5)
    assert say(vecino, "2", "SM2") == first
    with vecino.db.transaction() as session:
        assert session.scalars(select(Contact.last_seen_at)).one() == seen_before
        assert session.scalar(select(func.count()).select_from(Message)) == 4


def test_concurrent_redeliveries_mid_conversation_store_one_turn(live_server, vecino):  # type: ignore[no-untyped-def]
    resident = Resident(live_server, ADDRESS)
    resident.send("hola")
    resident.send("2")  # English; the menu
    with ThreadPoolExecutor(max_workers=8) as pool:
        responses = list(
            pool.map(lambda _: Resident(live_server, ADDRESS).raw("nonsense", "SM-twin"), range(8))
        )
    assert {r.status_code for r in responses} == {200}
    assert len({r.content for r in responses}) == 1
    with vecino.db.transaction() as session:
        twins = session.scalars(select(Message).where(Message.provider_id == "SM-twin")).all()
        assert len(twins) == 1
        replies = session.scalars(select(Message).where(Message.in_reply_to_id == twins[0].id))
        assert len(replies.all()) == 1
        # The invalid answer was counted once, not once per delivery.
        assert session.scalars(select(ConversationState.invalid_count)).one() == 1


def test_opening_a_survey_shows_it_in_the_next_menu_at_once(vecino):  # type: ignore[no-untyped-def]
    say(vecino, "hola")
    [menu] = say(vecino, "2")
    assert SURVEY_ITEM not in menu  # remembered as "no survey open"
    open_survey(vecino, "hunger_vital_sign")
    [menu] = say(vecino, "menu")
    assert SURVEY_ITEM in menu
    open_survey(vecino, "hunger_vital_sign", is_open=False)
    [menu] = say(vecino, "menu")
    assert SURVEY_ITEM not in menu


def test_a_change_made_elsewhere_is_seen_once_the_cache_expires(vecino, monkeypatch):  # type: ignore[no-untyped-def]
    now = [1000.0]
    monkeypatch.setattr(predicate_cache.time, "monotonic", lambda: now[0])
    say(vecino, "hola")
    [menu] = say(vecino, "2")
    assert SURVEY_ITEM not in menu
    # Another process (the CLI, a second worker) opens a survey: this one is not told.
    elsewhere = create_engine(vecino.db.url)
    with elsewhere.begin() as connection:
        connection.execute(
            text("INSERT INTO surveys (key, is_open) VALUES ('hunger_vital_sign', :yes)"),
            {"yes": True},
        )
    elsewhere.dispose()
    [menu] = say(vecino, "menu")
    assert SURVEY_ITEM not in menu
    now[0] += predicate_cache.TTL
    [menu] = say(vecino, "menu")
    assert SURVEY_ITEM in menu


def test_a_rolled_back_change_leaves_no_stale_answer(vecino):  # type: ignore[no-untyped-def]
    say(vecino, "hola")
    say(vecino, "2")
    survey_open = vecino.engine.capabilities.predicates["survey_open"]
    with pytest.raises(RuntimeError), vecino.db.transaction() as session:
        store.set_open(session, "hunger_vital_sign", True, vecino.conversations.clock())
        session.flush()
        # Read inside the transaction, the uncommitted change is remembered for a moment...
        assert survey_open(SimpleNamespace(session=session, settings=vecino.settings))
        raise RuntimeError("the organizer's change fails")
    # ...and forgotten when it is rolled back.
    [menu] = say(vecino, "menu")
    assert SURVEY_ITEM not in menu


def terminate_connections(url: str) -> int:
    """What a server restart does to the app's pooled connections."""
    admin = create_engine(url)
    with admin.begin() as connection:
        killed = connection.execute(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ).scalar_one()
    admin.dispose()
    return int(killed)


def test_connections_cut_by_a_server_restart_cost_no_message(vecino, monkeypatch, caplog):  # type: ignore[no-untyped-def]
    if vecino.db.is_sqlite:
        pytest.skip("PostgreSQL's pooled connections")
    say(vecino, "hola", "SM1")
    # Used a moment ago, so not pinged: the message is retried on a fresh connection.
    assert terminate_connections(vecino.db.url) >= 1
    [menu] = say(vecino, "2", "SM2")
    assert menu.startswith("What can I help you with?")
    caplog.clear()
    # Idle for a while: pinged before use and replaced, without even a retry.
    assert terminate_connections(vecino.db.url) >= 1
    later = db.time.monotonic() + db.POSTGRES_PING_AFTER_IDLE_S + 1
    monkeypatch.setattr(db.time, "monotonic", lambda: later)
    [menu] = say(vecino, "menu", "SM3")
    assert menu.startswith("What can I help you with?")
    assert "retrying inbound" not in caplog.text
    with vecino.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Message)) == 6
