"""Real local receivers of notifications, started by the tests: an HTTP receiver (the SMS
gateway, a group robot) and an SMTP server (aiosmtpd). Each records what it got and can be
told to fail the next requests, or to hold one open until the test lets it go.

Fixtures: `http_receiver`, `smtp_receiver`. A test module imports the ones it uses and
names them in `__all__` (so the import counts as used):

    from tests.receivers import HttpReceiver, http_receiver
    __all__ = ["http_receiver"]

Point the service at them with `OVERSIGHT_SMS_GATEWAY_URL=f"{http_receiver.url}/sms/send"`,
`OVERSIGHT_SMTP_URL=smtp_receiver.url`, a department's webhook `http_receiver.url`.
"""

from __future__ import annotations

import email
import email.policy
import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session


@dataclass(frozen=True)
class ReceivedRequest:
    """One request as the receiver got it."""

    method: str
    path: str
    headers: dict[str, str]  # names in lower case
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class _Plan:
    failures: list[tuple[int, bytes]] = field(default_factory=list)
    holds: int = 0


class HttpReceiver:
    """An HTTP server on 127.0.0.1 that records every request and answers 200 `{"errcode": 0}`
    unless told otherwise."""

    def __init__(self) -> None:
        self.requests: list[ReceivedRequest] = []
        self._plan = _Plan()
        self._lock = threading.Lock()
        self._release = threading.Event()
        self.holding = threading.Event()  # set while a request is held open
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                request = ReceivedRequest(
                    "POST",
                    self.path,
                    {name.lower(): value for name, value in self.headers.items()},
                    body,
                )
                status, answer = receiver._answer(request)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> HttpReceiver:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._release.set()
        self._server.shutdown()
        self._server.server_close()

    def fail_next(self, count: int, status: int = 500, body: Any = None) -> None:
        """Answer the next `count` requests with `status` (and `body` as JSON, if given)."""
        answer = json.dumps(body if body is not None else {"error": "failing"}).encode()
        with self._lock:
            self._plan.failures.extend([(status, answer)] * count)

    def answer_next(self, count: int, body: Any) -> None:
        """Answer the next `count` requests 200 with `body` (a robot's `errcode`, say)."""
        self.fail_next(count, 200, body)

    def hold_next(self) -> None:
        """Keep the next request open, recorded, until `release()`."""
        with self._lock:
            self._plan.holds += 1
        self._release.clear()

    def release(self) -> None:
        self._release.set()

    def _answer(self, request: ReceivedRequest) -> tuple[int, bytes]:
        with self._lock:
            self.requests.append(request)
            hold = self._plan.holds > 0
            if hold:
                self._plan.holds -= 1
            planned = self._plan.failures.pop(0) if self._plan.failures else None
        if hold:
            self.holding.set()
            self._release.wait(60)
            self.holding.clear()
        if planned is not None:
            return planned
        return 200, b'{"errcode": 0, "errmsg": "ok"}'

    def keys(self) -> list[str]:
        """The Idempotency-Key header of every request, in order."""
        return [request.headers.get("idempotency-key", "") for request in self.requests]


@dataclass(frozen=True)
class ReceivedMail:
    mail_from: str
    recipients: list[str]
    message: EmailMessage


class _Recorder:
    def __init__(self, receiver: SmtpReceiver) -> None:
        self.receiver = receiver

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        with self.receiver.lock:
            if self.receiver.failures:
                return self.receiver.failures.pop(0)
            parsed = email.message_from_bytes(
                envelope.original_content or b"", policy=email.policy.default
            )
            assert isinstance(parsed, EmailMessage)
            self.receiver.mails.append(
                ReceivedMail(str(envelope.mail_from), list(envelope.rcpt_tos), parsed)
            )
        return "250 Message accepted for delivery"


class SmtpReceiver:
    """An SMTP server on 127.0.0.1 (aiosmtpd) that keeps every message it accepts; with
    `login`, it requires AUTH with that user and password (over plain TCP, for the test)."""

    def __init__(self, login: tuple[str, str] | None = None) -> None:
        self.mails: list[ReceivedMail] = []
        self.failures: list[str] = []
        self.lock = threading.Lock()
        extra: dict[str, Any] = {}
        if login is not None:

            def authenticate(
                server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
            ) -> AuthResult:
                given = (data.login.decode(), data.password.decode())
                accepted = isinstance(data, LoginPassword) and given == login
                return AuthResult(success=accepted, handled=False)

            extra = {"authenticator": authenticate, "auth_required": True}
            extra["auth_require_tls"] = False
        self._controller = Controller(
            _Recorder(self), hostname="127.0.0.1", port=_free_port(), **extra
        )

    def start(self) -> SmtpReceiver:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    @property
    def port(self) -> int:
        return int(self._controller.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def fail_next(self, count: int, reply: str = "451 Try again later") -> None:
        """Answer the next `count` messages' DATA with `reply` (4xx: retry, 5xx: refused)."""
        with self.lock:
            self.failures.extend([reply] * count)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def http_receiver() -> Iterator[HttpReceiver]:
    receiver = HttpReceiver().start()
    try:
        yield receiver
    finally:
        receiver.stop()


@pytest.fixture
def smtp_receiver() -> Iterator[SmtpReceiver]:
    receiver = SmtpReceiver().start()
    try:
        yield receiver
    finally:
        receiver.stop()
