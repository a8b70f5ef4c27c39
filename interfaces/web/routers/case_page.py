"""The case page (§13): the facts, both deadlines with their explanation and time left, the
timeline of who did what, when and why, and one button per action the person may take now.

Which actions are offered is the case's own rule (`Case.actions_open_to`, read through
`Supervision.case_file`); each form posts to the same application verb as the API's route,
read into the API's own request schema, as the person who signed in.

With `as_of` (查看历史时点, §14; `interfaces/web/past.py`) the page shows the case as it stood
then, as the API's `GET /cases/{id}?as_of=` reads it (`Supervision.case_file_as_of`): the
timeline up to then, time left at the instant, under the banner, and nothing to do — no action,
no direction form, no upload, no notifications (the outbox keeps only their state now).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from application.queries import CaseFilter
from application.supervision import Supervision
from application.views import CaseFile, CaseView
from domain.actor import Actor, Role
from domain.answer_templates import category_first
from domain.case import (
    CASE_ACTION_ROLES,
    CaseAction,
    CaseNotFound,
    Outcome,
    Satisfaction,
    kind_may_propose_deduction,
)
from domain.directory import Directory
from domain.labels import LABELS, label
from interfaces.http import commands
from interfaces.http.deps import CaseQueriesDep, ContainerDep, SupervisionDep
from interfaces.http.errors import RoleNotAllowed
from interfaces.http.schemas.cases import (
    CallbackNotReached,
    CallbackReached,
    CaseAssign,
    ExtensionBody,
    Reason,
    ReminderCreate,
    ResultCreate,
    Strict,
    SuperviseBody,
)
from interfaces.web.csrf import CsrfFormDep
from interfaces.web.desk import centre_cases
from interfaces.web.forms import form_number, read_form
from interfaces.web.past import Moment, MomentDep
from interfaces.web.record_actions import FormAgain, act_on_record, render_record
from interfaces.web.routers import page_router
from interfaces.web.session import StaffPersonDep, acting

router = page_router()

CASE_PAGE = "/console/cases/{case_id}"
HOME = "/console/"
# The callback form's choice for a call that did not reach the complainant.
NOT_REACHED = "not_reached"
# What the person is told when the case no longer awaits what the form asked for.
REFUSED_HINT = "请按工单当前状态选择可办理的操作，或刷新页面后重试。"


class MergeByNumber(Strict):
    """The merge form: the tracking number of the first case about the same facts."""

    into: str = Field(min_length=1, max_length=24)


@dataclass(frozen=True)
class CaseCommand:
    """One action's form: its fields (name → accessible name), the API's schema that reads
    them, the application verb it runs, and what the person is told once it is done."""

    fields: Mapping[str, str]
    schema: Callable[[FormData], type[BaseModel]] | None
    run: Callable[[Supervision, UUID, Any, Actor], CaseView]
    done: str


# The result form (办理结果): its fields by accessible name; a proposed deduction (建议扣分)
# rides in fields of its own, read into `ResultCreate.proposed_deduction`.
RESULT_FIELDS = {
    "outcome": "办理结果",
    "actions": "办理措施",
    "answer": "答复内容",
    "proposed_deduction.rule": "扣分事项",
    "proposed_deduction.staff": "工作人员",
    "proposed_deduction.window": "窗口",
}
PROPOSED_FIELDS = {"rule": "proposed_rule", "staff": "proposed_staff", "window": "proposed_window"}
# The result form's button that fills 答复内容 from the chosen template without a script.
USE_TEMPLATE = "use_template"


def _reason(verb: Callable[..., CaseView]) -> Callable[[Supervision, UUID, Any, Actor], CaseView]:
    return lambda app, case_id, body, by: verb(app, case_id, reason=body.reason, by=by)


def _callback_schema(form: FormData) -> type[BaseModel]:
    return CallbackNotReached if form.get("outcome") == NOT_REACHED else CallbackReached


COMMANDS: dict[CaseAction, CaseCommand] = {
    CaseAction.ASSIGN: CaseCommand(
        {"department": "承办部门", "urgent": "紧急", "final": "审定", "note": "派单说明"},
        lambda _: CaseAssign,
        commands.assign_case,
        "已派单。",
    ),
    CaseAction.ACKNOWLEDGE: CaseCommand(
        {}, None, lambda app, case_id, _, by: app.acknowledge_case(case_id, by), "已签收。"
    ),
    CaseAction.RETURN: CaseCommand(
        {"reason": "退单理由"}, lambda _: Reason, _reason(Supervision.return_case), "已退单。"
    ),
    CaseAction.STOP_CLOCK: CaseCommand(
        {"reason": "挂起理由"},
        lambda _: Reason,
        _reason(Supervision.stop_case_clock),
        "已挂起计时。",
    ),
    CaseAction.RESUME_CLOCK: CaseCommand(
        {}, None, lambda app, case_id, _, by: app.resume_case_clock(case_id, by), "已恢复计时。"
    ),
    CaseAction.REQUEST_EXTENSION: CaseCommand(
        {"working_days": "延期工作日数", "reason": "延期理由"},
        lambda _: ExtensionBody,
        lambda app, case_id, body, by: app.request_extension(
            case_id, working_days=body.working_days, reason=body.reason, by=by
        ),
        "已申请延期，等待纪检督查审批。",
    ),
    CaseAction.GRANT_EXTENSION: CaseCommand(
        {}, None, lambda app, case_id, _, by: app.grant_extension(case_id, by), "已批准延期。"
    ),
    CaseAction.REFUSE_EXTENSION: CaseCommand(
        {"reason": "驳回理由"},
        lambda _: Reason,
        _reason(Supervision.refuse_extension),
        "已驳回延期申请。",
    ),
    CaseAction.POST_RESULT: CaseCommand(
        RESULT_FIELDS,
        lambda _: ResultCreate,
        lambda app, case_id, body, by: app.post_result(
            case_id,
            outcome=body.outcome,
            actions=body.actions,
            answer=body.answer,
            by=by,
            proposed_deduction=(
                body.proposed_deduction.model_dump() if body.proposed_deduction else None
            ),
        ),
        "已提交办理结果。",
    ),
    CaseAction.SUPERVISE: CaseCommand(
        {"note": "督办意见"},
        lambda _: SuperviseBody,
        lambda app, case_id, body, by: app.supervise_case(case_id, note=body.note, by=by),
        "已督办。",
    ),
    CaseAction.CALLBACK: CaseCommand(
        {"outcome": "回访结果", "satisfaction": "回访结果", "comment": "回访记录"},
        _callback_schema,
        commands.record_callback,
        "已记录回访。",
    ),
    CaseAction.CLOSE: CaseCommand(
        {}, None, lambda app, case_id, _, by: app.close_case(case_id, by), "已办结。"
    ),
    CaseAction.REOPEN: CaseCommand(
        {"reason": "重办理由"},
        lambda _: Reason,
        _reason(Supervision.reopen_case),
        "已重办，工单已退回承办部门。",
    ),
    CaseAction.MERGE: CaseCommand(
        {"into": "合并到工单（流水号）"},
        lambda _: MergeByNumber,
        lambda app, case_id, body, by: app.merge_case(case_id, into=body.into, by=by),
        "已合并为重复件。",
    ),
    # Reminders by hand (人工催办)
    CaseAction.REMIND: CaseCommand(
        {"message": "催办内容"},
        lambda _: ReminderCreate,
        lambda app, case_id, body, by: app.remind_case(case_id, message=body.message, by=by),
        "已催办，承办部门将在待办工单中看到。",
    ),
}


def _form_values(action: CaseAction, form: FormData) -> dict[str, object]:
    """The form's values as the API's schema takes them: checkboxes as flags, a number of
    days as a number, a callback's choice as `reached` and `satisfaction`."""
    values: dict[str, object] = {
        name: form.get(name) for name in COMMANDS[action].fields if form.get(name)
    }
    if action is CaseAction.ASSIGN:
        values["urgent"] = True if form.get("urgent") else None
        values["final"] = bool(form.get("final"))
    if action is CaseAction.REQUEST_EXTENSION:
        days = values.get("working_days")
        if isinstance(days, str):
            values["working_days"] = form_number(days)
    if action is CaseAction.POST_RESULT:
        proposed = {
            field: form.get(name) for field, name in PROPOSED_FIELDS.items() if form.get(name)
        }
        if proposed:
            values["proposed_deduction"] = proposed
    if action is CaseAction.CALLBACK:
        choice = values.pop("outcome", None)
        values["reached"] = choice != NOT_REACHED
        if choice not in (None, NOT_REACHED):
            values["satisfaction"] = choice
    return {name: value for name, value in values.items() if value is not None}


async def _render(
    request: Request,
    session: Any,
    app: Supervision,
    case_file: CaseFile,
    again: FormAgain | None = None,
    moment: Moment | None = None,
) -> HTMLResponse:
    directory = await run_in_threadpool(app.directory)
    case = case_file.case
    live = moment is None or moment.past is None
    return await render_record(
        request,
        session,
        "case/page.html",
        case_file,
        case,
        directory,
        LABELS["case_action"],
        again,
        {
            "case": case,
            "departments": directory.departments,
            "outcomes": [(o.value, label("outcome", o)) for o in Outcome],
            "satisfactions": [(s.value, label("satisfaction", s)) for s in Satisfaction],
            "not_reached": NOT_REACHED,
            **await _result_form(request, session, app, case_file, directory),
            # Superiors and escalation (提级督办): the superior's direction form.
            "may_direct": live
            and await run_in_threadpool(app.may_direct, case.id, acting(request, session)),
            # Notifications (外发消息, §17): what was sent about the case, for the centre.
            "notifications": await notifications_of(request, session, case.id) if live else None,
            "moment": moment,
        },
    )


async def notifications_of(request: Request, session: Any, case_id: UUID) -> list[Any] | None:
    """The messages sent (or to be sent) about the case, oldest first, for operators and
    inspectors; None for a department (a citizen's phone, even masked, is not for it)."""
    if session.role not in (Role.OPERATOR, Role.INSPECTOR):
        return None
    messages: list[Any] = await request.app.state.container.outbox.messages_of_case(case_id)
    return messages


@router.get("/console/cases/{case_id:uuid}", response_class=HTMLResponse)
async def case_page(
    request: Request,
    case_id: UUID,
    app: SupervisionDep,
    person: StaffPersonDep,
    container: ContainerDep,
    moment: MomentDep,
) -> HTMLResponse:
    """One case as this person may see it, with the actions open to them now; as of an
    instant, as it then stood (not found before it was registered), with nothing to do."""
    viewer = acting(request, person)
    if moment.past is None:
        case_file = await run_in_threadpool(app.case_file, case_id, viewer)
        return await _render(request, person, app, case_file)
    version = await container.read_side_history.version_at(case_id, moment.past.position)
    case_file = await run_in_threadpool(app.case_file_as_of, case_id, viewer, version, moment.at)
    return await _render(request, person, app, case_file, moment=moment)


@router.post(
    "/console/cases/{case_id:uuid}/{action}", response_class=HTMLResponse, response_model=None
)
async def act_on_case(
    request: Request,
    case_id: UUID,
    action: CaseAction,
    person: StaffPersonDep,
    form: CsrfFormDep,
    app: SupervisionDep,
    queries: CaseQueriesDep,
) -> HTMLResponse | RedirectResponse:
    """Take one action on the case (its button on the case page), as the signed-in person."""
    if person.role not in CASE_ACTION_ROLES[action]:
        raise RoleNotAllowed(f"{action.value} is not for {person.role.value}")
    actor = acting(request, person)
    if action is CaseAction.POST_RESULT and form.get(USE_TEMPLATE):
        return await _with_template(request, person, app, case_id, actor, form)
    command = COMMANDS[action]

    async def read() -> Any:
        if command.schema is None:
            return None
        body = read_form(command.schema(form), _form_values(action, form), command.fields)
        if isinstance(body, MergeByNumber):
            return _MergeInto(await _case_numbered(app, queries, body.into, actor))
        return body

    async def page_again(again: FormAgain) -> HTMLResponse:
        case_file = await run_in_threadpool(app.case_file, case_id, actor)
        return await _render(request, person, app, case_file, again)

    return await act_on_record(
        request,
        action,
        form,
        read=read,
        run=lambda body: command.run(app, case_id, body, actor),
        page_again=page_again,
        refused_hint=REFUSED_HINT,
        # A returned case is no longer the department's to read: back to its inbox.
        after=HOME if action is CaseAction.RETURN else CASE_PAGE.format(case_id=case_id),
        done=command.done,
    )


@dataclass(frozen=True)
class _MergeInto:
    into: UUID


async def _case_numbered(
    app: Supervision, queries: CaseQueriesDep, tracking_number: str, actor: Actor
) -> UUID:
    """The id of the case with this tracking number, as the case list finds it."""
    wanted = tracking_number.strip().upper()
    now = app.time_source.now()
    page = await centre_cases(queries, CaseFilter(text=wanted), actor.role, 10, now)
    for item in page.items:
        if item.tracking_number.upper() == wanted:
            return item.id
    raise CaseNotFound(f"there is no case {tracking_number}")


# The result form -----------------------------------------------------------------------------


async def _result_form(
    request: Request, session: Any, app: Supervision, case_file: CaseFile, directory: Directory
) -> dict[str, object]:
    """What the department's result form offers: its live answer templates, the case's
    category first, and, where the case's kind allows one, a proposed deduction's rules,
    staff and windows."""
    case = case_file.case
    if CaseAction.POST_RESULT not in case_file.actions or case.department is None:
        return {"answer_templates": [], "proposable": False}
    viewer = acting(request, session)
    templates = await run_in_threadpool(app.answer_templates, case.department, viewer)
    offered = category_first(templates, case.category or "")
    if not kind_may_propose_deduction(case.kind):
        return {"answer_templates": offered, "proposable": False}
    rules = await run_in_threadpool(app.list_conduct_rules)
    return {
        "answer_templates": offered,
        "proposable": True,
        "conduct_rules": [rule for rule in rules if rule.active],
        "department_staff": [s for s in directory.staff if s.department == case.department],
        "department_windows": [w for w in directory.windows if w.department == case.department],
    }


async def _with_template(
    request: Request, person: Any, app: Supervision, case_id: UUID, actor: Actor, form: FormData
) -> HTMLResponse:
    """The result form again, its 答复内容 filled from the chosen template (使用模板): how the
    form works without a script. Nothing is recorded."""
    case_file = await run_in_threadpool(app.case_file, case_id, actor)
    values: dict[str, object] = dict(form)
    chosen = str(form.get("template") or "")
    department = case_file.case.department
    templates = (
        await run_in_threadpool(app.answer_templates, department, actor) if department else []
    )
    found = next((t for t in templates if str(t.id) == chosen), None)
    problems = None
    if found is None:
        problems = ["答复模板：请选择一个模板。"]
    else:
        values["answer"] = found.text
    again = FormAgain(CaseAction.POST_RESULT, values, problems)
    return await _render(request, person, app, case_file, again)
