"""The app as a process of its own, for the kill -9 tests (``test_no_reply_lost``).

``python -m tests.telegram.crash_app DATABASE_URL BOT_API_URL LEASE_SECONDS`` serves the app on
a free loopback port with threads, as a small deployment does, prints the port, and serves
until killed. The reply lease is shortened so a test need not wait the real one out.
"""

from __future__ import annotations

import sys
from datetime import timedelta

from werkzeug.serving import make_server

from bot.app import create_app
from bot.config import Settings
from bot.outbound import replies

from .conftest import SECRET, TOKEN


def main(database_url: str, api_url: str, lease_seconds: str) -> None:
    replies.LEASE = timedelta(seconds=float(lease_seconds))
    settings = Settings(
        database_url=database_url,
        secret_key="crash-test-secret",
        telegram_bot_token=TOKEN,
        telegram_webhook_secret=SECRET,
        telegram_api_base_url=api_url,
    )
    server = make_server("127.0.0.1", 0, create_app(settings), threaded=True)
    print(server.server_port, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main(*sys.argv[1:4])
