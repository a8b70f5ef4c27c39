"""`oversight surveys …`: import a third party's satisfaction survey results (满意度调查, §16).

The composition root is imported by each command, not here: help needs none of the service
(interfaces/cli.py says why).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from domain.actor import Actor, Role

survey_cli = typer.Typer(
    help="Satisfaction surveys (满意度调查): paper forms and third parties' results.",
    no_args_is_help=True,
)
# Who an import from the command line is recorded as: the centre's administration, as for
# `oversight directory import`.
CLI_ADMIN = Actor(principal="cli-admin", role=Role.ADMIN)


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code=2)


@survey_cli.command("import")
def import_surveys(
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FILE.xlsx",
            help="A workbook of results, one batch a row (docs/operations.md gives the columns); "
            "with --template, the file to write the template to.",
        ),
    ],
    template: Annotated[
        bool,
        typer.Option("--template", help="Write a template workbook to FILE.xlsx instead."),
    ] = False,
) -> None:
    """Record every row of a workbook as a survey batch, in one save; if any row is bad,
    nothing is recorded and each bad row is named with its number and why."""
    from interfaces.bootstrap import SurveyFileError, read_survey_file, survey_template

    if template:
        if file.exists():
            raise _fail(f"{file} exists already: give a new file name")
        try:
            file.write_bytes(survey_template())
        except OSError as error:
            raise _fail(f"{file}: {error.strerror or error}") from error
        typer.echo(f"{file}: the template, with two example rows to replace")
        return
    try:
        sheet = read_survey_file(file)
    except SurveyFileError as error:
        raise _fail(str(error)) from error
    from application.surveys import SurveyImportRefused
    from interfaces.bootstrap import bootstrap

    with bootstrap() as container:
        try:
            imported = container.supervision.import_survey_sheet(sheet, CLI_ADMIN)
        except SurveyImportRefused as refused:
            typer.echo(f"error: {file}: nothing imported", err=True)
            for problem in refused.problems:
                where = f"row {problem.row}" if problem.row else "sheet"
                typer.echo(f"  {where}: {problem.reason}", err=True)
            raise typer.Exit(code=2) from refused
    typer.echo(f"{file}: {len(imported.batches)} batches, {imported.forms} forms recorded")
