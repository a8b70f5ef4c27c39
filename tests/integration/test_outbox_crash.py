"""The process delivering the outbox killed in the middle of a delivery (docs/reliability.md).

`oversight worker` runs the sender; the SMS gateway (a local receiver) holds the first request
open, and the process is killed with SIGKILL while it waits for the answer. Another worker
started after it delivers every message: none is lost, and the message that was on the wire
reaches the gateway again under the same idempotency key, so the gateway can drop the repeat.
"""

from __future__ import annotations

import signal
import subprocess
from collections import Counter
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from tests.e2e.test_cli import OVERSIGHT
from tests.integration.outbox_rows import attempts, personal_data_keys, put_citizen_sms, put_message
from tests.integration.read_side import wait_until
from tests.receivers import HttpReceiver, http_receiver
from tests.support import SettableTimeSource, command_environment

__all__ = ["http_receiver"]

pytestmark = [pytest.mark.slow, pytest.mark.crash]

PHONE = "13987654321"


def states(database_url: str) -> Counter[str]:
    with psycopg.connect(database_url, autocommit=True) as connection:
        rows = connection.execute("SELECT state FROM outbox_messages").fetchall()
    return Counter(state for (state,) in rows)


def start_worker(database_url: str, receiver: HttpReceiver) -> subprocess.Popen[str]:
    env = {
        **command_environment(database_url, "INFO"),
        "OVERSIGHT_SMS_GATEWAY_URL": f"{receiver.url}/sms/send",
        "OVERSIGHT_SMS_GATEWAY_KEY": "gateway-key",
    }
    return subprocess.Popen(  # noqa: S603 -- our own console script with fixed arguments
        [OVERSIGHT, "worker"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def test_a_sender_killed_mid_delivery_loses_no_message_and_resends_under_the_same_key(
    database_url: str, http_receiver: HttpReceiver
) -> None:
    # The worker runs on the real clock: due a minute ago; the citizen's case urgent, so the
    # test passes at night too.
    due = datetime.now(UTC) - timedelta(minutes=1)
    keys = personal_data_keys(database_url, SettableTimeSource())
    try:
        messages = [
            put_message(database_url, channel="webhook", address=http_receiver.url, due=due)
            for _ in range(4)
        ]
        citizen_id, citizen_key, _ = put_citizen_sms(
            database_url, keys, phone=PHONE, text="您的投诉已办结。", due=due, urgent=True
        )
    finally:
        keys.close()
    messages.append((citizen_id, citizen_key))
    http_receiver.hold_next()

    first = start_worker(database_url, http_receiver)
    try:
        assert wait_until(http_receiver.holding.is_set, 60), "the first delivery never started"
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
    finally:
        if first.poll() is None:
            first.kill()
        first.communicate(timeout=30)
    assert first.returncode == -signal.SIGKILL
    (on_the_wire,) = http_receiver.keys()
    http_receiver.release()  # its answer goes to a dead process

    # Its transaction died with it: the message is pending, no attempt recorded.
    assert states(database_url)["delivered"] == 0
    held_id = next(message_id for message_id, key in messages if key == on_the_wire)
    assert attempts(database_url, held_id) == []

    second = start_worker(database_url, http_receiver)
    try:
        delivered = wait_until(lambda: states(database_url)["delivered"] == len(messages), 60)
    finally:
        second.send_signal(signal.SIGTERM)
        _, stderr = second.communicate(timeout=30)
    assert delivered, stderr
    assert second.returncode == 0, stderr

    sent = Counter(http_receiver.keys())
    assert sent == Counter({key: 1 for _, key in messages}) + Counter({on_the_wire: 1})
    assert all(
        attempts(database_url, message_id) == [(1, "delivered", "delivered")]
        for message_id, _ in messages
    )
    print(  # the figures of docs/reliability.md (pytest -m crash -rP)
        f"sender-crash: {len(messages)} messages, {len(http_receiver.requests)} requests, "
        f"{sent[on_the_wire]} of them for the message on the wire when the process was killed"
    )
    sms = [request for request in http_receiver.requests if request.path == "/sms/send"]
    assert {request.json()["idempotency_key"] for request in sms} == {citizen_key}
    assert all(request.json()["to"] == PHONE for request in sms)
