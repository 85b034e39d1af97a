"""``vecino web`` keeps answering while slow clients dribble their headers (a slowloris)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import pytest
import requests

from bot.config import PROJECT_ROOT

SLOW_CLIENTS = 30  # more than the server's 8 threads


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.2", 0))
        return sock.getsockname()[1]


@pytest.fixture
def web_server(database_url: str) -> Iterator[str]:
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test",
        "HOST": "127.0.0.2",  # loopback too, so the test can tell HOST was honoured
        "PORT": str(port),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "web"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.2:{port}"
    deadline = time.monotonic() + 60
    try:
        while True:
            try:
                requests.get(url + "/healthz", timeout=5)
                break
            except requests.RequestException:
                assert process.poll() is None and time.monotonic() < deadline, "did not start"
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def _dribble(port: int, stop: threading.Event) -> None:
    try:
        with socket.create_connection(("127.0.0.2", port), timeout=5) as sock:
            for byte in b"POST /webhooks/twilio HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: yes":
                if stop.wait(0.3):
                    return
                sock.sendall(bytes([byte]))
    except OSError:
        return


@pytest.mark.slow
def test_slow_clients_do_not_stall_the_health_check(web_server: str) -> None:
    """One server start for both checks: HOST is honoured, and slow clients hold no thread."""
    port = int(web_server.rsplit(":", 1)[1])
    with pytest.raises(requests.ConnectionError):  # bound to HOST, not to every address
        requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
    assert requests.get(web_server + "/healthz", timeout=10).json() == {"status": "ok"}

    port = int(web_server.rsplit(":", 1)[1])
    stop = threading.Event()
    clients = [
        threading.Thread(target=_dribble, args=(port, stop), daemon=True)
        for _ in range(SLOW_CLIENTS)
    ]
    for client in clients:
        client.start()
    try:
        time.sleep(1.5)  # every slow client connected and a few bytes in
        for _ in range(3):
            # A generous bound: the test checks that it answers, not how fast.
            assert requests.get(web_server + "/healthz", timeout=10).status_code == 200
    finally:
        stop.set()
        for client in clients:
            client.join(timeout=5)
