"""The pages people use (§13): the public pages and, under /console/, the staff's desks.

`mount_console(app)` adds them to the API's app, after its own routes, middleware and error
handlers: the JSON API's routes and errors stay exactly as they are.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.staticfiles import StaticFiles

from interfaces.web.errors import install_page_errors
from interfaces.web.headers import PageSecurityHeaders
from interfaces.web.routers import (
    admin_accounts,
    admin_calendar,
    admin_directory,
    admin_outbox,
    admin_qr,
    admin_tokens,
    answer_templates,
    appeals,
    audit,
    callbacks,
    case_list,
    case_page,
    dashboard,
    deductions,
    home,
    intake,
    orders,
    public,
    routing,
    scores,
    sign_in,
    superiors,
    supervision,
)
from interfaces.web.routers import assessments as assessment_pages
from interfaces.web.routers import attachments as attachment_pages
from interfaces.web.routers import items as item_pages
from interfaces.web.routers import notices as notice_pages
from interfaces.web.routers import post_cover as post_cover_pages
from interfaces.web.routers import surveys as survey_pages
from interfaces.web.routers import visits as visit_pages
from interfaces.web.session import install_sign_in_redirects

STATIC_DIR = Path(__file__).parent / "static"


def mount_console(app: FastAPI) -> None:
    """Serve the pages and their static files beside the API, with Chinese error pages and
    the pages' security headers."""
    is_page = _outside_the_api(app)
    install_page_errors(app, is_page)
    install_sign_in_redirects(app)
    app.include_router(public.router)
    app.include_router(sign_in.router)
    app.include_router(home.router)
    # The desk's fixed paths (/console/cases/new …) before any /console/cases/{id}.
    for desk in (intake, routing, case_list, callbacks):
        app.include_router(desk.router)
    app.include_router(answer_templates.router)  # the department's desk
    # Evidence files (附件, §17): before /console/cases/{id}/{action} and its likes.
    app.include_router(attachment_pages.router)
    app.include_router(case_page.router)
    # Scores, lists and the monthly report (§6).
    app.include_router(scores.router)
    # The inspector's desk: the supervision queue and deductions.
    app.include_router(supervision.router)
    app.include_router(deductions.router)
    # The administrator's pages (/console/admin/…).
    for admin_area in (
        admin_accounts,
        admin_directory,
        admin_calendar,
        admin_tokens,
        admin_qr,
    ):
        app.include_router(admin_area.router)
    # Audit and the dashboard (inspectors; the dashboard for operators too).
    app.include_router(audit.router)
    app.include_router(dashboard.router)
    app.include_router(orders.router)
    # Appeals (申诉): the department's appeal of a deduction, the inspectors' decisions.
    app.include_router(appeals.router)
    # Notices (通报, §15): the public list and notice, the inspector's pages.
    app.include_router(notice_pages.router)
    # A/B post cover (AB岗, §16): the department's absences, the inspectors' coverage
    app.include_router(post_cover_pages.router)
    # Superiors and escalation (提级督办): subordinates' boards, directions.
    app.include_router(superiors.router)
    # Satisfaction surveys (满意度调查, §16): the inspector's batches and sheet upload.
    app.include_router(survey_pages.router)
    # Staff assessments (千人千题, §16): sessions, results and retests due.
    app.include_router(assessment_pages.router)
    # The item catalogue (事项清单, §16): the public guide and one-time notices.
    app.include_router(item_pages.router)
    # Inspection visits (暗访巡查, §16): the inspector's list, form and visit pages.
    app.include_router(visit_pages.router)
    # The notifications' outbox (外发消息, §17): the administrator's list, message, resend.
    app.include_router(admin_outbox.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.add_middleware(PageSecurityHeaders, is_page=is_page)  # type: ignore[arg-type]


def _outside_the_api(app: FastAPI) -> Callable[[str], bool]:
    """Whether a path is a page's: not under the API's prefix (the folder of its OpenAPI
    document) nor one of the routes the app had before the pages (health, docs)."""
    api_root = (app.openapi_url or "/api/v1/openapi.json").rsplit("/", 1)[0] + "/"
    # Routers the app includes hold their routes: each route's own path, under its prefix.
    before = {getattr(route, "path", "") for route in iter_route_contexts(app.routes)}
    return lambda path: not path.startswith(api_root) and path not in before
