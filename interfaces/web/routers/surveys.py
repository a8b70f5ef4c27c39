"""Satisfaction surveys (满意度调查, §16) as pages: the inspector's list of batches, the form
that records a batch of paper forms (or a third party's results for one window), and the
upload of a third party's sheet (XLSX), which imports every row or, naming each bad row,
none.

The form is read into the API's own request schema and runs the same application verb as
`POST /surveys`, off the event loop, as the person who signed in.
"""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any

from fastapi import Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from application.ports import ConsoleSession
from application.supervision import Supervision
from application.surveys import RowProblem, SurveyImportRefused
from domain.errors import DomainError
from domain.labels import LABELS, error_message
from domain.survey import RATING_LEVELS
from interfaces.bootstrap import SurveyFileError, parse_survey_file
from interfaces.http import commands
from interfaces.http.deps import ContainerDep, SupervisionDep
from interfaces.http.errors import error_response
from interfaces.http.schemas.surveys import SurveyBatchCreate, SurveyListQuery
from interfaces.web.csrf import CsrfFormDep
from interfaces.web.desk import back_to, form_text
from interfaces.web.forms import as_typed, form_number, read_form
from interfaces.web.new_records import NewRecordForm
from interfaces.web.routers import page_router
from interfaces.web.session import InspectorPersonDep, acting

router = page_router()

CONSOLE_LIST = "/console/surveys"
PAGE_SIZE = 20
# The form's fields: the API's field → the form's accessible name.
NAMES = {
    "source": "来源",
    "provider": "测评机构",
    "window": "窗口",
    "from": "开始日期",
    "to": "结束日期",
    **{f"counts.{level}": LABELS["rating"][level] for level in RATING_LEVELS},
    "counts": "份数",
    "": "调查结果",
}
FIELDS = ("source", "provider", "window", "from", "to")
# The batch form as the list first shows it.
BLANK = {"source": "paper"}
# An uploaded sheet is read up to this many bytes; the reader refuses a larger one.
MAX_SHEET_BYTES = 2_000_000


async def _list_context(
    app: Supervision,
    container: Any,
    cursor: str | None = None,
    import_problems: list[str] | None = None,
) -> dict[str, Any]:
    """What the list shows besides the batch form: a page of batches, what was wrong with an
    uploaded sheet, and the form's choices."""
    directory = await run_in_threadpool(app.directory)
    page = await container.surveys.list_batches(
        window=None, limit=PAGE_SIZE, cursor=cursor, after=None
    )
    return {
        "batches": page.items,
        "next": page.next,
        "import_problems": import_problems or [],
        "sources": LABELS["survey_source"],
        "levels": [(level, LABELS["rating"][level]) for level in RATING_LEVELS],
        "windows": directory.windows,
        "names": {d.id: d.name for d in directory.departments},
    }


def _list_page(
    request: Request,
    person: ConsoleSession,
    app: Supervision,
    container: Any,
    *,
    cursor: str | None = None,
    import_problems: list[str] | None = None,
) -> NewRecordForm:
    """The list with the form that records a batch (a page of batches from `cursor`)."""
    context = partial(_list_context, app, container, cursor, import_problems)
    return NewRecordForm(request, person, "surveys/list.html", context)


@router.get(CONSOLE_LIST, response_class=HTMLResponse)
async def survey_list(
    request: Request,
    person: InspectorPersonDep,
    app: SupervisionDep,
    container: ContainerDep,
    query: Annotated[SurveyListQuery, Query()],
) -> HTMLResponse:
    """The batches recorded, the last first, with the form of a batch and the sheet upload."""
    return await _list_page(request, person, app, container, cursor=query.cursor).page(BLANK)


@router.post(CONSOLE_LIST, response_class=HTMLResponse, response_model=None)
async def record_survey_batch(
    request: Request,
    form: CsrfFormDep,
    person: InspectorPersonDep,
    app: SupervisionDep,
    container: ContainerDep,
) -> HTMLResponse | RedirectResponse:
    """Record the batch as the signed-in inspector (录入调查结果), then back to the list."""
    typed = as_typed(form)
    fields = {name: text for name in FIELDS if (text := form_text(form, name)) is not None}
    counts = {
        level: form_number(text) if isinstance(text, str) else text
        for level in RATING_LEVELS
        if (text := form_text(form, f"count_{level}")) is not None
    }
    actor = acting(request, person)
    return await _list_page(request, person, app, container).submit(
        typed,
        read_form(SurveyBatchCreate, {**fields, "counts": counts}, NAMES),
        lambda body: commands.record_survey_batch(app, body, actor),
        lambda batch: (CONSOLE_LIST, f"已录入窗口 {batch.window} 的调查结果：{batch.forms} 份。"),
    )


@router.post(f"{CONSOLE_LIST}/import", response_class=HTMLResponse, response_model=None)
async def import_survey_sheet(
    request: Request,
    form: CsrfFormDep,
    person: InspectorPersonDep,
    app: SupervisionDep,
    container: ContainerDep,
) -> HTMLResponse | RedirectResponse:
    """Import a third party's sheet (导入第三方测评结果): every row, or none, each bad row named
    with its row number and why."""
    posted = form.get("file")

    async def refused(problems: list[str], status_code: int = 422) -> HTMLResponse:
        page = _list_page(request, person, app, container, import_problems=problems)
        return await page.page(BLANK, status_code=status_code)

    if not isinstance(posted, UploadFile) or not posted.filename:
        return await refused(["请选择要导入的调查结果文件（.xlsx）。"])
    if not posted.filename.lower().endswith(".xlsx"):
        return await refused(["只能导入 Excel 文件（扩展名为 .xlsx）。"])
    content = await posted.read(MAX_SHEET_BYTES + 1)
    try:
        sheet = await run_in_threadpool(parse_survey_file, content, posted.filename)
    except SurveyFileError as error:
        return await refused([f"文件无法读取：{error}"])
    actor = acting(request, person)
    try:
        imported = await run_in_threadpool(app.import_survey_sheet, sheet, actor)
    except SurveyImportRefused as bad:
        lines = [_problem_line(problem) for problem in bad.problems]
        return await refused([error_message(bad.code), *lines])
    except DomainError as other:
        return await refused([error_message(other.code)], error_response(other).status_code)
    done = f"已导入 {len(imported.batches)} 批调查结果，共 {imported.forms} 份。"
    return back_to(request, CONSOLE_LIST, done, refused=False)


def _problem_line(problem: RowProblem) -> str:
    """A bad row of a sheet in Chinese: its number and why; what could not be read is quoted
    as the reader named it (a column, a level)."""
    where = f"第 {problem.row} 行：" if problem.row else ""
    said = error_message(problem.code)
    return f"{where}{said}（{problem.reason}）" if problem.code in _DETAILED else f"{where}{said}"


# Refusals whose Chinese message does not say which cell: the reader's words are added.
_DETAILED = frozenset({"survey_row_unreadable", "survey_file_invalid"})
