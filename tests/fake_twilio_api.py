"""A loopback fake of Twilio's REST API (Messages.json only): a threaded HTTP server on
127.0.0.1 that records each message create and answers as Twilio does, or with scripted
errors. The ``twilio`` library talks to it for real through ``TWILIO_API_BASE_URL``, so its
own error mapping (``TwilioRestException`` with status and code) is exercised too.

Also used by ``bench/outbox.py`` and the crash script (``python -m tests.fake_twilio_api``).
"""

from __future__ import annotations

import base64
import itertools
import json
import re
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

PATH = re.compile(r"^/2010-04-01/Accounts/(?P<sid>AC\w+)/Messages\.json$")


@dataclass(frozen=True)
class Reply:
    status: int
    body: dict[str, Any]
    delay: float = 0.0  # seconds before answering (longer than the client's timeout: a hang)


def error(status: int, code: int | None, message: str = "refused") -> Reply:
    return Reply(status, {"code": code, "message": message, "status": status})


def hang(seconds: float) -> Reply:
    return Reply(201, {}, delay=seconds)


class FakeTwilioApi:
    def __init__(self, port: int = 0) -> None:
        self.calls: list[dict[str, str]] = []
        self.times: list[float] = []
        self.auth: list[str] = []
        self._scripted: deque[Reply] = deque()
        self._by_number: dict[str, deque[Reply]] = {}
        self._lock = threading.Lock()
        self._sids = itertools.count(1)
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as Twilio's API does
            disable_nagle_algorithm = True  # headers and body go out without waiting for ACKs

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                form = dict(parse_qsl(self.rfile.read(length).decode()))
                reply = fake._answer(self.path, form, self.headers.get("Authorization", ""))
                if reply.delay:
                    time.sleep(reply.delay)
                data = json.dumps(reply.body).encode()
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # the client gave up (a scripted hang)

            def log_message(self, *args: object) -> None:  # no numbers on stderr
                return

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request: object, client_address: object) -> None:
                return  # a client killed mid-request (the crash benchmark) is not news

        self.server = Server(("127.0.0.1", port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def start(self) -> FakeTwilioApi:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def script(self, *replies: Reply, to: str | None = None) -> None:
        """Answer the next calls (to ``to`` only, when given) with ``replies``, in order."""
        with self._lock:
            queue = self._scripted if to is None else self._by_number.setdefault(to, deque())
            queue.extend(replies)

    def bodies(self) -> list[str]:
        with self._lock:
            return [call.get("Body", "") for call in self.calls]

    def _answer(self, path: str, form: dict[str, str], auth: str) -> Reply:
        match = PATH.match(path)
        if match is None:
            return error(404, 20404, "not found")
        if not form.get("To") or not form.get("Body"):  # also a request cut off by a crash
            return error(400, 21604, "A 'To' phone number and a 'Body' are required.")
        with self._lock:
            queue = self._by_number.get(form.get("To", ""))
            scripted = queue or self._scripted
            reply = scripted.popleft() if scripted else None
            if reply is not None and reply.status >= 300:
                return reply
            sid = f"SM{next(self._sids):032x}"
            self.calls.append(form)
            self.times.append(time.monotonic())
            self.auth.append(auth)
        body = {
            "sid": sid,
            "account_sid": match["sid"],
            "to": form.get("To"),
            "from": form.get("From"),
            "body": form.get("Body"),
            "status": "queued",
            "num_segments": "1",
        }
        return Reply(201, body, delay=reply.delay if reply else 0.0)


def basic_auth(sid: str, token: str) -> str:
    return "Basic " + base64.b64encode(f"{sid}:{token}".encode()).decode()


if __name__ == "__main__":  # a fake for scripts: prints its URL, logs sends to a file
    api = FakeTwilioApi(int(sys.argv[1]) if len(sys.argv) > 1 else 0).start()
    print(api.base_url, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        api.stop()
