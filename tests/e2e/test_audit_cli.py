"""`oversight audit …` as an administrator runs it, and a checkpoint checked outside the system
the way docs/operations.md says: with openssl, and with a few lines of Python."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
from pathlib import Path

import psycopg
import pytest
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from tests.e2e.test_cli import run as run_oversight
from tests.factories import import_sample_directory
from tests.integration.read_side import a_mix_of_cases, open_container
from tests.support import SettableTimeSource


def run(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """`oversight audit` with these arguments."""
    return run_oversight(database_url, "audit", *args)


@pytest.fixture
def recorded(database_url: str) -> str:
    with open_container(database_url, SettableTimeSource()) as container:
        import_sample_directory(container.supervision)
        a_mix_of_cases(container)
    return database_url


def test_a_checkpoint_is_made_on_demand_and_verification_passes(recorded: str) -> None:
    made = run(recorded, "checkpoint")
    verified = run(recorded, "verify")

    assert made.returncode == 0, made.stderr
    checkpoint = json.loads(made.stdout)
    assert checkpoint["number"] == 1
    assert checkpoint["position"] > 200
    assert verified.returncode == 0, verified.stderr
    answer = json.loads(verified.stdout)
    assert answer["ok"] is True
    assert answer["checked"] == checkpoint["position"]
    assert "events/s" in verified.stderr


def test_verification_fails_naming_the_first_bad_position(recorded: str) -> None:
    run(recorded, "checkpoint")
    with psycopg.connect(recorded, autocommit=True) as connection:
        connection.execute("DELETE FROM oversight_events WHERE notification_id = 200")

    verified = run(recorded, "verify")

    assert verified.returncode == 1
    answer = json.loads(verified.stdout)
    assert (answer["ok"], answer["first_bad_position"], answer["problem"]) == (
        False,
        200,
        "missing",
    )
    assert "Traceback" not in verified.stderr


def test_exported_checkpoints_are_checked_back_and_a_forged_one_fails(
    recorded: str, tmp_path: Path
) -> None:
    run(recorded, "checkpoint")
    exported = run(recorded, "checkpoints")
    (checkpoint,) = json.loads(exported.stdout)
    genuine = tmp_path / "genuine.json"
    genuine.write_text(json.dumps(checkpoint), encoding="utf-8")
    forged = tmp_path / "forged.json"
    forged.write_text(
        json.dumps(
            {
                **checkpoint,
                "statement": checkpoint["statement"].replace('"number":1', '"number":7'),
                "number": 7,
            }
        ),
        encoding="utf-8",
    )

    good = run(recorded, "check-checkpoint", str(genuine))
    bad = run(recorded, "check-checkpoint", str(forged))

    assert good.returncode == 0, good.stderr
    assert good.stdout.startswith("ok:")
    assert bad.returncode == 1
    assert bad.stdout.startswith("forged_checkpoint:")


def test_a_checkpoint_can_be_checked_outside_the_system(recorded: str, tmp_path: Path) -> None:
    checkpoint = json.loads(run(recorded, "checkpoint").stdout)
    printed = run(recorded, "public-key")
    assert printed.returncode == 0, printed.stderr
    lines = printed.stdout.splitlines()
    raw = lines[1].removeprefix("base64: ")
    pem = "\n".join(lines[2:]) + "\n"

    # With a few lines of Python and the `cryptography` package:
    key = load_pem_public_key(pem.encode())
    key.verify(  # type: ignore[union-attr]  # raises InvalidSignature if forged
        base64.b64decode(checkpoint["signature"]), checkpoint["statement"].encode()
    )
    assert base64.b64decode(raw) == key.public_bytes_raw()  # type: ignore[union-attr]

    # With openssl (3.0 or later), as docs/operations.md shows:
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is not installed")
    (tmp_path / "public.pem").write_text(pem, encoding="ascii")
    (tmp_path / "statement.txt").write_bytes(checkpoint["statement"].encode())
    (tmp_path / "signature.bin").write_bytes(base64.b64decode(checkpoint["signature"]))
    command = [
        openssl,
        "pkeyutl",
        "-verify",
        "-pubin",
        "-inkey",
        "public.pem",
        "-rawin",
        "-in",
        "statement.txt",
        "-sigfile",
        "signature.bin",
    ]
    genuine = subprocess.run(  # noqa: S603 -- fixed arguments
        command, cwd=tmp_path, capture_output=True, text=True, check=False
    )
    (tmp_path / "statement.txt").write_bytes(checkpoint["statement"].replace("1", "2").encode())
    forged = subprocess.run(  # noqa: S603 -- fixed arguments
        command, cwd=tmp_path, capture_output=True, text=True, check=False
    )

    assert genuine.returncode == 0, genuine.stderr
    assert "Signature Verified Successfully" in genuine.stdout
    assert forged.returncode != 0
