"""What the administrator's pages share (§12, §13): their router, the choices their forms
offer, the page of accounts or tokens under its form, a confirmation box for verbs that cannot
be undone, and files uploaded to import.

Separation of duties: these pages manage accounts, the directory, the conduct catalogue, the
calendar and tokens, and read no case, score or history.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.responses import HTMLResponse, Response

from application.ports import ConsoleSession
from application.supervision import Supervision
from domain.actor import Role
from domain.labels import LABELS, label
from interfaces.bootstrap import FileProblem, ImportFileError
from interfaces.web.desk import back_to, refused_or_done, shown
from interfaces.web.routers import page_router
from interfaces.web.templating import render

Answer = TypeVar("Answer")
Parsed = TypeVar("Parsed")
Recorded = TypeVar("Recorded")

ADMIN_PAGES = "/console/admin"
# The roles a person's account or a token can be given (the records refuse the others).
PEOPLES_ROLES = (Role.OPERATOR, Role.DEPARTMENT, Role.INSPECTOR, Role.ADMIN)
# An import file is a few hundred lines of YAML: anything larger is not one.
MAX_UPLOAD_BYTES = 200_000
# The box ticked to confirm a verb that cannot be undone (disable, reset, revoke).
CONFIRMED = "confirmed"
NOT_CONFIRMED = "请先勾选确认框，再执行此操作。"


def admin_router(path: str = "") -> APIRouter:
    """A router for one area of the administrator's pages, under /console/admin/."""
    return page_router(f"{ADMIN_PAGES}/{path}" if path else ADMIN_PAGES)


def role_choices() -> dict[str, str]:
    """The roles a form offers, value → Chinese label."""
    return {role.value: LABELS["role"][role.value] for role in PEOPLES_ROLES}


async def role_form_page(
    request: Request,
    person: ConsoleSession,
    app: Supervision,
    template: str,
    listed: dict[str, object],
    values: dict[str, str | None],
    problems: list[str],
    status_code: int,
    roles: dict[str, str] | None = None,
) -> HTMLResponse:
    """A page of what was given out (accounts, tokens), `listed`, under its form to give one
    to a role (角色, 所属部门; `roles`, else people's roles), the form as typed and what was
    wrong with it."""
    directory = await run_in_threadpool(app.directory)
    return render(
        request,
        template,
        {
            **listed,
            "values": values,
            "problems": problems,
            "roles": roles or role_choices(),
            "departments": {d.id: d.name for d in directory.departments},
        },
        person=shown(person),
        status_code=status_code,
    )


def confirmed(form: FormData) -> bool:
    """Whether the person ticked the form's confirmation box."""
    return form.get(CONFIRMED) == "yes"


async def run_confirmed(
    request: Request,
    form: FormData,
    page: str,
    command: Callable[[], Answer],
    answer: Callable[[Answer], Response],
) -> Response:
    """Run a verb that cannot be undone once its box is ticked, and `answer` what it did;
    unconfirmed or refused, back to `page` saying why."""
    if not confirmed(form):
        return back_to(request, page, NOT_CONFIRMED, refused=True)
    done = await refused_or_done(command)
    if isinstance(done, str):
        return back_to(request, page, done, refused=True)
    return answer(done)


@dataclass(frozen=True)
class Upload:
    """A file posted to import: its text, or why it cannot be read (in Chinese)."""

    text: str
    name: str = ""
    problem: str | None = None


async def read_upload(form: FormData, field: str) -> Upload:
    """The UTF-8 text of the file posted as `field`, refused when it is missing, empty, too
    large, not a YAML file or not UTF-8 text."""
    posted = form.get(field)
    if not isinstance(posted, UploadFile) or not posted.filename:
        return Upload("", problem="请选择要导入的文件。")
    if not posted.filename.lower().endswith((".yaml", ".yml")):
        return Upload("", problem="只能导入 YAML 文件（扩展名为 .yaml 或 .yml）。")
    content = await posted.read(MAX_UPLOAD_BYTES + 1)
    if not content:
        return Upload("", problem="文件是空的。")
    if len(content) > MAX_UPLOAD_BYTES:
        return Upload("", problem=f"文件过大：不能超过 {MAX_UPLOAD_BYTES // 1000} KB。")
    try:
        return Upload(content.decode("utf-8"), posted.filename)
    except UnicodeDecodeError as error:
        problem = f"文件不是 UTF-8 编码的文本（第 {error.start + 1} 个字节无法识别）。"
        return Upload("", problem=problem)


async def imported(
    form: FormData,
    parse: Callable[[str, str], Parsed],
    record: Callable[[Parsed], Recorded],
) -> tuple[Parsed, Recorded] | list[str]:
    """Read the uploaded file with the CLI's own reader (`parse`: text, file name) and record
    what it holds; or every problem, line by line in Chinese. A file with any problem is
    refused whole: nothing of it is recorded."""
    upload = await read_upload(form, "file")
    if upload.problem is not None:
        return [upload.problem]
    try:
        parsed = await run_in_threadpool(parse, upload.text, upload.name)
    except ImportFileError as refused:
        return [problem_line(problem) for problem in refused.problems]
    outcome = await refused_or_done(lambda: record(parsed))
    if isinstance(outcome, str):
        return [outcome]
    return parsed, outcome


def problem_line(problem: FileProblem) -> str:
    """`第 12 行：缺少字段“name”。`: a file's problem as a person reads it."""
    text = label("file_problem", problem.code).format(field=problem.field or "")
    return f"第 {problem.line} 行：{text}" if problem.line is not None else text


async def answer_import(
    request: Request,
    outcome: tuple[Parsed, Recorded] | list[str],
    page_with: Callable[[list[str]], Awaitable[Response]],
    page: str,
    said: Callable[[Parsed, Recorded], str],
) -> Response:
    """An import's answer: the page again with the file's problems, or back to `page` saying
    what was recorded."""
    if isinstance(outcome, list):
        return await page_with(outcome)
    return back_to(request, page, said(*outcome), refused=False)
