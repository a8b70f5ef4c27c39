"""`oversight serve --workers N`: several API processes on one port and one database;
`--public-port P`: the public paths' process of its own."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from datetime import datetime
from pathlib import Path

import httpx
import pytest

from domain.calendar import OFFICE_TZ
from tests.e2e.test_cli import OVERSIGHT, run
from tests.support import command_environment

COMPLAINT = {"kind": "complaint", "channel": "hotline", "window": "W-A01", "summary": "排队久"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def started_serve(database_url: str, *arguments: str) -> subprocess.Popen[str]:
    """`oversight serve` with these arguments, its output captured."""
    return subprocess.Popen(  # noqa: S603 -- our own console script with fixed arguments
        [OVERSIGHT, "serve", *arguments],
        env=command_environment(database_url),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_until_serving(base: str, server: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"serve exited: {server.communicate()[1]}")
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise AssertionError("serve did not answer within a minute")


def test_two_api_processes_share_the_port_and_the_database(database_url: str) -> None:
    run(database_url, "directory", "import", "--sample")
    token = run(database_url, "token", "create", "--role", "operator", "--name", "值班员")
    operator = {"Authorization": f"Bearer {token.stdout.strip().splitlines()[-1]}"}
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = started_serve(database_url, "--workers", "2", "--port", str(port))
    try:
        wait_until_serving(base, server)
        # The server numbers by the real clock, on the office's calendar day.
        today = datetime.now(OFFICE_TZ).strftime("%Y%m%d")
        # New connections each time, so both processes take their share of the requests.
        registered = [
            httpx.post(f"{base}/api/v1/cases", json=COMPLAINT, headers=operator) for _ in range(6)
        ]
        read_back = [
            httpx.get(f"{base}/api/v1/cases/{answer.json()['id']}", headers=operator)
            for answer in registered
        ]
    finally:
        server.send_signal(signal.SIGINT)
        _, stderr = server.communicate(timeout=60)

    assert [answer.status_code for answer in registered] == [201] * 6
    numbers = sorted(answer.json()["tracking_number"] for answer in registered)
    assert numbers == [f"HL{today}-{n:04d}" for n in range(1, 7)]
    assert [answer.status_code for answer in read_back] == [200] * 6
    assert "API processes: 2" in stderr
    assert server.returncode == 0, stderr


def test_serving_with_no_api_processes_is_refused_before_anything_starts() -> None:
    refused = subprocess.run(  # noqa: S603 -- our own console script with fixed arguments
        [OVERSIGHT, "serve", "--workers", "0"], capture_output=True, text=True, check=False
    )

    assert refused.returncode == 2
    assert "--workers" in refused.stderr
    assert "database:" not in refused.stderr


# SIGTERM is what systemd, docker and kill send.
@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["sigint", "sigterm"])
def test_the_public_port_is_served_by_a_process_of_its_own_at_a_lower_priority_and_stops_with_it(
    database_url: str, stop: signal.Signals
) -> None:
    port, public_port = free_port(), free_port()
    server = started_serve(
        database_url, "--no-worker", "--port", str(port), "--public-port", str(public_port)
    )
    try:
        wait_until_serving(f"http://127.0.0.1:{port}", server)
        wait_until_serving(f"http://127.0.0.1:{public_port}", server)
        unknown = {"tracking_number": "HL20261127-0042", "access_code": "ABCD-EFGH-JK"}
        answered = httpx.post(
            f"http://127.0.0.1:{public_port}/api/v1/public/case-status", json=unknown
        )
        public_processes = [
            pid for pid in children_of(server.pid) if niceness(pid) == own_niceness() + 10
        ]
    finally:
        server.send_signal(stop)
        _, stderr = server.communicate(timeout=60)

    assert answered.status_code == 404
    assert answered.json()["error"]["code"] == "case_status_not_found"
    assert len(public_processes) == 1
    assert f"public paths: also on http://127.0.0.1:{public_port}, at nice 10" in stderr
    assert server.returncode == 0, stderr
    assert not Path(f"/proc/{public_processes[0]}").exists()
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{public_port}/healthz", timeout=1)


def children_of(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(child) for child in children]


def niceness(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[16])


def own_niceness() -> int:
    return os.nice(0)
