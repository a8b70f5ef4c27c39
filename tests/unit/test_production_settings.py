"""Production mode refuses to start on missing, default or guessable secrets."""

from __future__ import annotations

import base64
import os

import pytest

from infrastructure.settings import Settings, UnsafeProductionSettings
from tests.support import TEST_ACCESS_CODE_KEY, TEST_MASTER_KEY, TEST_SIGNING_KEY

PRODUCTION_URL = "postgresql://oversight:Zq7-unguessable@db.internal:5432/oversight"


def random_key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def production(**overrides: object) -> Settings:
    values: dict[str, object] = {
        "environment": "production",
        "database_url": PRODUCTION_URL,
        "access_code_key": random_key(),
        "master_key": random_key(),
        "signing_key": random_key(),
        **overrides,
    }
    return Settings(**values)  # type: ignore[arg-type]


def test_production_with_random_keys_and_its_own_database_starts() -> None:
    settings = production()

    assert settings.production_problems() == []
    settings.refuse_unsafe_production()


@pytest.mark.parametrize(
    "missing", ["access_code_key", "master_key", "signing_key"], ids=lambda name: name
)
def test_production_refuses_to_start_without_each_key(missing: str) -> None:
    settings = production(**{missing: None})

    with pytest.raises(UnsafeProductionSettings, match=f"OVERSIGHT_{missing.upper()} is not set"):
        settings.refuse_unsafe_production()


def test_production_refuses_the_well_known_test_keys_as_typed_phrases() -> None:
    settings = production(
        access_code_key=TEST_ACCESS_CODE_KEY.hex(),
        master_key=TEST_MASTER_KEY,
        signing_key=TEST_SIGNING_KEY,
    )

    problems = settings.production_problems()

    assert len(problems) == 3
    assert all("typed phrase or a pattern" in problem for problem in problems)


def test_production_refuses_a_key_made_of_a_repeated_pattern() -> None:
    patterned = base64.b64encode(bytes(range(8)) * 4).decode()

    assert production(master_key=patterned).production_problems() == [
        "OVERSIGHT_MASTER_KEY is a typed phrase or a pattern, not random bytes "
        "(docs/operations.md shows how to make one)"
    ]


def test_production_refuses_the_embedded_database() -> None:
    problems = production(database_url=None).production_problems()

    assert problems == [
        "DATABASE_URL is not set: the embedded PostgreSQL is for trying the service out"
    ]


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://postgres:postgres@db.internal/oversight",
        "host=db.internal user=oversight password=changeme dbname=oversight",
    ],
)
def test_production_refuses_a_database_with_a_default_password(url: str) -> None:
    assert production(database_url=url).production_problems() == [
        "DATABASE_URL uses a default password"
    ]


def test_production_names_every_problem_at_once() -> None:
    settings = production(
        database_url=None, access_code_key=None, master_key=None, signing_key=None
    )

    with pytest.raises(UnsafeProductionSettings) as refused:
        settings.refuse_unsafe_production()

    message = str(refused.value)
    for name in ("OVERSIGHT_ACCESS_CODE_KEY", "OVERSIGHT_MASTER_KEY", "OVERSIGHT_SIGNING_KEY"):
        assert name in message
    assert "DATABASE_URL is not set" in message


def test_development_mode_starts_with_keys_made_in_the_data_folder() -> None:
    Settings(environment="development").refuse_unsafe_production()  # type: ignore[call-arg]
