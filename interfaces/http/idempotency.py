"""The Idempotency-Key header on every command: a retry gets the first answer, nothing more."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from application.idempotency import IdempotencyStore, StoredAnswer
from domain.errors import DomainError
from interfaces.http.errors import (
    INVALID_IDEMPOTENCY_KEY,
    error_body,
    error_response,
    validation_response,
)
from interfaces.http.schemas.text import character_problem

HEADER = b"idempotency-key"
# Answers that recorded nothing and tell the caller to come back (signed in, later): a retry
# with the same key must reach the route again, and their headers must not be lost to a replay.
COME_BACK = frozenset({401, 429, 503})
COMMAND_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
MAX_KEY_LENGTH = 200
# 1 to 200 ASCII characters, not all of them white space, none of them a character the
# record cannot hold; the OpenAPI of a route that reads the key says the same.
KEY_PATTERN = r"^[\t\n\r -\x7f]*[!-\x7f][\t\n\r -\x7f]*$"
_KEY = re.compile(KEY_PATTERN)


def reads_idempotency_key(method: str, path: str, prefix: str) -> bool:
    """Every command under the API prefix honours an Idempotency-Key, whatever its route."""
    return method.upper() in COMMAND_METHODS and path.startswith(prefix)


def idempotency_key_parameter() -> dict[str, Any]:
    """The header as the OpenAPI of a command declares it."""
    return {
        "name": "Idempotency-Key",
        "in": "header",
        "required": False,
        "description": "a retry with the same key and body gets the first answer and records "
        "nothing again; the same key with another body is refused (`idempotency_key_reused`)",
        "schema": {
            "type": "string",
            "minLength": 1,
            "maxLength": MAX_KEY_LENGTH,
            "pattern": KEY_PATTERN,
        },
    }


class IdempotentCommands:
    """Keeps the first answer to each (caller, route, key); replays it for the same body."""

    def __init__(
        self,
        app: ASGIApp,
        store: Callable[[], IdempotencyStore],
        now: Callable[[], Any],
        prefix: str,
    ) -> None:
        self.app = app
        self.store = store
        self.now = now
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope.get("headers", [])) if scope["type"] == "http" else {}
        key = headers.get(HEADER)
        if key is None or not reads_idempotency_key(scope["method"], scope["path"], self.prefix):
            await self.app(scope, receive, send)
            return
        text = key.decode("latin-1")
        refused = character_problem(("header", "Idempotency-Key"), text)
        if refused is not None:
            await validation_response([refused])(scope, receive, send)
            return
        if len(key) > MAX_KEY_LENGTH or not _KEY.fullmatch(text):
            await _answer(
                send,
                422,
                error_body(
                    INVALID_IDEMPOTENCY_KEY,
                    f"an Idempotency-Key is 1 to {MAX_KEY_LENGTH} ASCII characters",
                ),
            )
            return
        body = await _read_body(receive)
        caller = headers.get(b"authorization") or f"client:{_client(scope)}".encode()
        scope_digest = hashlib.sha256(
            b"\0".join([caller, scope["method"].encode(), scope["path"].encode(), key])
        ).hexdigest()
        store = self.store()
        try:
            stored = await store.claim(scope_digest, hashlib.sha256(body).hexdigest(), self.now())
        except DomainError as error:
            # The same answer as a route's refusal, Retry-After of a 503 included.
            await error_response(error)(scope, receive, send)
            return
        if stored is not None:
            await _replay(send, stored)
            return
        await self._first_time(scope, body, send, store, scope_digest)

    async def _first_time(
        self, scope: Scope, body: bytes, send: Send, store: IdempotencyStore, scope_digest: str
    ) -> None:
        answered: dict[str, Any] = {"status": 500, "content_type": "", "chunks": []}
        delivered = False

        async def replay_body() -> Message:
            nonlocal delivered
            if delivered:
                return {"type": "http.disconnect"}
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                answered["status"] = message["status"]
                answered["content_type"] = (
                    dict(message.get("headers", []))
                    .get(b"content-type", b"application/json")
                    .decode("latin-1")
                )
            elif message["type"] == "http.response.body":
                answered["chunks"].append(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, replay_body, capture)
        except BaseException:
            await store.release(scope_digest)
            raise
        if answered["status"] >= 500 or answered["status"] in COME_BACK:
            await store.release(scope_digest)
            return
        await store.complete(
            scope_digest,
            StoredAnswer(
                answered["status"], answered["content_type"], b"".join(answered["chunks"])
            ),
            self.now(),
        )


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    return b"".join(chunks)


def _client(scope: Scope) -> str:
    client = scope.get("client")
    return client[0] if client else "unknown"


async def _replay(send: Send, stored: StoredAnswer, *, replayed: bool = True) -> None:
    headers = [
        (b"content-type", stored.content_type.encode("latin-1")),
        (b"content-length", str(len(stored.body)).encode()),
    ]
    if replayed:
        headers.append((b"idempotent-replayed", b"true"))
    await send({"type": "http.response.start", "status": stored.status, "headers": headers})
    await send({"type": "http.response.body", "body": stored.body})


async def _answer(send: Send, status: int, body: dict[str, Any]) -> None:
    answer = StoredAnswer(status, "application/json", json.dumps(body).encode())
    await _replay(send, answer, replayed=False)
