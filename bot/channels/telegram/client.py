"""python-telegram-bot's async ``Bot``, used from Vecino's synchronous code.

Flask views, CLI commands and the (future) worker are synchronous; PTB is asyncio. Rather than
an event loop per call (which would open and close an HTTP connection pool, and call ``getMe``,
every time), each process keeps ONE loop in a daemon thread with one initialised ``Bot`` and its
connection pool. Callers submit coroutines to it and wait for the result. The loop is started on
first use and belongs to the process that started it, so a gunicorn worker forked from a parent
that already used it starts its own. ``close()`` shuts the bot down (closing its connections)
and stops the thread; it also runs at interpreter exit.
"""

from __future__ import annotations

import asyncio
import atexit
import logging
import os
import threading
import weakref
from collections.abc import Awaitable, Callable
from concurrent.futures import Future
from typing import TypeVar

from telegram import Bot
from telegram.error import InvalidToken
from telegram.request import HTTPXRequest

log = logging.getLogger(__name__)
T = TypeVar("T")

# httpx logs every request URL at INFO, and Bot API URLs contain the bot token.
logging.getLogger("httpx").setLevel(logging.WARNING)
logging.getLogger("httpcore").setLevel(logging.WARNING)
# PTB logs each call's parameters (chat ids, message texts) at DEBUG: residents' data.
logging.getLogger("telegram").setLevel(logging.INFO)
# Opt in to PTB's coming behaviour (time periods as timedelta, e.g. RetryAfter.retry_after)
# rather than a deprecation warning on every rate limit; our code reads both forms.
os.environ.setdefault("PTB_TIMEDELTA", "true")

TOKEN_REJECTED = "Telegram rejected the bot token: check TELEGRAM_BOT_TOKEN with @BotFather."
CALL_TIMEOUT = 30.0  # seconds a caller waits for one Bot API call, beyond PTB's own timeouts
LONG_POLL_SECONDS = 25


class BotClient:
    """A synchronous face on PTB's ``Bot``: ``client.call(lambda bot: bot.send_message(...))``."""

    def __init__(self, token: str, base_url: str) -> None:
        self.token = token
        self.base_url = base_url
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._bot: Bot | None = None
        self._pid: int | None = None
        _open_clients.add(self)

    def call(self, make: Callable[[Bot], Awaitable[T]], timeout: float = CALL_TIMEOUT) -> T:
        """Run ``make(bot)`` on the client's loop and return its result (or raise its error)."""
        loop, bot = self._running()

        async def run() -> T:
            return await make(bot)

        future: Future[T] = asyncio.run_coroutine_threadsafe(run(), loop)
        try:
            return future.result(timeout)
        except InvalidToken:
            future.cancel()
            # PTB's message quotes the token; it must not reach logs or a terminal.
            raise InvalidToken(TOKEN_REJECTED) from None
        except BaseException:
            # Timed out, or Ctrl-C while waiting: do not leave the call running on the loop.
            future.cancel()
            raise

    def close(self) -> None:
        """Shut the bot down (closing its HTTP connections) and stop the loop thread."""
        with self._lock:
            loop, thread, bot = self._loop, self._thread, self._bot
            self._loop = self._thread = self._bot = None
            owned = self._pid == os.getpid()
        if loop is None or thread is None or bot is None or not owned:
            return

        async def shut_down() -> None:
            current = asyncio.current_task()
            pending = [t for t in asyncio.all_tasks() if t is not current]
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
            await bot.shutdown()

        try:
            asyncio.run_coroutine_threadsafe(shut_down(), loop).result(CALL_TIMEOUT)
        except Exception:  # the process is ending anyway; never fail a shutdown
            log.warning("Telegram client did not shut down cleanly", exc_info=True)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(CALL_TIMEOUT)
        loop.close()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _running(self) -> tuple[asyncio.AbstractEventLoop, Bot]:
        with self._lock:
            if self._loop is None or self._pid != os.getpid():
                self._start()
            assert self._loop is not None and self._bot is not None
            return self._loop, self._bot

    def _start(self) -> None:
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_forever, name="telegram-bot-loop", daemon=True)
        thread.start()
        bot = Bot(
            self.token,
            base_url=self.base_url,
            # Webhook threads share the pool; long polling gets its own connection and a read
            # timeout longer than the poll itself.
            request=HTTPXRequest(connection_pool_size=16, pool_timeout=5.0),
            get_updates_request=HTTPXRequest(
                connection_pool_size=1, read_timeout=LONG_POLL_SECONDS + 10
            ),
        )
        try:
            asyncio.run_coroutine_threadsafe(bot.initialize(), loop).result(CALL_TIMEOUT)
        except BaseException as error:
            # getMe failed (bad token, no network): close whatever connections were opened.
            asyncio.run_coroutine_threadsafe(bot.shutdown(), loop).result(CALL_TIMEOUT)
            loop.call_soon_threadsafe(loop.stop)
            thread.join(CALL_TIMEOUT)
            loop.close()
            if isinstance(error, InvalidToken):
                raise InvalidToken(TOKEN_REJECTED) from None
            raise
        self._loop, self._thread, self._bot, self._pid = loop, thread, bot, os.getpid()


_open_clients: weakref.WeakSet[BotClient] = weakref.WeakSet()


@atexit.register
def _close_all() -> None:
    for client in list(_open_clients):
        client.close()
