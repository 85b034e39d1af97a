"""SQL statements (and database round trips) per inbound message on the full webhook path.

Deterministic and cheap: no server and no load generator, so it is safe to run on a busy
machine after every change to the hot path. It replays ``bench.webhook.SCRIPT`` (welcome,
language, menu, an invalid answer, a language switch, an emoji...) for a few residents through
the Flask test client on a fresh, migrated database, and counts

- statements: every statement the driver executes (SQLite's ``BEGIN IMMEDIATE`` and its WAL
  checkpoints included), as the driver saw them (``driver_statements``);
- round trips: statements plus what goes around them (``COMMIT``/``ROLLBACK``, PostgreSQL's
  ``BEGIN``, the pool's ping of a connection that sat idle).

    python bench/statements.py                   # SQLite file in a temp dir
    python bench/statements.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres
    python bench/statements.py --show            # also the statements of one resident's walk
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import sys
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event
from twilio.request_validator import RequestValidator

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.schema import scratch_database  # noqa: E402

TOKEN = "bench-auth-token"
BASE = "https://bench.vecino.test"
SCRIPT = ["hola", "1", "1", "menu", "2", "¿qué?", "EN", "1", "menu", "🙂"]


@dataclass
class Count:
    messages: int = 0
    statements: int = 0
    round_trips: int = 0
    texts: Counter[str] = field(default_factory=Counter)

    @property
    def per_message(self) -> float:
        return self.statements / self.messages

    @property
    def round_trips_per_message(self) -> float:
        return self.round_trips / self.messages

    def summary(self) -> str:
        return (
            f"{self.per_message:.2f} SQL statements per message, "
            f"{self.round_trips_per_message:.2f} round trips ({self.messages} messages)"
        )


def count_statements(url: str, residents: int = 20) -> Count:
    """Replay the script for ``residents`` new residents on ``url`` and count what reaches
    the database while they write."""
    from bot import predicate_cache
    from bot.app import create_app
    from bot.config import Settings

    # Menu predicates are re-read every TTL seconds; keep that out of the count so that it
    # does not depend on how fast the machine replays the script (it is 2 queries per process
    # per TTL, not per message).
    predicate_cache.TTL = 3600.0

    settings = Settings(
        database_url=url, secret_key="bench", twilio_auth_token=TOKEN, public_base_url=BASE
    )
    app = create_app(settings)
    logging.getLogger("bot").setLevel(logging.WARNING)  # a line per message drowns the figures
    engine = app.extensions["vecino"].db.engine
    postgresql = engine.dialect.name == "postgresql"
    count = Count()

    def statement(sql: str) -> None:
        count.round_trips += 1
        if _BOUNDARY.match(sql):  # COMMIT / ROLLBACK: a round trip, not a statement
            return
        count.statements += 1
        count.texts[_shape(sql)[:110]] += 1

    def boundary(*_args: Any) -> None:
        if postgresql:  # SQLite's COMMIT and ROLLBACK reach the driver's trace
            count.round_trips += 1

    def begin(*_args: Any) -> None:
        if postgresql:  # psycopg sends BEGIN itself; SQLite's is a counted statement
            count.round_trips += 1

    ping = engine.dialect.do_ping

    def counted_ping(dbapi_connection: Any) -> bool:
        count.round_trips += 1
        return ping(dbapi_connection)

    client = app.test_client()
    validator = RequestValidator(TOKEN)
    numbers = [f"+1310{uuid.uuid4().int % 10_000_000:07d}" for _ in range(residents)]
    listeners = [("commit", boundary), ("rollback", boundary), ("begin", begin)]
    for name, listener in listeners:
        event.listen(engine, name, listener)
    engine.dialect.do_ping = counted_ping  # type: ignore[method-assign]
    try:
        with driver_statements(engine, statement):
            for body in SCRIPT:
                for number in numbers:
                    params = {"MessageSid": f"SM{uuid.uuid4().hex}", "From": number, "Body": body}
                    signature = validator.compute_signature(BASE + "/webhooks/twilio", params)
                    response = client.post(
                        "/webhooks/twilio", data=params, headers={"X-Twilio-Signature": signature}
                    )
                    if response.status_code != 200:
                        raise SystemExit(f"the webhook answered {response.status_code}")
                    count.messages += 1
    finally:
        engine.dialect.do_ping = ping  # type: ignore[method-assign]
        for name, listener in listeners:
            event.remove(engine, name, listener)
        engine.dispose()
    return count


_BOUNDARY = re.compile(r"^\s*(COMMIT|ROLLBACK)\b", re.IGNORECASE)
# SQLite's trace gives each statement with its values written in: strings and numbers become
# "?", so that ``--show`` groups statements by shape and prints no value.
_LITERAL = re.compile(r"'(?:[^']|'')*'|\b\d+(?:\.\d+)?\b")


def _shape(sql: str) -> str:
    return " ".join(_LITERAL.sub("?", sql).split())


@contextmanager
def driver_statements(engine: Engine, heard: Callable[[str], None]) -> Iterator[None]:
    """Call ``heard`` with every statement the database driver runs on ``engine``'s
    connections inside the block.

    On SQLite that is SQLite's own trace of each connection checked out meanwhile: it also
    hears what ``bot.driver`` sends the driver directly, which SQLAlchemy's cursor events do
    not, and the transaction's COMMIT. On PostgreSQL, SQLAlchemy's cursor events (its BEGIN
    and COMMIT are the driver's, heard by neither).
    """
    if engine.dialect.name != "sqlite":

        def executed(_conn: Any, _cursor: Any, sql: str, *_args: Any) -> None:
            heard(sql)

        event.listen(engine, "before_cursor_execute", executed)
        try:
            yield
        finally:
            event.remove(engine, "before_cursor_execute", executed)
        return

    def checked_out(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        dbapi_connection.set_trace_callback(heard)

    def checked_in(dbapi_connection: Any, _record: Any) -> None:
        if dbapi_connection is not None:
            dbapi_connection.set_trace_callback(None)

    event.listen(engine, "checkout", checked_out)
    event.listen(engine, "checkin", checked_in)
    try:
        yield
    finally:
        event.remove(engine, "checkout", checked_out)
        event.remove(engine, "checkin", checked_in)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--residents", type=int, default=20)
    parser.add_argument("--show", action="store_true", help="list the statements, most first")
    args = parser.parse_args()
    with scratch_database(args.database_url, "vecino_bench") as url:
        count = count_statements(url, args.residents)
    backend = url.split(":", 1)[0].split("+", 1)[0]
    print(f"{backend}: {count.summary()}")
    if args.show:
        for text, times in count.texts.most_common():
            print(f"{times / count.messages:6.2f}  {text}")


if __name__ == "__main__":
    main()
