"""Staff assessments (千人千题, §16) as pages: the sessions, the form an inspector records a
marked session with, a session's results and the staff who owe a retest (补考).

Inspectors see every session and record them; a department sees the sessions its staff sat,
with its own staff's results, and which of its staff owe a retest. The results are typed (or
pasted from a spreadsheet) as lines of "工号 分数", one staff member a line: no script needed.
The form is read into the API's own request schema and runs the same application verb as
the API's route, off the event loop, as the person who signed in.
"""

from __future__ import annotations

import re
from typing import Annotated, Any
from uuid import UUID

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from application.assessments import reader_department
from application.supervision import Supervision
from domain.actor import Role
from domain.assessment import AssessedStaffUnknown, AssessedTwice
from domain.errors import DomainError
from domain.labels import error_message
from interfaces.http import commands
from interfaces.http.deps import ContainerDep, SupervisionDep
from interfaces.http.schemas.assessments import AssessmentCreate
from interfaces.web.csrf import CsrfFormDep
from interfaces.web.desk import form_text
from interfaces.web.forms import as_typed, form_number, read_form
from interfaces.web.new_records import NewRecordForm
from interfaces.web.people import shown_person
from interfaces.web.routers import page_router
from interfaces.web.session import ConsoleSession, InspectorPersonDep, acting, people
from interfaces.web.templating import render

router = page_router()

CONSOLE_LIST = "/console/assessments"
SESSION_PAGE = "/console/assessments/{assessment_id}"
PAGE_SIZE = 50
# The form's fields: the API's field → the form's accessible name.
NAMES = {"title": "考试名称", "date": "考试日期", "pass_mark": "合格分", "results": "成绩"}
# A line of the results: the staff id first, the score last; what lies between (a name
# copied from a spreadsheet) is left aside. Spaces, tabs, commas or colons separate them.
SEPARATORS = re.compile(r"[\s,，:：;；]+")

ReaderPersonDep = Annotated[ConsoleSession, Depends(people(Role.DEPARTMENT, Role.INSPECTOR))]


def results_of(text: str) -> tuple[list[dict[str, Any]], list[str]]:
    """The results typed as lines of "工号 分数" (a name may stand between), and a Chinese
    line for each line that is not one."""
    results, problems = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        words = [word for word in SEPARATORS.split(line.strip()) if word]
        if not words:
            continue
        if len(words) < 2:
            problems.append(f"成绩第 {number} 行：请写成“工号 分数”，如 S0001 85。")
            continue
        results.append({"staff": words[0], "score": form_number(words[-1])})
    return results, problems


def _refusal(refused: DomainError) -> str:
    """A refusal in Chinese; one about staff names them."""
    message = error_message(refused.code)
    if isinstance(refused, AssessedStaffUnknown | AssessedTwice):
        return f"{message}（{'、'.join(refused.staff)}）"
    return message


async def _department_names(app: Supervision) -> dict[str, str]:
    directory = await run_in_threadpool(app.directory)
    return {department.id: department.name for department in directory.departments}


@router.get(CONSOLE_LIST, response_class=HTMLResponse)
async def assessment_list(
    request: Request, person: ReaderPersonDep, container: ContainerDep
) -> HTMLResponse:
    """The sessions, the most recently recorded first, and how many staff owe a retest."""
    department = reader_department(person.actor(None))
    page = await container.assessments.list_assessments(
        department=department, limit=PAGE_SIZE, cursor=None, after=None
    )
    standings, _, _ = await container.assessments.standings(
        department=department, as_of=None, after=None
    )
    return render(
        request,
        "assessments/list.html",
        {
            "sessions": page.items,
            "more": page.next is not None,
            "due": sum(1 for standing in standings if standing.retest_due),
            "recording": person.role is Role.INSPECTOR,
        },
        person=await shown_person(request, person),
    )


@router.get(f"{CONSOLE_LIST}/retests", response_class=HTMLResponse)
async def retests_due(
    request: Request, person: ReaderPersonDep, container: ContainerDep
) -> HTMLResponse:
    """The staff who owe a retest (补考): their latest result is below its pass mark (a
    department: its own staff)."""
    standings, _, _ = await container.assessments.standings(
        department=reader_department(person.actor(None)), as_of=None, after=None
    )
    return render(
        request,
        "assessments/retests.html",
        {
            "standings": [standing for standing in standings if standing.retest_due],
            "names": await _department_names(container.supervision),
        },
        person=await shown_person(request, person),
    )


def _new_form(request: Request, person: ConsoleSession) -> NewRecordForm:
    return NewRecordForm(request, person, "assessments/new.html")


@router.get(f"{CONSOLE_LIST}/new", response_class=HTMLResponse)
async def new_assessment(request: Request, person: InspectorPersonDep) -> HTMLResponse:
    """The form that records a marked session (录入成绩)."""
    return await _new_form(request, person).page({"pass_mark": "60"})


@router.post(f"{CONSOLE_LIST}/new", response_class=HTMLResponse, response_model=None)
async def record_assessment(
    request: Request, form: CsrfFormDep, person: InspectorPersonDep, app: SupervisionDep
) -> HTMLResponse | RedirectResponse:
    """Record the session as the signed-in inspector, then show it."""
    typed = as_typed(form)
    results, problems = results_of(form_text(form, "results") or "")
    fields = {
        "title": form_text(form, "title") or "",
        "date": form_text(form, "date") or "",
        "pass_mark": form_number(form_text(form, "pass_mark") or ""),
        "results": results,
    }
    body = read_form(AssessmentCreate, fields, NAMES)
    if isinstance(body, list):
        problems.extend(body)
    actor = acting(request, person)
    return await _new_form(request, person).submit(
        typed,
        problems or body,
        lambda body: commands.record_assessment(app, body, actor),
        lambda recorded: (
            SESSION_PAGE.format(assessment_id=recorded.id),
            f"已录入成绩：{recorded.sat} 人参考，{recorded.failed} 人不合格。",
        ),
        _refusal,
    )


@router.get(f"{CONSOLE_LIST}/{{assessment_id:uuid}}", response_class=HTMLResponse)
async def assessment_page(
    request: Request, assessment_id: UUID, person: ReaderPersonDep, app: SupervisionDep
) -> HTMLResponse:
    """One session's results, failures marked (a department: its own staff's)."""
    session = await run_in_threadpool(app.get_assessment, assessment_id, acting(request, person))
    return render(
        request,
        "assessments/page.html",
        {"session": session, "names": await _department_names(app)},
        person=await shown_person(request, person),
    )
