"""`oversight audit …`: verify the ledger, sign and export checkpoints, print the public key.

The composition root is imported by each command, not here: help needs none of the service
(interfaces/cli.py says why).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

audit_cli = typer.Typer(
    help="The tamper-evident ledger: verification, signed checkpoints, the public key.",
    no_args_is_help=True,
)


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code=2)


@audit_cli.command("verify")
def verify() -> None:
    """Recompute the chain from the event store; compare it with the ledger and every
    checkpoint, and every stored evidence file with its recorded hash. Exits 1 naming the
    first bad position if anything was altered, removed, inserted or reordered, and every
    evidence file missing or altered."""
    from interfaces.bootstrap import bootstrap
    from interfaces.progress import progress_bar

    with bootstrap() as container, progress_bar("verifying events") as progress:
        report = container.verify_ledger_and_files(progress)
    rate = report.checked / report.seconds if report.seconds > 0 else 0.0
    typer.echo(
        json.dumps(
            {
                "ok": report.ok,
                "checked": report.checked,
                "first_bad_position": report.first_bad_position,
                "problem": report.problem.value if report.problem else None,
                "message": report.message,
                # Evidence files (§17): each stored file against its recorded hash.
                "files_checked": report.files_checked,
                "files_erased": report.files_erased,
                "file_problems": [
                    {"attachment": str(p.attachment_id), "problem": p.problem}
                    for p in report.file_problems
                ],
            },
            ensure_ascii=False,
        )
    )
    typer.echo(f"{report.checked} events in {report.seconds:.2f} s, {rate:,.0f} events/s", err=True)
    if not report.ok:
        raise typer.Exit(code=1)


@audit_cli.command("checkpoint")
def checkpoint() -> None:
    """Bring the ledger up to the log's end and sign its head now; prints the checkpoint."""
    from interfaces.bootstrap import CheckpointRefused, bootstrap

    with bootstrap() as container:
        try:
            container.ledger.catch_up()
            made = container.ledger.make_checkpoint()
        except CheckpointRefused as refusal:
            raise _fail(str(refusal)) from refusal
    typer.echo(json.dumps(made.as_export(), indent=2))


@audit_cli.command("checkpoints")
def checkpoints() -> None:
    """Print every checkpoint as a JSON list, to keep outside the system."""
    from interfaces.bootstrap import bootstrap

    with bootstrap() as container:
        made = container.ledger.checkpoints()
    typer.echo(json.dumps([c.as_export() for c in made], indent=2))


@audit_cli.command("check-checkpoint")
def check_checkpoint(
    file: Annotated[
        Path, typer.Argument(metavar="FILE", help="A checkpoint as exported (JSON), or a list.")
    ],
) -> None:
    """Check checkpoints kept elsewhere: signed by this service, and the log still behind them."""
    try:
        loaded: Any = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise _fail(f"cannot read {file}: {error}") from error
    exported = loaded if isinstance(loaded, list) else [loaded]
    if not all(isinstance(item, dict) for item in exported):
        raise _fail(f"{file} holds no checkpoint objects")
    from interfaces.bootstrap import bootstrap

    with bootstrap() as container:
        checks = [container.ledger.check_checkpoint(item) for item in exported]
    for check in checks:
        mark = "ok" if check.ok else (check.problem.value if check.problem else "bad")
        typer.echo(f"{mark}: {check.message}")
    if not all(check.ok for check in checks):
        raise typer.Exit(code=1)


@audit_cli.command("public-key")
def public_key() -> None:
    """Print the Ed25519 public key that checks checkpoints (base64, then PEM)."""
    from interfaces.bootstrap import bootstrap

    with bootstrap() as container:
        key = container.ledger.public_key()
    typer.echo(f"key id: {key.key_id}")
    typer.echo(f"base64: {key.base64}")
    typer.echo(key.pem.rstrip("\n"))
