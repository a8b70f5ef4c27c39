"""The supervision queue (§13, 督办队列): what awaits an inspector — cases whose
acknowledgement or completion deadline passed (督办 with a note), extension requests to grant
or refuse, and deductions departments proposed with their results, to confirm or dismiss —
each through the API's own verb and request schema. Asked with `as_of` (查看历史时点, §14), the
queue is as it stood then, without its forms."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any
from uuid import UUID

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from application.queries import CaseFilter, CaseSummary
from application.supervision import Supervision
from domain.case import CaseAction
from domain.conduct import ConductRule
from domain.errors import NotFound
from interfaces.http.deps import ContainerDep, SupervisionDep
from interfaces.http.schemas.cases import Reason
from interfaces.web.csrf import CsrfFormDep
from interfaces.web.desk import centre_cases, form_text, problems_back_to, run_from_queue, shown
from interfaces.web.forms import read_form
from interfaces.web.past import MomentDep
from interfaces.web.routers import page_router
from interfaces.web.routers.case_page import COMMANDS, CaseCommand
from interfaces.web.routers.superiors import escalated_to
from interfaces.web.session import InspectorPersonDep, acting
from interfaces.web.templating import render

router = page_router("/console/supervision")

QUEUE = "/console/supervision"
QUEUE_LENGTH = 100


# The queue's forms: the case page's own commands (the note named 督办说明 here), and the
# decisions on a proposed deduction.
ACTIONS: dict[str, CaseCommand] = {
    "supervise": replace(COMMANDS[CaseAction.SUPERVISE], fields={"note": "督办说明"}),
    "grant-extension": COMMANDS[CaseAction.GRANT_EXTENSION],
    "refuse-extension": replace(
        COMMANDS[CaseAction.REFUSE_EXTENSION], fields={"reason": "驳回理由"}
    ),
    "confirm-deduction": CaseCommand(
        {},
        None,
        lambda app, case_id, _, by: app.confirm_proposed_deduction(case_id, by),
        "已确认扣分，已记入计分卡。",
    ),
    "dismiss-deduction": CaseCommand(
        {"reason": "驳回理由"},
        lambda _: Reason,
        lambda app, case_id, body, by: app.dismiss_proposed_deduction(
            case_id, reason=body.reason, by=by
        ),
        "已驳回扣分建议。",
    ),
}


@dataclass(frozen=True)
class ProposedDeduction:
    """A case whose result proposed a deduction, with the rule and the people it names."""

    case: CaseSummary
    rule: ConductRule | None
    points: int | None
    staff: str | None
    window: str | None


@router.get("", response_class=HTMLResponse)
async def supervision_queue(
    request: Request,
    person: InspectorPersonDep,
    app: SupervisionDep,
    container: ContainerDep,
    moment: MomentDep,
) -> HTMLResponse:
    """Overdue cases, extension requests and proposed deductions, each with its forms."""

    async def cases(criteria: CaseFilter) -> list[CaseSummary]:
        queries = moment.of(container.queries)
        page = await centre_cases(
            queries, criteria, person.role, QUEUE_LENGTH, moment.at, after=moment.after()
        )
        return moment.checked(page).items

    overdue = await cases(CaseFilter(overdue=True))
    extensions = await cases(CaseFilter(extension_requested=True))
    proposed = await cases(CaseFilter(proposal="proposed"))
    directory = await run_in_threadpool(app.directory)
    return render(
        request,
        "supervision/queue.html",
        {
            "moment": moment,
            "overdue": overdue,
            "extensions": extensions,
            "proposals": await run_in_threadpool(_proposals, app, proposed),
            "names": {d.id: d.name for d in directory.departments},
            # Work of departments without a superior, escalated to the inspectors (提级督办).
            "escalated": await escalated_to(container, None, person.role, moment),
        },
        person=shown(person),
    )


def _proposals(app: Supervision, cases: list[CaseSummary]) -> list[ProposedDeduction]:
    """Each proposal with its rule from the catalogue and the names of whom it concerns."""
    rules = {rule.code: rule for rule in app.list_conduct_rules()}
    directory = app.directory()
    found = []
    for case in cases:
        proposal = case.proposal
        if proposal is None:
            continue
        rule = rules.get(proposal.rule or "")
        staff = directory.staff_member(proposal.staff) if proposal.staff else None
        window = directory.window(proposal.window) if proposal.window else None
        found.append(
            ProposedDeduction(
                case=case,
                rule=rule,
                points=proposal.points if proposal.points is not None else _points(rule),
                staff=f"{staff.name}（{staff.id}）" if staff else proposal.staff,
                window=f"{window.id} {window.name}" if window else proposal.window,
            )
        )
    return found


def _points(rule: ConductRule | None) -> int | None:
    return rule.points if rule is not None else None


@router.post("/{case_id}/{action}", response_class=RedirectResponse)
async def act_from_queue(
    request: Request,
    case_id: UUID,
    action: str,
    form: CsrfFormDep,
    person: InspectorPersonDep,
    app: SupervisionDep,
) -> RedirectResponse:
    """Supervise (督办), grant or refuse an extension, confirm or dismiss a proposed deduction."""
    command = ACTIONS.get(action)
    if command is None:
        raise NotFound(f"the supervision queue takes no action {action!r}")
    body: Any = None
    if command.schema is not None:
        values = {name: form_text(form, name) for name in command.fields}
        read = read_form(
            command.schema(form),
            {name: value for name, value in values.items() if value is not None},
            command.fields,
        )
        if isinstance(read, list):
            return problems_back_to(request, QUEUE, read)
        body = read
    by = acting(request, person)
    return await run_from_queue(
        request, QUEUE, lambda: command.run(app, case_id, body, by), command.done
    )
