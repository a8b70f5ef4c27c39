"""The HTTP API on a real PostgreSQL database of the test's own, on time the test sets."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from domain.actor import Actor, Role
from domain.case import Channel, Kind
from infrastructure.directory_file import sample_directory
from interfaces.bootstrap import Container, bootstrap
from interfaces.http.app import create_app
from tests.support import SettableTimeSource, settings_for

SAMPLE_WINDOW = "W-A01"
SAMPLE_DEPARTMENT = "real-estate-registration"
OTHER_DEPARTMENT = "taxation"


@dataclass(frozen=True)
class Tokens:
    """Bearer headers for each role, as the CLI would print them."""

    operator: dict[str, str]
    inspector: dict[str, str]
    admin: dict[str, str]
    department: dict[str, str]
    other_department: dict[str, str]


@pytest.fixture
def time_source() -> SettableTimeSource:
    return SettableTimeSource()


@pytest.fixture
def container(database_url: str, time_source: SettableTimeSource) -> Iterator[Container]:
    settings = settings_for(database_url)
    built = bootstrap(settings, time_source=time_source, initialise=False)
    built.supervision.import_directory(sample_directory(), Actor("test-admin", Role.ADMIN))
    try:
        yield built
    finally:
        built.close()


@pytest.fixture
def client(container: Container) -> Iterator[TestClient]:
    with TestClient(create_app(container), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def tokens(container: Container) -> Tokens:
    admin = Actor("test-admin", Role.ADMIN)

    def bearer(role: Role, department: str | None = None) -> dict[str, str]:
        issued = container.supervision.issue_token(
            role=role,
            department=department,
            name=f"{role.value}-{department or 'centre'}",
            by=admin,
        )
        return {"Authorization": f"Bearer {issued.token}"}

    return Tokens(
        operator=bearer(Role.OPERATOR),
        inspector=bearer(Role.INSPECTOR),
        admin=bearer(Role.ADMIN),
        department=bearer(Role.DEPARTMENT, SAMPLE_DEPARTMENT),
        other_department=bearer(Role.DEPARTMENT, OTHER_DEPARTMENT),
    )


def position(container: Container) -> int:
    """The global position of the last event recorded."""
    return container.supervision.recorder.max_notification_id() or 0


def register_complaint(container: Container) -> UUID:
    """A hotline complaint about the sample window, with its complainant, by an operator."""
    return container.supervision.register_case(
        kind=Kind.COMPLAINT,
        channel=Channel.HOTLINE,
        department=None,
        window=SAMPLE_WINDOW,
        staff=None,
        category=None,
        urgent=False,
        summary="排队太久",
        details="",
        complainant={"name": "王芳", "phone": "13812345678"},
        by=Actor("test-operator", Role.OPERATOR),
    ).case.id
