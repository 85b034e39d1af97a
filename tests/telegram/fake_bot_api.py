"""A loopback fake of the Telegram Bot API: a small threaded HTTP server on 127.0.0.1 that
records every call and answers like Telegram does, or with the errors a test scripts.

python-telegram-bot talks to it for real (``Bot(base_url=...)`` via ``TELEGRAM_API_BASE_URL``):
same URLs (``/bot<token>/<method>``), same form encoding, same JSON answers and error shapes,
so PTB's own error mapping (403 -> ``Forbidden``, 429 -> ``RetryAfter``) is exercised too.
"""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

JSON_PARAMS = {"reply_markup", "allowed_updates", "commands", "link_preview_options", "scope"}
BOT_USER = {"id": 123456, "is_bot": True, "first_name": "Vecino", "username": "VecinoTestBot"}


@dataclass(frozen=True)
class Call:
    method: str
    params: dict[str, Any]


@dataclass(frozen=True)
class Reply:
    status: int
    body: dict[str, Any]


def blocked() -> Reply:
    return Reply(
        403,
        {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"},
    )


def retry_after(seconds: int) -> Reply:
    return Reply(
        429,
        {
            "ok": False,
            "error_code": 429,
            "description": f"Too Many Requests: retry after {seconds}",
            "parameters": {"retry_after": seconds},
        },
    )


def bad_gateway() -> Reply:
    """What Telegram's front answers when the Bot API behind it is down (PTB: NetworkError)."""
    return Reply(502, {"ok": False, "error_code": 502, "description": "Bad Gateway"})


def bad_request(description: str) -> Reply:
    return Reply(
        400, {"ok": False, "error_code": 400, "description": f"Bad Request: {description}"}
    )


class FakeBotApi:
    def __init__(self, token: str) -> None:
        self.token = token
        self.calls: list[Call] = []
        self._scripted: dict[str, deque[Reply]] = defaultdict(deque)
        self._updates: list[dict[str, Any]] = []
        self._changed = threading.Condition()
        self._message_ids = 0
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                status, payload = fake._answer(self.path, self.headers.get_content_type(), body)
                raw = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            do_GET = do_POST

            def log_message(self, format: str, *args: object) -> None:
                pass  # keep test output clean

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    # ---- test-facing API ---------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/bot"

    def start(self) -> FakeBotApi:
        self._thread.start()
        return self

    def stop(self) -> None:
        with self._changed:
            self._changed.notify_all()
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(5)

    def script(self, method: str, *replies: Reply) -> None:
        """Answer the next calls to ``method`` with ``replies``, in order, then as usual."""
        with self._changed:
            self._scripted[method].extend(replies)

    def queue_updates(self, *updates: dict[str, Any]) -> None:
        """Updates for ``getUpdates`` (long polling) to hand out."""
        with self._changed:
            self._updates.extend(updates)
            self._changed.notify_all()

    def calls_to(self, method: str) -> list[dict[str, Any]]:
        with self._changed:
            return [call.params for call in self.calls if call.method == method]

    def sent_texts(self) -> list[str]:
        return [params["text"] for params in self.calls_to("sendMessage")]

    def wait_for(self, method: str, count: int = 1, timeout: float = 10) -> bool:
        """Block until ``method`` has been called ``count`` times (an event, not a sleep)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while sum(1 for c in self.calls if c.method == method) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._changed.wait(left)
            return True

    # ---- the "server" ------------------------------------------------------------------

    def _answer(self, path: str, content_type: str, body: bytes) -> tuple[int, dict[str, Any]]:
        prefix = f"/bot{self.token}/"
        if not path.startswith(prefix):
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        method = path[len(prefix) :]
        params = self._params(content_type, body)
        with self._changed:
            self.calls.append(Call(method, params))
            self._changed.notify_all()
            scripted = self._scripted[method].popleft() if self._scripted[method] else None
        if scripted is not None:
            return scripted.status, scripted.body
        if method == "getUpdates":
            return 200, {"ok": True, "result": self._get_updates(params)}
        result = self._result(method, params)
        if result is None:
            return 404, {"ok": False, "error_code": 404, "description": "Not Found"}
        return 200, {"ok": True, "result": result}

    @staticmethod
    def _params(content_type: str, body: bytes) -> dict[str, Any]:
        if content_type == "application/json":
            return json.loads(body or b"{}")
        params: dict[str, Any] = dict(parse_qsl(body.decode(), keep_blank_values=True))
        for key in JSON_PARAMS & params.keys():
            params[key] = json.loads(params[key])
        return params

    def _result(self, method: str, params: dict[str, Any]) -> Any:
        match method:
            case "getMe":
                return BOT_USER
            case "sendMessage":
                with self._changed:
                    self._message_ids += 1
                    message_id = self._message_ids
                chat_id = params["chat_id"]
                return {
                    "message_id": message_id,
                    "date": int(time.time()),
                    "chat": {"id": int(chat_id), "type": "private"},
                    "from": BOT_USER,
                    "text": params["text"],
                }
            case "answerCallbackQuery" | "setWebhook" | "deleteWebhook" | "setMyCommands":
                return True
        return None

    def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        # Long polling, shortened: wait a little for updates, as Telegram would for longer.
        wait = min(float(params.get("timeout") or 0), 0.5)
        deadline = time.monotonic() + wait
        with self._changed:
            while True:
                ready = [u for u in self._updates if u["update_id"] >= offset]
                left = deadline - time.monotonic()
                if ready or left <= 0:
                    return ready
                self._changed.wait(left)
