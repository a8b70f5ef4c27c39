"""The `oversight` command: serve, set up the schema, import the directory, issue tokens.

Help and refused arguments need none of the service: the modules that load it (the
composition root, with eventsourcing, FastAPI, asyncpg and pgserver; the reports, with
openpyxl; the progress bar, with rich) are imported by the commands that use them, so that
`oversight --help` answers at once (docs/benchmarks.md, "The command line's start").
"""

from __future__ import annotations

import logging
import os
import shlex
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated
from uuid import UUID

import typer

from domain.actor import Actor, Role
from domain.errors import DomainError
from domain.text import described, why_refused
from interfaces.account_cli import account_cli
from interfaces.audit_cli import audit_cli
from interfaces.choices import ReportFormat, TaskKind
from interfaces.survey_cli import survey_cli
from simulation.defaults import DEFAULT_DAYS, DEFAULT_SEED

if TYPE_CHECKING:
    from application.scores import MonthlyReport
    from interfaces.bootstrap import Container
    from simulation.campaign import CampaignReport

cli = typer.Typer(
    name="oversight",
    help="Oversight: complaint and supervision records of a government service centre.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    # Click's plain help: rich's panels print a type beside every flag (`--sample <bool>`).
    rich_markup_mode=None,
)
directory_cli = typer.Typer(
    help="The centre's departments, windows and staff.", no_args_is_help=True
)
token_cli = typer.Typer(help="Bearer tokens for the API.", no_args_is_help=True)
cli.add_typer(directory_cli, name="directory")
calendar_cli = typer.Typer(help="The working-day calendar.", no_args_is_help=True)
cli.add_typer(token_cli, name="token")
cli.add_typer(calendar_cli, name="calendar")
projections_cli = typer.Typer(help="The read tables kept from the events.", no_args_is_help=True)
cli.add_typer(projections_cli, name="projections")
privacy_cli = typer.Typer(help="Complainants' personal data.", no_args_is_help=True)
cli.add_typer(privacy_cli, name="privacy")
keys_cli = typer.Typer(help="The master key of complainants' personal data.", no_args_is_help=True)
cli.add_typer(keys_cli, name="keys")
rules_cli = typer.Typer(help="The conduct catalogue (扣分事项).", no_args_is_help=True)
cli.add_typer(rules_cli, name="rules")
report_cli = typer.Typer(help="Reports of the double-hundred system.", no_args_is_help=True)
cli.add_typer(report_cli, name="report")
cli.add_typer(audit_cli, name="audit")
cli.add_typer(account_cli, name="account")
cli.add_typer(survey_cli, name="surveys")

ADMIN = Actor(principal="cli-admin", role=Role.ADMIN)
# The standard library's logger: before the settings configure logging, it prints nothing.
_log = logging.getLogger("oversight.cli")


# The header row of `oversight token list`.
TOKEN_LIST_COLUMNS = ("id", "role", "department", "holder", "issued", "status")


class TokenRole(StrEnum):
    """The roles a token can be issued for."""

    OPERATOR = "operator"
    DEPARTMENT = "department"
    INSPECTOR = "inspector"
    ADMIN = "admin"
    MONITOR = "monitor"  # Prometheus: GET /metrics and nothing else


@contextmanager
def _service(*, serving: bool = False) -> Iterator[Container]:
    """The service built for one command, closed when it is done."""
    from interfaces.bootstrap import bootstrap

    with bootstrap(serving=serving) as container:
        yield container


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code=2)


@contextmanager
def _refusal_fails() -> Iterator[None]:
    """A refusal of the service's ends the command with the refusal's message."""
    try:
        yield
    except DomainError as error:
        raise _fail(error.message) from error


def _require_storable(**options: str | None) -> None:
    """Refuses an option's text holding a character the record cannot hold, before anything
    is recorded: a control character typed or pasted, or bytes that are not UTF-8 (Python
    reads them as lone surrogates)."""
    for option, text in options.items():
        problem = why_refused(text) if text is not None else None
        if problem is not None:
            raise _fail(f"--{option}: {problem}")


@cli.command()
def serve(
    host: Annotated[str, typer.Option(metavar="ADDRESS", help="Address to listen on.")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option(metavar="PORT", help="Port to listen on.")] = 8000,
    worker: Annotated[
        bool,
        typer.Option(
            "--worker/--no-worker",
            help="Run the worker (projections, deadline clock) inside this process.",
        ),
    ] = True,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            min=1,
            max=64,
            metavar="N",
            help="API processes sharing the port and the database (one event loop each).",
        ),
    ] = 1,
    public_port: Annotated[
        int | None,
        typer.Option(
            "--public-port",
            metavar="PORT",
            help="Also serve from an API process of its own on this port, at a lower CPU "
            "priority (nice 10) and shedding public requests past "
            "OVERSIGHT_PUBLIC_MAX_IN_FLIGHT (8 unless set), for a proxy to send the public "
            "paths to.",
        ),
    ] = None,
) -> None:
    """Set up the schema if needed, then serve the pages and the API (embedded PostgreSQL if no
    DATABASE_URL)."""
    from interfaces.metrics_directory import shared_metrics_directory

    # Several API processes share their metrics through a directory named before the
    # service (and with it the metrics client) is imported.
    with shared_metrics_directory(workers + (1 if public_port else 0)):
        _serve(host, port, worker=worker, workers=workers, public_port=public_port)


# How much less CPU time the public process gets than the staff's when both want it (nice).
PUBLIC_NICENESS = 10
# The public process's bound on public requests in flight, unless the settings give one.
PUBLIC_PROCESS_MAX_IN_FLIGHT = 8


def _serve_public(host: str, port: int) -> None:
    """The public paths' API process: it bootstraps its own container from the settings,
    runs no worker, and yields the cores to the staff's process under a flood."""
    import uvicorn

    os.nice(PUBLIC_NICENESS)
    # This process's own environment: the bound sheds here, where refusals cost the staff
    # nothing.
    os.environ.setdefault("OVERSIGHT_PUBLIC_MAX_IN_FLIGHT", str(PUBLIC_PROCESS_MAX_IN_FLIGHT))
    uvicorn.run(
        "interfaces.http.app:create_app", factory=True, host=host, port=port, log_config=None
    )


@contextmanager
def _public_process(host: str, port: int | None) -> Iterator[None]:
    """With --public-port: the public paths' process, started now and stopped (SIGTERM, as
    uvicorn ends gracefully) when serving ends."""
    if port is None:
        yield
        return
    import multiprocessing

    process = multiprocessing.get_context("spawn").Process(
        target=_serve_public, args=(host, port), name="oversight-public"
    )
    process.start()
    typer.echo(f"public paths: also on http://{host}:{port}, at nice {PUBLIC_NICENESS}", err=True)
    try:
        yield
    finally:
        process.terminate()
        process.join(timeout=30)
        if process.is_alive():
            process.kill()
            process.join()


def _exit_on_sigterm(*_: object) -> None:
    raise SystemExit(0)


def _serve(host: str, port: int, *, worker: bool, workers: int, public_port: int | None) -> None:
    import uvicorn

    from interfaces.http.app import create_app

    # uvicorn stops gracefully on SIGTERM and then raises the signal again: under the default
    # handler the process died right there, before the public paths' process, the worker and
    # an embedded PostgreSQL were stopped (they outlived it). Exiting instead runs their
    # `finally`s, as SIGINT's KeyboardInterrupt does.
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    with _service(serving=True) as container:
        typer.echo(f"database: {_describe(container)}", err=True)
        typer.echo(
            f"serving on http://{host}:{port} (staff sign in at /console/, "
            "public pages at /, API docs at /docs)",
            err=True,
        )
        if worker:
            container.start_worker()  # stopped when the container closes
            typer.echo("worker: in this process (standby while another holds the lock)", err=True)
        if workers > 1 or public_port:
            # The other API processes bootstrap their own containers from the same settings;
            # this one keeps the worker and watches over them. They reach the database this
            # one found (an embedded server included) through the environment they inherit.
            os.environ["DATABASE_URL"] = container.database_url
        with _public_process(host, public_port):
            if workers == 1:
                app = create_app(container, serving=True)
                uvicorn.run(app, host=host, port=port, log_config=None)
            else:
                typer.echo(f"API processes: {workers}", err=True)
                uvicorn.run(
                    "interfaces.http.app:create_app",
                    factory=True,
                    host=host,
                    port=port,
                    workers=workers,
                    log_config=None,
                )


@cli.command("worker")
def run_worker() -> None:
    """Keep the read tables current and run the deadline clock until SIGINT or SIGTERM.

    One worker per database is active; any other waits as a standby and takes over when the
    active one stops.
    """
    from interfaces.bootstrap import freeze_startup_heap

    with _service(serving=True) as container:
        typer.echo(f"database: {_describe(container)}", err=True)
        freeze_startup_heap()
        handle = container.start_worker()
        # The handler only sets the worker's stop flag; this thread merely waits for it to end.
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: handle.request_stop())
        while not handle.join(timeout=0.5):
            pass


@projections_cli.command("rebuild")
def rebuild_projections() -> None:
    """Replay every event into fresh read tables, then swap them in (the service may run)."""
    from interfaces.bootstrap import RebuildInProgress
    from interfaces.progress import progress_bar

    with _service() as container:
        try:
            with progress_bar("replaying events") as progress:
                report = container.rebuild_projections(progress)
        except RebuildInProgress as error:
            raise _fail(str(error)) from error
    typer.echo(
        f"rebuilt {', '.join(report.projections)} up to position {report.position}: "
        f"{report.notifications} events ({report.events} projected) in {report.seconds:.2f} s, "
        f"{report.notifications_per_second:,.0f} events/s"
    )


@cli.command()
def init() -> None:
    """Create the event store's tables if they are missing (safe to run concurrently)."""
    from interfaces.bootstrap import initialise

    url = initialise()
    typer.echo(f"schema ready at {_redact(url)}")


@directory_cli.command("import")
def import_directory(
    file: Annotated[
        Path | None, typer.Argument(metavar="FILE", help="A directory YAML file.")
    ] = None,
    sample: Annotated[bool, typer.Option("--sample", help="Import the sample directory.")] = False,
) -> None:
    """Record the directory a file describes; importing the same file twice records nothing."""
    if sample == (file is not None):
        raise _fail("give either --sample or a FILE.yaml")
    from interfaces.bootstrap import read_directory_file, sample_directory

    try:
        spec = sample_directory() if sample else read_directory_file(file)  # type: ignore[arg-type]
    except (OSError, ValueError) as error:
        raise _fail(str(error)) from error
    with _service() as container, _refusal_fails():
        result = container.supervision.import_directory(spec, ADMIN)
    handed = (
        f"; {result.handed_over} open cases and orders handed to successors"
        if result.handed_over
        else ""
    )
    typer.echo(
        f"{len(spec.departments)} departments, {len(spec.windows)} windows, "
        f"{len(spec.staff)} staff: {result.changes} changes recorded{handed}"
    )


@token_cli.command("create")
def create_token(
    role: Annotated[TokenRole, typer.Option(help="The role the token acts in.")],
    department: Annotated[
        str | None,
        typer.Option(metavar="DEPARTMENT", help="The department's id (for the department role)."),
    ] = None,
    name: Annotated[
        str, typer.Option(metavar="NAME", help="Who holds the token, for the history.")
    ] = "",
) -> None:
    """Issue a token; it is printed once, alone on the last line, and stored only as a hash."""
    _require_storable(department=department, name=name)
    with _service() as container, _refusal_fails():
        issued = container.supervision.issue_token(
            role=Role(role.value), department=department, name=name, by=ADMIN
        )
    scope = f" for {issued.department}" if issued.department else ""
    typer.echo(
        f"token {issued.id} for {issued.name} ({issued.role.value}{scope}); it is shown only once:"
    )
    typer.echo(issued.token)


@token_cli.command("list")
def list_tokens() -> None:
    """Every token issued, oldest first, under a header row: id, role, department, holder,
    issued, active or revoked (tab-separated)."""
    with _service() as container:
        tokens = container.supervision.list_tokens()
    typer.echo("\t".join(TOKEN_LIST_COLUMNS))
    for token in tokens:
        typer.echo(
            "\t".join(
                [
                    str(token.id),
                    token.role.value,
                    token.department or "-",
                    token.name,
                    token.issued_at.isoformat(timespec="seconds"),
                    "revoked" if token.revoked else "active",
                ]
            )
        )


@token_cli.command("revoke")
def revoke_token(
    token_id: Annotated[
        UUID,
        typer.Argument(metavar="TOKEN_ID", help="The token's id, from `oversight token list`."),
    ],
    reason: Annotated[
        str, typer.Option(metavar="TEXT", help="Why, for the history (lost, left, leaked…).")
    ],
) -> None:
    """Revoke a token: every API process refuses it within a second."""
    _require_storable(reason=reason)
    if not reason.strip():
        raise _fail("give a reason")
    with _service() as container, _refusal_fails():
        revoked = container.supervision.revoke_token(token_id, reason=reason.strip(), by=ADMIN)
    typer.echo(f"revoked token {revoked.id} of {revoked.name} ({revoked.role.value})")


@calendar_cli.command("load")
def load_calendar_year(
    year: Annotated[
        int,
        typer.Argument(metavar="YEAR", help="The year the schedule is for.", min=2000, max=2100),
    ],
    file: Annotated[Path, typer.Argument(metavar="FILE", help="The published schedule, as YAML.")],
) -> None:
    """Record a year's published holiday schedule; open provisional deadlines are recomputed."""
    from interfaces.bootstrap import CalendarFileError, read_calendar_file

    try:
        schedule = read_calendar_file(file, year)
    except CalendarFileError as error:
        raise _fail(str(error)) from error
    with _service() as container, _refusal_fails():
        published = container.supervision.publish_calendar_year(
            year=year,
            holidays=schedule.holidays,
            makeup_workdays=schedule.makeup_workdays,
            source=schedule.source,
            by=ADMIN,
        )
    if not published.recorded:
        typer.echo(f"{year}: this schedule is already on record; nothing recorded")
        return
    typer.echo(
        f"{year}: {len(set(schedule.holidays))} days off and {len(schedule.makeup_workdays)} "
        "make-up working days recorded; the worker recomputes every open provisional deadline"
    )


@cli.command()
def deadline(
    kind: Annotated[
        TaskKind,
        typer.Argument(metavar="KIND", help="The kind of case, or rectification_order."),
    ],
    start: Annotated[
        datetime,
        typer.Option(
            metavar="DATETIME",
            help="When the task is assigned: a day (2026-11-03) or a moment (2026-11-03T09:30, "
            "seconds and an offset such as +08:00 optional); without an offset, Asia/Shanghai.",
            formats=[
                "%Y-%m-%dT%H:%M:%S%z",
                "%Y-%m-%dT%H:%M%z",
                "%Y-%m-%dT%H:%M:%S",
                "%Y-%m-%dT%H:%M",
                "%Y-%m-%d",
            ],
        ),
    ],
    urgent: Annotated[bool, typer.Option(help="An urgent case.")] = False,
) -> None:
    """Print the acknowledge-by and due dates of a task assigned at START, and how: on the
    calendar the service uses (the package's years and those loaded with `calendar load`)."""
    from application.deadlines import preview_deadlines

    with _service() as container, _refusal_fails():
        calendar = container.current_calendar()
        if start.tzinfo is None:
            start = start.replace(tzinfo=calendar.office_hours.tz)
        preview = preview_deadlines(container.policy, calendar, kind.value, start, urgent)
    typer.echo(f"acknowledge by: {preview.acknowledge.due_at.isoformat()}")
    due = preview.handling.due_at.isoformat() if preview.handling else "none"
    typer.echo(f"due:            {due}")
    typer.echo(f"provisional:    {'yes' if preview.provisional else 'no'}")
    typer.echo(preview.acknowledge.explanation)
    if preview.handling is not None:
        typer.echo(preview.handling.explanation)


@privacy_cli.command("erase")
def erase_personal_data(
    case_id: Annotated[
        UUID, typer.Argument(metavar="CASE_ID", help="The case whose complainant is erased.")
    ],
    reason: Annotated[
        str, typer.Option(metavar="TEXT", help="Why, for the record (e.g. the request's number).")
    ],
    by: Annotated[
        str,
        typer.Option(metavar="NAME", help="The inspector who decided it, recorded on the event."),
    ] = "cli-inspector",
) -> None:
    """Erase a complainant's name, phone and address for good: the case's key is destroyed."""
    _require_storable(reason=reason, by=by)
    if not reason.strip():
        raise _fail("give the reason with --reason")
    with _service() as container, _refusal_fails():
        view = container.supervision.erase_personal_data(
            case_id, reason=reason, by=Actor(principal=by, role=Role.INSPECTOR)
        )
    typer.echo(f"case {view.tracking_number}: the complainant's personal data is erased")


@keys_cli.command("rotate")
def rotate_master_key(
    new_key_file: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE",
            help="The new master key: a file holding base64 of 32 bytes, as "
            "OVERSIGHT_MASTER_KEY takes it. Without it, when the key lives in the data "
            "folder, a new one is made there.",
        ),
    ] = None,
) -> None:
    """Re-wrap every complainant's data key under a new master key (the events do not change).

    Stop the service first. Interrupted, it leaves the service refusing to start until it is
    run again with the same keys, which finishes the rotation.
    """
    from interfaces.bootstrap import (
        MasterKeyError,
        MasterKeyMismatch,
        MasterKeyRotationRefused,
        rotate_personal_data_master_key,
    )

    try:
        rotated = rotate_personal_data_master_key(new_key_file=new_key_file)
    except (MasterKeyError, MasterKeyMismatch, MasterKeyRotationRefused, OSError) as error:
        raise _fail(str(error)) from error
    report = rotated.report
    done = (
        f"nothing left to re-wrap: the database's master key is {report.new_key_id} already"
        if report.already_done
        else f"re-wrapped {report.rewrapped} data keys from master key {report.old_key_id} to "
        f"{report.new_key_id}"
    )
    where = (
        f"{rotated.key_file} holds the new key, the old one is gone"
        if rotated.key_file is not None
        else "set OVERSIGHT_MASTER_KEY to the new key in every process, then destroy the old one"
    )
    typer.echo(
        f"{done} ({report.under_new_key} keys under it, {report.erased} erased); "
        f"the old key opens nothing now: {where}"
    )


@rules_cli.command("load")
def load_conduct_rules(
    file: Annotated[
        Path | None, typer.Argument(metavar="FILE", help="A conduct catalogue YAML file.")
    ] = None,
    default: Annotated[
        bool, typer.Option("--default", help="Load the catalogue shipped with Oversight.")
    ] = False,
) -> None:
    """Record the conduct catalogue a file lists; loading the same file twice records nothing."""
    if default == (file is not None):
        raise _fail("give either --default or a FILE.yaml")
    from interfaces.bootstrap import default_conduct_rules, read_conduct_file

    try:
        rules = default_conduct_rules() if file is None else read_conduct_file(file)
    except (OSError, ValueError) as error:
        raise _fail(str(error)) from error
    with _service() as container, _refusal_fails():
        loaded = container.supervision.load_conduct_rules(rules, ADMIN)
    typer.echo(f"{loaded.rules} rules: {loaded.changes} changes recorded")


@report_cli.command("monthly")
def monthly_report(
    month: Annotated[
        str, typer.Option(metavar="YYYY-MM", help="The month (Asia/Shanghai), e.g. 2026-11.")
    ],
    output: Annotated[Path, typer.Option(metavar="FILE", help="The file to write.")],
    report_format: Annotated[
        ReportFormat, typer.Option("--format", help="xlsx, csv (UTF-8 with BOM) or json.")
    ] = ReportFormat.XLSX,
    department: Annotated[
        str | None, typer.Option(metavar="DEPARTMENT", help="One department's id only.")
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            metavar="INSTANT",
            help="The record as it stood at this instant: ISO 8601 with its offset, such as "
            "2026-12-05T10:00:00+08:00, or a date, meaning the end of that day in "
            "Asia/Shanghai. By default now; the report states which.",
        ),
    ] = None,
) -> None:
    """Write a month's scores and deductions per department (the read tables, caught up first)."""
    import asyncio

    from domain.scorecard import require_past_or_current_month
    from interfaces.as_of import instant_asked
    from interfaces.http.schemas.discipline import MonthlyReportPublic
    from interfaces.reports import report_csv, report_xlsx

    with _service() as container, _refusal_fails():
        now = container.supervision.time_source.now()
        instant = instant_asked(as_of, now) if as_of else None
        require_past_or_current_month(month, instant or now)
        directory = container.supervision.directory()
        if department is not None and directory.department(department) is None:
            raise _fail(f"there is no department {department!r}")
        container.catch_up_projections()
        report = asyncio.run(_read_monthly_report(container, month, department, instant, now))
    if report_format is ReportFormat.XLSX:
        content = report_xlsx(report)
    elif report_format is ReportFormat.CSV:
        content = report_csv(report)
    else:
        content = MonthlyReportPublic.of(report).model_dump_json(indent=2).encode()
    try:
        output.write_bytes(content)
    except OSError as error:
        raise _fail(str(error)) from error
    deductions = sum(len(d.deductions) for d in report.departments)
    asked = f" as of {report.stated_as_of.isoformat()}" if report.as_of_asked else ""
    typer.echo(
        f"{output}: {month}{asked}, {len(report.departments)} departments, {deductions} deductions"
    )


@cli.command()
def demo(
    days: Annotated[
        int,
        typer.Option(
            metavar="DAYS", help="Simulated days, the last of them today.", min=1, max=366
        ),
    ] = DEFAULT_DAYS,
    scale: Annotated[
        float,
        typer.Option(
            metavar="FACTOR",
            help="Volume: 1 is about 50 cases and 100 ratings a working day.",
            min=0.01,
            max=20,
        ),
    ] = 1.0,
    seed: Annotated[
        int, typer.Option(metavar="SEED", help="The same seed gives the same campaign.")
    ] = DEFAULT_SEED,
    data_dir: Annotated[
        Path | None,
        typer.Option(
            "--data-dir",
            file_okay=False,
            metavar="FOLDER",
            help="Run on the embedded PostgreSQL kept in this folder (made if new), with its "
            "keys, instead of OVERSIGHT_DATA_DIR; serve it afterwards with "
            "OVERSIGHT_DATA_DIR=<folder> oversight serve.",
        ),
    ] = None,
) -> None:
    """Fill a new database with a simulated campaign on the sample directory, every step
    through the application's own verbs, so boards, scores and lists have data to show."""
    if data_dir is not None:
        _require_plain_path("data-dir", data_dir)
    from interfaces.bootstrap import DemoRefused, demo_campaign
    from interfaces.progress import progress_bar

    try:
        container, campaign = demo_campaign(days=days, scale=scale, seed=seed, data_dir=data_dir)
    except DemoRefused as error:
        raise _fail(str(error)) from error
    except OSError as error:  # the data folder cannot be made or written
        raise _fail(str(error)) from error
    with container:
        typer.echo(f"database: {_describe(container)}", err=True)
        with _refusal_fails():
            with progress_bar("simulating", total=days) as progress:
                report = campaign.run(
                    on_day=lambda day, done, total: progress(done, total, f"simulating {day}")
                )
            container.catch_up_projections()
    # A demo in a folder of its own is served by naming that folder.
    _print_demo_guide(
        report, f"OVERSIGHT_DATA_DIR={shlex.quote(str(data_dir))} " if data_dir else ""
    )


def _print_demo_guide(report: CampaignReport, environment: str) -> None:
    first, last = report.first_day, report.last_day
    month = f"{last:%Y-%m}"
    typer.echo(
        f"{first} to {last}: {report.cases:,} cases ({report.rating_cases:,} opened by bad "
        f"ratings), {report.events:,} events, {report.deductions:,} deductions "
        f"({report.revoked_deductions:,} revoked), {report.orders:,} rectification orders, "
        f"{report.ratings:,} ratings"
    )
    typer.echo(
        f"see it: `{environment}oversight serve`, then with a token "
        f"(`{environment}oversight token create --role inspector`) under "
        "http://127.0.0.1:8000/api/v1:\n"
        "  GET /cases?overdue=true                    open cases past a deadline\n"
        "  GET /departments/taxation/board            a department's board\n"
        f"  GET /metrics/departments?from={first}&to={last}\n"
        f"  GET /scores?month={month}, /blue-list, /reports/monthly?month={month}&format=xlsx\n"
        f"  GET /red-list?month={month}                (public)\n"
        "  GET /items?at_most_one_trip=true           the item catalogue (事项清单, public)\n"
        f"  GET /metrics/items?from={first}&to={last}\n"
        "  GET /visits                                inspection visits and their findings\n"
        f"  GET /metrics/windows?from={first}&to={last}   ratings beside the surveys\n"
        f"  GET /posts/gaps?month={month}                 A/B post cover gaps (AB岗)\n"
        "  GET /assessments/retests-due               staff who owe a retest (千人千题)"
    )
    if report.public_query is not None:
        number, code = report.public_query
        typer.echo(
            f'  POST /public/case-status  {{"tracking_number": "{number}", '
            f'"access_code": "{code}"}}  (public)'
        )


def _require_plain_path(option: str, path: Path) -> None:
    """Refuses a path holding a character no one can type or see (a control character, a
    line break, bytes that are not UTF-8), before anything is made under it."""
    for position, character in enumerate(str(path), start=1):
        if not character.isprintable():
            raise _fail(
                f"--{option}: the character {described(character)} at position {position} "
                "cannot be in a folder's name"
            )


async def _read_monthly_report(
    container: Container, month: str, department: str | None, as_of: datetime | None, now: datetime
) -> MonthlyReport:
    """The month's report as the record stood at `as_of`, or as it stands `now`."""
    from application.queries import Reading
    from application.scores import monthly_report_as_of

    await container.reads.open()
    try:
        past = await container.record_time.past(as_of) if as_of is not None else None
        return await monthly_report_as_of(
            container.scores, month, Reading(now, past), department=department
        )
    finally:
        await container.reads.close()


def _describe(container: Container) -> str:
    if container.settings.database_url:
        return _redact(container.database_url)
    return f"embedded PostgreSQL, data kept in {(container.settings.data_dir / 'pgdata').resolve()}"


def _redact(url: str) -> str:
    head, at, tail = url.rpartition("@")
    if not at:
        return url
    scheme, _, credentials = head.partition("://")
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}@{tail}"


# The item catalogue (事项清单, §16) -----------------------------------------------------

items_cli = typer.Typer(help="The item catalogue and its one-time notices.", no_args_is_help=True)
cli.add_typer(items_cli, name="items")


@items_cli.command("import")
def import_items(
    file: Annotated[
        Path | None, typer.Argument(metavar="FILE", help="An item catalogue, .yaml or .xlsx.")
    ] = None,
    sample: Annotated[
        bool, typer.Option("--sample", help="Import the sample catalogue (示例数据).")
    ] = False,
) -> None:
    """Record the item catalogue a file describes: new items listed, changed ones revised,
    missing ones withdrawn; nothing at all when any row is refused (each named by its line)."""
    if sample == (file is not None):
        raise _fail("give either --sample or a FILE (.yaml or .xlsx)")
    from interfaces.bootstrap import read_item_file, sample_items

    with _service() as container:
        check = container.supervision.check_item_in_directory
        try:
            specs = sample_items(check) if sample else read_item_file(file, check)  # type: ignore[arg-type]
        except (OSError, ValueError) as error:
            raise _fail(str(error)) from error
        with _refusal_fails():
            result = container.supervision.import_items(specs, ADMIN)
    typer.echo(
        f"{len(specs)} items: {result.listed} listed, {result.revised} revised, "
        f"{result.withdrawn} withdrawn"
    )


def main() -> None:
    """Entry point of the `oversight` console script.

    Exit status: 0 done; 2 refused (arguments, input, settings), with one line `error: …`;
    1 failed unexpectedly (say, the database cannot be reached), with one line
    `error: <command> failed: <type>: <message>` and the traceback in the log at DEBUG
    (OVERSIGHT_LOG_LEVEL=DEBUG).
    """
    try:
        cli()
    except Exception as failure:
        # A command failed, so the composition root is loaded already (or nearly so).
        from interfaces.bootstrap import UnsafeConfiguration, error_message

        if isinstance(failure, UnsafeConfiguration):
            typer.echo(f"error: {failure}", err=True)
            raise SystemExit(2) from None
        _log.debug("command_failed", exc_info=failure)
        message = " ".join(error_message(failure).split())
        typer.echo(
            f"error: {_command_named(sys.argv[1:])} failed: {type(failure).__name__}: {message}",
            err=True,
        )
        raise SystemExit(1) from None


def _command_named(args: list[str]) -> str:
    """The (sub)command the arguments name, e.g. `report monthly`."""
    command, names = typer.main.get_command(cli), []
    for word in args:
        found = getattr(command, "commands", {}).get(word)
        if found is None:
            break
        command = found
        names.append(word)
    return " ".join(names) or "oversight"
