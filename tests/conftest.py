"""Database fixtures: a PostgreSQL server for the run, and a fresh database for each test.

The server is the one at OVERSIGHT_TEST_DATABASE_URL, else the local one on 127.0.0.1:5432
when it answers, else an embedded one started with pgserver, so the suite runs anywhere.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from uuid import uuid4

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from infrastructure.eventstore import initialise_schema

LOCAL_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"


def _answers(url: str) -> bool:
    try:
        with psycopg.connect(url, connect_timeout=3):
            return True
    except psycopg.OperationalError:
        return False


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A URL of a maintenance database on a server where tests may create databases."""
    configured = os.environ.get("OVERSIGHT_TEST_DATABASE_URL")
    if configured:
        yield configured
        return
    if _answers(LOCAL_SERVER):
        yield LOCAL_SERVER
        return
    import pgserver

    data_dir: Path = tmp_path_factory.mktemp("embedded-postgres")
    server = pgserver.get_server(data_dir, cleanup_mode="delete")
    try:
        yield server.get_uri()
    finally:
        server.cleanup()


def _with_database(url: str, dbname: str) -> str:
    params = conninfo_to_dict(url)
    params["dbname"] = dbname
    return make_conninfo(**params)


def _admin(server_url: str) -> psycopg.Connection:
    return psycopg.connect(server_url, autocommit=True)


@pytest.fixture(scope="session")
def template_database(postgres_server: str) -> Iterator[str]:
    """A database with the event store's schema, copied for each test."""
    name = f"oversight_template_{uuid4().hex[:10]}"
    with _admin(postgres_server) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    initialise_schema(_with_database(postgres_server, name))
    try:
        yield name
    finally:
        with _admin(postgres_server) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def database_url(postgres_server: str, template_database: str) -> Iterator[str]:
    """A fresh database of this test's own, dropped afterwards."""
    name = f"oversight_test_{uuid4().hex[:12]}"
    with _admin(postgres_server) as admin:
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template_database}"')
    try:
        yield _with_database(postgres_server, name)
    finally:
        with _admin(postgres_server) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def empty_database_url(postgres_server: str) -> Iterator[str]:
    """A fresh database without any schema, for tests of schema creation itself."""
    name = f"oversight_empty_{uuid4().hex[:12]}"
    with _admin(postgres_server) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _with_database(postgres_server, name)
    finally:
        with _admin(postgres_server) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
