"""Database fixtures: a PostgreSQL server for the run, and a fresh database for each test.

The server is the one at OVERSIGHT_TEST_DATABASE_URL, else the local one on 127.0.0.1:5432
when it answers, else an embedded one (infrastructure/embedded.py), so the suite runs
anywhere. OVERSIGHT_TEST_DATABASE_URL=embedded asks for the embedded one even when a local
server answers: it is reached over a unix socket rather than TCP, as `oversight serve`
without DATABASE_URL reaches it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from uuid import uuid4

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from infrastructure.embedded import EmbeddedPostgres
from infrastructure.eventstore import initialise_schema

LOCAL_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
EMBEDDED = "embedded"


def _answers(url: str) -> bool:
    try:
        with psycopg.connect(url, connect_timeout=3):
            return True
    except psycopg.OperationalError:
        return False


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A URL of a maintenance database on a server where tests may create databases."""
    configured = os.environ.get("OVERSIGHT_TEST_DATABASE_URL", "").strip()
    if configured and configured != EMBEDDED:
        yield configured
        return
    if not configured and _answers(LOCAL_SERVER):
        yield LOCAL_SERVER
        return
    # Not under pytest's temporary root: run as root, the server runs as another OS user, and
    # any pytest session starting meanwhile takes other users' access to that root away.
    data_dir = Path(tempfile.mkdtemp(prefix="oversight-test-postgres-"))
    server = EmbeddedPostgres(data_dir, keep_data=False)
    try:
        yield server.start()
    finally:
        server.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


def _with_database(url: str, dbname: str) -> str:
    params = conninfo_to_dict(url)
    params["dbname"] = dbname
    return make_conninfo(**params)


def _admin(server_url: str) -> psycopg.Connection:
    return psycopg.connect(server_url, autocommit=True)


@contextmanager
def _database(server_url: str, name: str, template: str | None = None) -> Iterator[str]:
    """A database of `name` on the server (a copy of `template` if given) for the block, dropped
    afterwards; its URL."""
    copied = f' TEMPLATE "{template}"' if template else ""
    with _admin(server_url) as admin:
        admin.execute(f'CREATE DATABASE "{name}"{copied}')
    try:
        yield _with_database(server_url, name)
    finally:
        with _admin(server_url) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def template_database(postgres_server: str) -> Iterator[str]:
    """A database with the event store's schema, copied for each test."""
    name = f"oversight_template_{uuid4().hex[:10]}"
    with _database(postgres_server, name) as url:
        initialise_schema(url)
        yield name


@pytest.fixture
def database_url(postgres_server: str, template_database: str) -> Iterator[str]:
    """A fresh database of this test's own, dropped afterwards."""
    name = f"oversight_test_{uuid4().hex[:12]}"
    with _database(postgres_server, name, template=template_database) as url:
        yield url


@pytest.fixture
def empty_database_url(postgres_server: str) -> Iterator[str]:
    """A fresh database without any schema, for tests of schema creation itself."""
    with _database(postgres_server, f"oversight_empty_{uuid4().hex[:12]}") as url:
        yield url
