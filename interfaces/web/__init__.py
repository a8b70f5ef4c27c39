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
# The pages' routers, in the order their routes are matched.
PAGES = (
    public,
    sign_in,
    home,
    # The desk's fixed paths (/console/cases/new …) before any /console/cases/{id}.
    intake,
    routing,
    case_list,
    callbacks,
    answer_templates,  # the department's desk
    # Evidence files (附件, §17): before /console/cases/{id}/{action} and its likes.
    attachment_pages,
    case_page,
    # Scores, lists and the monthly report (§6).
    scores,
    # The inspector's desk: the supervision queue and deductions.
    supervision,
    deductions,
    # The administrator's pages (/console/admin/…).
    admin_accounts,
    admin_directory,
    admin_calendar,
    admin_tokens,
    admin_qr,
    # Audit and the dashboard (inspectors; the dashboard for operators too).
    audit,
    dashboard,
    orders,
    # Appeals (申诉): the department's appeal of a deduction, the inspectors' decisions.
    appeals,
    # Notices (通报, §15): the public list and notice, the inspector's pages.
    notice_pages,
    # A/B post cover (AB岗, §16): the department's absences, the inspectors' coverage
    post_cover_pages,
    # Superiors and escalation (提级督办): subordinates' boards, directions.
    superiors,
    # Satisfaction surveys (满意度调查, §16): the inspector's batches and sheet upload.
    survey_pages,
    # Staff assessments (千人千题, §16): sessions, results and retests due.
    assessment_pages,
    # The item catalogue (事项清单, §16): the public guide and one-time notices.
    item_pages,
    # Inspection visits (暗访巡查, §16): the inspector's list, form and visit pages.
    visit_pages,
    # The notifications' outbox (外发消息, §17): the administrator's list, message, resend.
    admin_outbox,
)


def mount_console(app: FastAPI) -> None:
    """Serve the pages and their static files beside the API, with Chinese error pages and
    the pages' security headers."""
    is_page = _outside_the_api(app)
    install_page_errors(app, is_page)
    install_sign_in_redirects(app)
    for pages in PAGES:
        app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.add_middleware(PageSecurityHeaders, is_page=is_page)  # type: ignore[arg-type]


def _outside_the_api(app: FastAPI) -> Callable[[str], bool]:
    """Whether a path is a page's: not under the API's prefix (the folder of its OpenAPI
    document) nor one of the routes the app had before the pages (health, docs)."""
    api_root = (app.openapi_url or "/api/v1/openapi.json").rsplit("/", 1)[0] + "/"
    # Routers the app includes hold their routes: each route's own path, under its prefix.
    before = {getattr(route, "path", "") for route in iter_route_contexts(app.routes)}
    return lambda path: not path.startswith(api_root) and path not in before
