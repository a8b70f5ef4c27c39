"""What the request metrics add to each request, measured on the middleware alone.

    .venv/bin/python bench/request_metrics.py --requests 50000

Drives a bare ASGI app that answers at once, then the same app inside `RequestMetrics`
(interfaces/http/request_metrics.py), in this process, without HTTP or a database: the
difference is the middleware's own work (two clock reads, the in-flight gauge, one
histogram observation, for a command one counter). Prints microseconds per request for a
read, with and without the middleware, and for a refused command.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from typing import Any

from interfaces.http.request_metrics import RequestMetrics


class _Route:
    path = "/api/v1/cases/{case_id}/close"
    name = "close_case"


async def _answer(scope: dict[str, Any], receive: Any, send: Any) -> None:
    scope["route"] = _Route()
    if scope["method"] == "POST":
        scope["state"]["error_code"] = "case_not_answered"
    status = 409 if scope["method"] == "POST" else 200
    await send({"type": "http.response.start", "status": status, "headers": []})
    await send({"type": "http.response.body", "body": b"{}"})


async def _receive() -> dict[str, Any]:
    return {"type": "http.request"}


async def _send(message: dict[str, Any]) -> None:
    return None


async def _per_request(app: Any, method: str, requests: int) -> float:
    started = time.perf_counter()
    for _ in range(requests):
        scope = {"type": "http", "method": method, "path": "/api/v1/cases/x/close", "state": {}}
        await app(scope, _receive, _send)
    return (time.perf_counter() - started) / requests * 1e6


async def _measure(requests: int) -> None:
    timed = RequestMetrics(_answer, prefix="/api/v1")
    for _ in range(2):  # the first round warms up
        bare = await _per_request(_answer, "GET", requests)
        read = await _per_request(timed, "GET", requests)
        command = await _per_request(timed, "POST", requests)
    print(f"bare app          {bare:6.2f} µs/request")
    print(f"read, timed       {read:6.2f} µs/request (+{read - bare:.2f})")
    print(f"command, counted  {command:6.2f} µs/request (+{command - bare:.2f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=50_000)
    asyncio.run(_measure(parser.parse_args().requests))


if __name__ == "__main__":
    main()
