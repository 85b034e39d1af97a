"""No reply lost to a crash (issue 13, item 3), on SQLite and PostgreSQL.

The app runs as a real process against the loopback Bot API fake. The fake holds every
``sendMessage`` at its door (not recorded, never answered), so the process is killed with
``kill -9`` after the turn and its replies were committed but before any reply left: the case
that used to lose the reply for good. After the reply's lease runs out, a redelivery of the
update (to a restarted process) or the worker's sweep sends it, and every reply reaches the
fake exactly once, whichever path gets there first.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

import pytest
import requests
from sqlalchemy import select

from bot.config import PROJECT_ROOT
from bot.conversations import Envelope
from bot.engine import Inbound
from bot.models import Contact, Message, utcnow
from bot.outbound import replies
from bot.outbound.status import MessageStatus
from bot.services import build_services
from scheduler import jobs

from ..conftest import settings_with
from .conftest import TOKEN, TelegramPoster
from .fake_bot_api import FakeBotApi, Reply, bad_gateway
from .test_live import post, update

LEASE_SECONDS = 1.0


class HoldingBotApi(FakeBotApi):
    """The fake, able to hold ``sendMessage`` calls as if the sender died before sending."""

    def __init__(self, token: str) -> None:
        super().__init__(token)
        self.holding = threading.Event()
        self.release = threading.Event()
        self.held = 0
        self._held_changed = threading.Condition()

    def wait_held(self, count: int, timeout: float = 20) -> bool:
        with self._held_changed:
            return self._held_changed.wait_for(lambda: self.held >= count, timeout)

    def _answer(self, path: str, content_type: str, body: bytes) -> tuple[int, dict[str, Any]]:
        if self.holding.is_set() and path.endswith("/sendMessage"):
            with self._held_changed:
                self.held += 1
                self._held_changed.notify_all()
            self.release.wait(30)
            gone: Reply = bad_gateway()  # answered to a dead process; it never went out
            return gone.status, gone.body
        return super()._answer(path, content_type, body)


@pytest.fixture
def bot_api() -> Iterator[HoldingBotApi]:
    fake = HoldingBotApi(TOKEN).start()
    yield fake
    fake.release.set()
    fake.stop()


@contextmanager
def app_process(settings, bot_api: FakeBotApi) -> Iterator[tuple[subprocess.Popen, str]]:  # type: ignore[no-untyped-def]
    """The app in its own process; killed (SIGKILL) on the way out if still running."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.telegram.crash_app",
            settings.database_url,
            bot_api.base_url,
            str(LEASE_SECONDS),
        ],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        port = process.stdout.readline().strip() if process.stdout else ""
        assert port.isdigit(), "the app process did not start"
        yield process, f"http://127.0.0.1:{port}"
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        if process.stdout:
            process.stdout.close()


def crash_mid_send(settings, bot_api: HoldingBotApi, bodies: list[dict]) -> None:  # type: ignore[no-untyped-def]
    """Post ``bodies`` to a fresh app process, wait until each turn's first reply is on its
    way to Telegram (held), then kill -9 the process."""
    bot_api.holding.set()
    with app_process(settings, bot_api) as (process, url), ThreadPoolExecutor(len(bodies)) as pool:
        posts = [pool.submit(_post_quietly, url, body) for body in bodies]
        assert bot_api.wait_held(len(bodies))
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        for future in posts:
            assert future.result() is None  # no answer: the process died mid-request
    bot_api.holding.clear()
    bot_api.release.set()
    assert bot_api.sent_texts() == []  # nothing reached Telegram


def _post_quietly(url: str, body: dict) -> requests.Response | None:
    try:
        return post(url, body)
    except requests.ConnectionError:
        return None


def stored_replies(vecino) -> list[Message]:  # type: ignore[no-untyped-def]
    with vecino.db.transaction() as session:
        rows = session.scalars(
            select(Message).where(Message.direction == "out").order_by(Message.id)
        ).all()
        session.expunge_all()
        return list(rows)


@contextmanager
def worker_services(settings, clock: Callable[[], datetime] = utcnow) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """The jobs' services as a worker process has them (the real clock unless told)."""
    services = build_services(settings, clock)
    jobs.use_services(services)
    try:
        yield
    finally:
        jobs.use_services(None)
        services.db.dispose()


def assert_each_reply_sent_once(vecino, bot_api: FakeBotApi, chats: list[int]) -> None:  # type: ignore[no-untyped-def]
    """Every stored reply went out, none twice (each is one Telegram message: short texts)."""
    rows = stored_replies(vecino)
    assert rows and all(row.status == MessageStatus.SENT for row in rows)
    assert all(row.lease_until is None for row in rows)
    calls = bot_api.calls_to("sendMessage")
    sent = Counter((str(call["chat_id"]), call["text"]) for call in calls)
    assert max(sent.values()) == 1
    with vecino.db.transaction() as session:
        query = select(Contact.address, Contact.id).where(Contact.channel == "telegram")
        contact_of = {address: contact_id for address, contact_id in session.execute(query)}
    for chat in chats:
        stored = [row for row in rows if row.contact_id == contact_of[str(chat)]]
        assert sum(1 for call in calls if str(call["chat_id"]) == str(chat)) == len(stored)


def test_killed_mid_send_a_redelivery_sends_the_reply_once(settings, bot_api, vecino):  # type: ignore[no-untyped-def]
    chat = 8_900_001
    body = update(9_100_001, chat, "hola")
    crash_mid_send(settings, bot_api, [body])
    held = stored_replies(vecino)
    assert held and all(row.status == MessageStatus.REPLIED for row in held)
    assert all(row.lease_until is not None for row in held)  # still held by the dead process

    time.sleep(LEASE_SECONDS + 0.5)  # the dead process's lease runs out
    with app_process(settings, bot_api) as (_, url):
        first = post(url, body)
        assert (first.status_code, first.text.strip()) == (200, "OK: resent")
        again = post(url, body)  # Telegram delivering it once more: nothing left to send
        assert (again.status_code, again.text.strip()) == (200, "OK: duplicate")
    with worker_services(settings):
        assert jobs.reply_sweep() == 0  # the sweep finds nothing either
    assert_each_reply_sent_once(vecino, bot_api, [chat])


def test_killed_mid_send_the_sweep_sends_the_reply_once(settings, bot_api, vecino):  # type: ignore[no-untyped-def]
    chat = 8_900_002
    body = update(9_100_002, chat, "help")
    crash_mid_send(settings, bot_api, [body])
    with worker_services(settings):
        assert jobs.reply_sweep() == 0  # within the lease the dead process is not presumed dead
        time.sleep(LEASE_SECONDS + 0.5)
        swept = jobs.reply_sweep()
        assert swept == len(stored_replies(vecino)) > 0
        assert jobs.reply_sweep() == 0
    with app_process(settings, bot_api) as (_, url):
        late = post(url, body)  # the update redelivered after the sweep sent its reply
        assert (late.status_code, late.text.strip()) == (200, "OK: duplicate")
    assert_each_reply_sent_once(vecino, bot_api, [chat])


def test_a_burst_killed_mid_send_is_answered_once_by_redeliveries_and_sweep_racing(  # type: ignore[no-untyped-def]
    settings, bot_api, vecino
):
    chats = [8_900_100 + n for n in range(8)]
    bodies = [update(9_100_100 + n, chat, "hola") for n, chat in enumerate(chats)]
    crash_mid_send(settings, bot_api, bodies)
    time.sleep(LEASE_SECONDS + 0.5)
    with app_process(settings, bot_api) as (_, url), worker_services(settings):
        # Every update redelivered while the worker sweeps: both paths race for each reply.
        with ThreadPoolExecutor(len(bodies) + 1) as pool:
            sweep = pool.submit(jobs.reply_sweep)
            answers = list(pool.map(lambda body: post(url, body), bodies))
            sweep.result()
        assert [answer.status_code for answer in answers] == [200] * len(bodies)
        assert {answer.text.strip() for answer in answers} <= {"OK: resent", "OK: duplicate"}
        assert jobs.reply_sweep() == 0
    assert_each_reply_sent_once(vecino, bot_api, chats)


def test_a_twin_delivery_leaves_replies_held_by_a_live_sender(app, vecino, clock, bot_api):  # type: ignore[no-untyped-def]
    """Within the lease the sender may still be sending: a twin must not send too."""
    poster = TelegramPoster(app.test_client())
    body = poster.update(message=poster.message(text="hola"))
    # What the first delivery did before it died: the turn and its held replies, committed.
    envelope = Envelope(
        "telegram",
        str(poster.chat_id),
        Inbound(text="hola"),
        provider_id=f"u{body['update_id']}",
        reply_lease=replies.LEASE,
    )
    assert vecino.conversations.receive(envelope).replies
    assert poster.post(body).get_data(as_text=True).strip() == "OK: duplicate"
    assert bot_api.calls_to("sendMessage") == []
    clock.advance(seconds=replies.LEASE.total_seconds() + 1)
    assert poster.post(body).get_data(as_text=True).strip() == "OK: resent"
    assert poster.post(body).get_data(as_text=True).strip() == "OK: duplicate"
    assert_each_reply_sent_once(vecino, bot_api, [poster.chat_id])


def test_replies_older_than_a_day_are_given_up(app, vecino, clock, bot_api):  # type: ignore[no-untyped-def]
    envelope = Envelope(
        "telegram", "8900200", Inbound(text="hola"), provider_id="1", reply_lease=replies.LEASE
    )
    vecino.conversations.receive(envelope)
    later = clock() + replies.MAX_AGE + timedelta(minutes=1)
    with vecino.db.transaction() as session:
        assert replies.claim_abandoned(session, later, 50, ["telegram"]) == []
    rows = stored_replies(vecino)
    assert {(row.status, row.error_code, row.lease_until) for row in rows} == {
        (MessageStatus.FAILED, replies.EXPIRED, None)
    }


def test_the_sweep_leaves_replies_it_cannot_send_for_real(app, vecino, clock, settings):  # type: ignore[no-untyped-def]
    """A worker without a Telegram token only has the console sender, which logs: a reply
    "sent" there would be recorded sent and never reach the resident."""
    envelope = Envelope(
        "telegram", "8900300", Inbound(text="hola"), provider_id="u1", reply_lease=replies.LEASE
    )
    vecino.conversations.receive(envelope)
    clock.advance(seconds=replies.LEASE.total_seconds() + 1)
    with worker_services(settings_with(settings, telegram_bot_token=None), clock):
        assert jobs.reply_sweep() == 0
    rows = stored_replies(vecino)
    assert rows and all(row.status == MessageStatus.REPLIED for row in rows)
    assert all(row.lease_until is not None for row in rows)
