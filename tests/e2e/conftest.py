"""The HTTP API on a real PostgreSQL database of the test's own, with a clock the test sets."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from openpyxl import Workbook, load_workbook

from domain.actor import Actor, Role
from infrastructure.conduct_file import default_conduct_rules
from interfaces.bootstrap import Container, bootstrap
from interfaces.http.app import create_app
from tests.factories import (
    API,
    OTHER_DEPARTMENT,
    SAMPLE_DEPARTMENT,
    bearer,
    import_sample_directory,
    issued_token,
)
from tests.notice_story import flagged_case, supervised_case
from tests.support import SettableTimeSource, settings_for
from tests.web_support import signed_in


@dataclass(frozen=True)
class Tokens:
    """Bearer headers for each role, as the CLI would print them."""

    operator: dict[str, str]
    inspector: dict[str, str]
    admin: dict[str, str]
    department: dict[str, str]
    other_department: dict[str, str]
    monitor: dict[str, str]  # Prometheus: GET /metrics and nothing else


@pytest.fixture
def time_source() -> SettableTimeSource:
    return SettableTimeSource()


@contextmanager
def sample_container(
    database_url: str, time_source: SettableTimeSource, **settings: object
) -> Iterator[Container]:
    """The service's container on the test's database (any setting given replaces the test
    default), the sample directory imported; closed when the block ends."""
    with bootstrap(
        settings_for(database_url, **settings), time_source=time_source, initialise=False
    ) as built:
        import_sample_directory(built.supervision)
        yield built


@pytest.fixture
def container(database_url: str, time_source: SettableTimeSource) -> Iterator[Container]:
    with sample_container(database_url, time_source) as built:
        yield built


@pytest.fixture
def client(container: Container) -> Iterator[TestClient]:
    with TestClient(create_app(container), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def inspector(client: TestClient, container: Container) -> TestClient:
    """The console's client, signed in as an inspector."""
    return signed_in(client, container, Role.INSPECTOR)


@pytest.fixture
def department(client: TestClient, container: Container) -> TestClient:
    """The console's client, signed in as the sample department."""
    return signed_in(client, container, Role.DEPARTMENT, department=SAMPLE_DEPARTMENT)


@pytest.fixture
def admin(client: TestClient, container: Container) -> TestClient:
    """The console's client, signed in as the administrator 王管理."""
    return signed_in(client, container, Role.ADMIN, username="admin.page", name="王管理")


@pytest.fixture
def conduct_rules(container: Container) -> None:
    """The conduct catalogue the service ships (扣分事项), loaded by an administrator."""
    container.supervision.load_conduct_rules(default_conduct_rules(), Actor("admin", Role.ADMIN))


@pytest.fixture
def tokens(container: Container) -> Tokens:
    def headers(role: Role, department: str | None = None) -> dict[str, str]:
        name = f"{role.value}-{department or 'centre'}"
        return bearer(issued_token(container.supervision, role, department=department, name=name))

    return Tokens(
        operator=headers(Role.OPERATOR),
        inspector=headers(Role.INSPECTOR),
        admin=headers(Role.ADMIN),
        department=headers(Role.DEPARTMENT, SAMPLE_DEPARTMENT),
        other_department=headers(Role.DEPARTMENT, OTHER_DEPARTMENT),
        monitor=headers(Role.MONITOR),
    )


def get(client: TestClient, path: str, headers: dict[str, str], **params: Any) -> Any:
    """The answer of a `GET` of the API at `path`, which must succeed."""
    response = client.get(f"{API}{path}", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


# The metrics period the tests' days fall in (their clock starts on Friday 27 November 2026).
PERIOD = {"from": "2026-11-01", "to": "2026-12-31"}
# The body of a department's return of a case it was wrongly given.
RETURN = {"reason": "不属于本部门职责"}


def department_metrics(
    client: TestClient, headers: dict[str, str], department: str, **params: Any
) -> dict[str, Any]:
    """A department's row of `GET /metrics/departments` for `params` (the period asked for)."""
    answer = get(client, "/metrics/departments", headers, **params)
    return next(row for row in answer["items"] if row["department"] == department)  # type: ignore[no-any-return]


@dataclass(frozen=True)
class MonthlyReport:
    """The monthly report in each format the API gives it in."""

    answer: Any
    csv_text: str
    workbook: Workbook

    def cells(self, sheet: str) -> list[Any]:
        """The values of a sheet of the workbook, row after row."""
        return [cell.value for row in self.workbook[sheet].iter_rows() for cell in row]


def monthly_report(client: TestClient, headers: dict[str, str], **query: Any) -> MonthlyReport:
    """The monthly report for `query`, read as JSON, as CSV and as a workbook."""

    def file(file_format: str) -> bytes:
        response = client.get(
            f"{API}/reports/monthly", params={**query, "format": file_format}, headers=headers
        )
        assert response.status_code == 200, response.text
        return response.content

    return MonthlyReport(
        answer=get(client, "/reports/monthly", headers, **query),
        csv_text=file("csv").decode("utf-8-sig"),
        workbook=load_workbook(io.BytesIO(file("xlsx"))),
    )


def error_of(response: Response) -> tuple[int, str]:
    """A refusal as its status and the code the API names it by."""
    return response.status_code, response.json()["error"]["code"]


def refusal_of(
    client: TestClient, path: str, headers: dict[str, str], **params: Any
) -> tuple[int, str]:
    """How a `GET` of the API at `path` is refused: its status and the code of its error."""
    return error_of(client.get(f"{API}{path}", params=params, headers=headers))


def then_an_hour_before_now(time_source: SettableTimeSource) -> datetime:
    """Move the clock two hours on and answer the instant between: `then`, an hour before
    whatever the test records next."""
    then = time_source.advance(hours=1)
    time_source.advance(hours=1)
    return then


def position(container: Container) -> int:
    """The global position of the last event recorded."""
    return container.supervision.recorder.max_notification_id() or 0


@pytest.fixture
def catch_up(container: Container) -> Iterator[Callable[[], object]]:
    """One worker for the test; each call is one of its turns (projections, policies, the
    clock, the audit feed and ledger), as the background worker would run it."""
    worker = container.worker()
    yield worker.run_once
    worker.close()


@pytest.fixture
def supervised_case_id(container: Container, time_source: SettableTimeSource) -> UUID:
    """A consultation past its deadline and supervised, its complainant's identity in its text
    (`tests.notice_story.supervised_case`)."""
    return supervised_case(container.supervision, time_source)


@pytest.fixture
def notice_drafted_by_the_flag(
    container: Container, time_source: SettableTimeSource, catch_up: Callable[[], object]
) -> None:
    """A supervised case the clock has flagged for public notice (列入通报), and two turns of
    the worker: its policy drafts the notice, its projection lists the draft."""
    flagged_case(container.supervision, time_source)
    catch_up()
    catch_up()
