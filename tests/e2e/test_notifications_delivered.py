"""Notifications leave the system (§17), against real local receivers: a citizen who agreed is
texted their tracking number and access code, an assignment reaches the department by e-mail
and by its group robot, and a message that died is delivered when an administrator resends it."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from infrastructure.directory_file import sample_directory
from interfaces.bootstrap import Container, bootstrap
from interfaces.http.app import create_app
from tests.e2e.conftest import Tokens
from tests.factories import ADMIN, API, SAMPLE_DEPARTMENT, posted, registered_through_api
from tests.receivers import HttpReceiver, SmtpReceiver, http_receiver, smtp_receiver
from tests.support import SettableTimeSource, run_worker_once, settings_for

__all__ = ["http_receiver", "smtp_receiver"]

PHONE = "13812345678"
DEPARTMENT_MAIL = f"{SAMPLE_DEPARTMENT}@example.gov.cn"


@pytest.fixture
def container(
    database_url: str,
    time_source: SettableTimeSource,
    http_receiver: HttpReceiver,
    smtp_receiver: SmtpReceiver,
) -> Iterator[Container]:
    """The service with every channel on, the sample department's robot at the receiver."""
    settings = settings_for(
        database_url,
        sms_gateway_url=f"{http_receiver.url}/sms/send",
        sms_gateway_key="gateway-key",
        smtp_url=smtp_receiver.url,
        mail_from="oversight@zwfw.example.gov.cn",
        notify_max_attempts=1,
    )
    directory = sample_directory()
    departments = tuple(
        dataclasses.replace(department, webhook=f"{http_receiver.url}/robot")
        if department.id == SAMPLE_DEPARTMENT
        else department
        for department in directory.departments
    )
    with bootstrap(settings, time_source=time_source, initialise=False) as built:
        built.supervision.import_directory(
            dataclasses.replace(directory, departments=departments),
            ADMIN,
        )
        yield built


@pytest.fixture
def client(container: Container) -> Iterator[TestClient]:
    with TestClient(create_app(container), raise_server_exceptions=False) as test_client:
        yield test_client


def deliver(container: Container) -> None:
    """The worker's turn (the feed writes the outbox), then one round of the sender."""
    run_worker_once(container)
    container.outbox_sender().sender.run_once()


def test_a_citizen_who_agreed_is_texted_the_tracking_number_and_the_access_code(
    client: TestClient, tokens: Tokens, container: Container, http_receiver: HttpReceiver
) -> None:
    case = registered_through_api(
        client, tokens.operator, complainant={"name": "王芳", "phone": PHONE, "notify": True}
    )
    deliver(container)

    (sms,) = [request for request in http_receiver.requests if request.path == "/sms/send"]
    body = json.loads(sms.body)
    assert body["to"] == PHONE
    assert case["tracking_number"] in body["text"]
    assert case["access_code"] in body["text"]
    assert sms.headers["authorization"] == "Bearer gateway-key"
    assert sms.headers["idempotency-key"] == body["idempotency_key"]


def test_a_citizen_who_did_not_agree_is_not_texted(
    client: TestClient, tokens: Tokens, container: Container, http_receiver: HttpReceiver
) -> None:
    registered_through_api(client, tokens.operator, complainant={"name": "王芳", "phone": PHONE})
    deliver(container)

    assert http_receiver.requests == []


def test_an_assignment_mails_the_department_and_reaches_its_group_robot(
    client: TestClient,
    tokens: Tokens,
    container: Container,
    http_receiver: HttpReceiver,
    smtp_receiver: SmtpReceiver,
) -> None:
    case = registered_through_api(client, tokens.operator)
    posted(
        client, f"/cases/{case['id']}/assign", tokens.operator, {"department": SAMPLE_DEPARTMENT}
    )
    deliver(container)

    (mail,) = smtp_receiver.mails
    assert mail.recipients == [DEPARTMENT_MAIL]
    assert case["tracking_number"] in mail.message.get_content()
    (robot,) = [request for request in http_receiver.requests if request.path == "/robot"]
    markdown = json.loads(robot.body)
    assert markdown["msgtype"] == "markdown"
    assert case["tracking_number"] in json.dumps(markdown, ensure_ascii=False)


def test_a_dead_message_is_delivered_when_an_administrator_resends_it(
    client: TestClient, tokens: Tokens, container: Container, http_receiver: HttpReceiver
) -> None:
    http_receiver.fail_next(1, status=503)
    registered_through_api(
        client, tokens.operator, complainant={"name": "王芳", "phone": PHONE, "notify": True}
    )
    deliver(container)
    dead = client.get(f"{API}/outbox", params={"state": "dead"}, headers=tokens.admin)
    (message,) = dead.json()["items"]

    resent = client.post(f"{API}/outbox/{message['id']}/resend", headers=tokens.admin)
    assert resent.status_code == 200, resent.text
    container.outbox_sender().sender.run_once()

    first, second = [request for request in http_receiver.requests if request.path == "/sms/send"]
    assert json.loads(first.body)["idempotency_key"] == json.loads(second.body)["idempotency_key"]
    delivered = client.get(f"{API}/outbox/{message['id']}", headers=tokens.admin).json()
    assert delivered["state"] == "delivered"
    assert [attempt["outcome"] for attempt in delivered["attempt_log"]] == ["failed", "delivered"]
