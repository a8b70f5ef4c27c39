"""`oversight serve --workers 2`: one scrape adds up the metrics of every process."""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.e2e.test_cli import OVERSIGHT, run
from tests.e2e.test_serve_cli import free_port, wait_until_serving
from tests.support import command_environment

REQUESTS = 12


def samples_of(text: str, name: str) -> list[tuple[dict[str, str], float]]:
    return [
        (sample.labels, sample.value)
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == name
    ]


def test_a_scrape_adds_up_the_counters_of_every_api_process(
    database_url: str, tmp_path: Path
) -> None:
    token = run(database_url, "token", "create", "--role", "monitor", "--name", "prometheus")
    monitor = {"Authorization": f"Bearer {token.stdout.strip().splitlines()[-1]}"}
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(  # noqa: S603 -- our own console script with fixed arguments
        [OVERSIGHT, "serve", "--workers", "2", "--port", str(port)],
        env={**command_environment(database_url), "TMPDIR": str(tmp_path)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_until_serving(base, server)
        shared = list(tmp_path.glob("oversight-metrics-*"))
        # New connections each time, so both processes take their share of the requests.
        answers = [httpx.get(f"{base}/healthz") for _ in range(REQUESTS)]
        scrape = httpx.get(f"{base}/metrics", headers=monitor)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            leaders = samples_of(scrape.text, "oversight_worker_leader")
            if sum(found for _, found in leaders) == 1:
                break
            time.sleep(0.2)
            scrape = httpx.get(f"{base}/metrics", headers=monitor)
    finally:
        server.send_signal(signal.SIGINT)
        _, stderr = server.communicate(timeout=60)

    assert [answer.status_code for answer in answers] == [200] * REQUESTS
    assert scrape.status_code == 200, scrape.text
    counts = samples_of(scrape.text, "oversight_http_request_duration_seconds_count")
    healthz = [found for labels, found in counts if labels["route"] == "/healthz"]
    # wait_until_serving asked at least once more.
    assert sum(healthz) >= REQUESTS + 1
    leaders = samples_of(scrape.text, "oversight_worker_leader")
    # The serving process (it runs the worker) and its two API processes, each by its pid.
    assert len({labels["pid"] for labels, _ in leaders}) == 3
    assert sorted(found for _, found in leaders) == [0, 0, 1]
    assert len(shared) == 1, "a fresh directory for this start"
    assert not shared[0].exists(), "removed when serving ended"
    assert server.returncode == 0, stderr
