"""Who may call which route (DESIGN §3, §11): the one table the authorisation tests read.

Each row is a route (method, path as the app declares it) and its outcome for each caller:
`OK` where the caller may use it, else the status of the refusal. `own` is a token of the
department that owns the record the request concerns (the case assigned to it, the order
issued to it, its board, its scores and lists); `other` is a token of another department.

Refusals are 401 without a valid token and 403 for a role or a department that may not. No
cell is 404: record ids are random UUIDs and department ids are public, so a 403 tells a
caller nothing it could not know; the place where existence itself must not leak, the public
status query, answers an unknown or wrong pair with the same 404 whoever asks (§9).
"""

from __future__ import annotations

from typing import Final, Literal

OK: Final = "allowed"
# A console page or form without a signed-in person: sent to the sign-in page (§12).
SIGN_IN: Final = 303
Outcome = Literal["allowed", 303, 401, 403, 404]
Route = tuple[str, str]

CALLERS: Final = ("anonymous", "operator", "inspector", "admin", "own", "other")
Row = tuple[Outcome, ...]

# What a route answers each caller, in the order of CALLERS, by whom it is for.
ANYONE: Final[Row] = (OK, OK, OK, OK, OK, OK)
SIGNED_IN: Final[Row] = (401, OK, OK, OK, OK, OK)
# The centre: operators and inspectors.
CENTRE: Final[Row] = (401, OK, OK, 403, 403, 403)
# The centre, and the department that owns the record.
CENTRE_AND_OWN: Final[Row] = (401, OK, OK, 403, OK, 403)
INSPECTORS: Final[Row] = (401, 403, OK, 403, 403, 403)
ADMINS: Final[Row] = (401, 403, 403, OK, 403, 403)
# The department that owns the record, and no one else.
OWN: Final[Row] = (401, 403, 403, 403, OK, 403)
# The superior department of the record's department, which is none of the callers.
SUPERIOR_ONLY: Final[Row] = (401, 403, 403, 403, 403, 403)
# Inspectors, and every department (each reads its own part); or the owning department only.
INSPECTORS_AND_DEPARTMENTS: Final[Row] = (401, 403, OK, 403, OK, OK)
INSPECTORS_AND_OWN: Final[Row] = (401, 403, OK, 403, OK, 403)
# A console page: a bearer token is no session, so every caller is sent to sign in.
TO_SIGN_IN: Final[Row] = (SIGN_IN,) * len(CALLERS)
# A form posted without the visitor's form token from the service's own origin.
WITHOUT_FORM_TOKEN: Final[Row] = (403,) * len(CALLERS)
# The metrics (GET /metrics): Prometheus's monitor token only, which none of CALLERS holds.
MONITOR_ONLY: Final[Row] = (401, 403, 403, 403, 403, 403)

# Routes under /api/v1, by their path below it.
API_MATRIX: Final[dict[Route, Row]] = {
    # Cases: registration, routing, reading
    ("POST", "/cases"): CENTRE,
    ("GET", "/cases"): CENTRE_AND_OWN,
    ("GET", "/cases/{case_id}"): CENTRE_AND_OWN,
    ("GET", "/cases/{case_id}/history"): INSPECTORS,
    ("POST", "/cases/{case_id}/assign"): CENTRE,
    # Cases: what the assigned department does
    ("POST", "/cases/{case_id}/acknowledge"): OWN,
    ("POST", "/cases/{case_id}/return"): OWN,
    ("POST", "/cases/{case_id}/clock/stop"): OWN,
    ("POST", "/cases/{case_id}/clock/resume"): OWN,
    ("POST", "/cases/{case_id}/extension"): OWN,
    ("POST", "/cases/{case_id}/result"): OWN,
    # Cases: what inspectors decide
    ("POST", "/cases/{case_id}/extension/grant"): INSPECTORS,
    ("POST", "/cases/{case_id}/extension/refuse"): INSPECTORS,
    ("POST", "/cases/{case_id}/proposed-deduction/confirm"): INSPECTORS,
    ("POST", "/cases/{case_id}/proposed-deduction/dismiss"): INSPECTORS,
    ("POST", "/cases/{case_id}/supervise"): INSPECTORS,
    ("POST", "/cases/{case_id}/erase-personal-data"): INSPECTORS,
    # Cases: follow-up by the centre
    ("POST", "/cases/{case_id}/callback"): CENTRE,
    ("POST", "/cases/{case_id}/close"): CENTRE,
    ("POST", "/cases/{case_id}/reopen"): CENTRE,
    ("POST", "/cases/{case_id}/merge"): CENTRE,
    ("POST", "/cases/{case_id}/notes"): CENTRE,
    # The directory, the catalogue and the calendar: every signed-in role
    ("GET", "/departments"): SIGNED_IN,
    ("GET", "/departments/{department_id}"): SIGNED_IN,  # with its contacts (§17)
    ("GET", "/windows"): SIGNED_IN,
    ("GET", "/staff"): SIGNED_IN,
    ("GET", "/conduct-rules"): SIGNED_IN,
    ("GET", "/calendar/deadline"): SIGNED_IN,
    ("GET", "/calendar/years"): SIGNED_IN,
    # What administrators read: accounts and tokens (never a secret).
    ("GET", "/accounts"): ADMINS,
    ("GET", "/tokens"): ADMINS,
    # Boards and metrics
    ("GET", "/departments/{department_id}/board"): CENTRE_AND_OWN,
    ("GET", "/metrics/departments"): CENTRE,
    ("GET", "/metrics/windows"): CENTRE,
    # Answer templates (the department's desk): the department keeps them, the centre reads
    ("GET", "/departments/{department_id}/answer-templates"): CENTRE_AND_OWN,
    ("POST", "/departments/{department_id}/answer-templates"): OWN,
    ("POST", "/departments/{department_id}/answer-templates/{template_id}/edit"): OWN,
    ("POST", "/departments/{department_id}/answer-templates/{template_id}/retire"): OWN,
    # The dashboard's reads (console: audit and the dashboard)
    ("GET", "/metrics/overdue-per-day"): CENTRE,
    ("GET", "/metrics/cases"): CENTRE,
    # Double-hundred scoring
    ("POST", "/deductions"): INSPECTORS,
    ("POST", "/deductions/{deduction_id}/revoke"): INSPECTORS,
    ("GET", "/deductions"): CENTRE_AND_OWN,
    ("GET", "/scores"): CENTRE_AND_OWN,
    ("GET", "/blue-list"): CENTRE_AND_OWN,
    ("GET", "/reports/monthly"): CENTRE_AND_OWN,
    ("GET", "/red-list"): ANYONE,
    # Rectification orders
    ("POST", "/rectification-orders"): INSPECTORS,
    ("GET", "/rectification-orders"): CENTRE_AND_OWN,
    ("GET", "/rectification-orders/{order_id}"): CENTRE_AND_OWN,
    ("GET", "/rectification-orders/{order_id}/history"): INSPECTORS,
    ("POST", "/rectification-orders/{order_id}/acknowledge"): OWN,
    ("POST", "/rectification-orders/{order_id}/report"): OWN,
    ("POST", "/rectification-orders/{order_id}/clock/stop"): OWN,
    ("POST", "/rectification-orders/{order_id}/clock/resume"): OWN,
    ("POST", "/rectification-orders/{order_id}/extension"): OWN,
    ("POST", "/rectification-orders/{order_id}/extension/grant"): INSPECTORS,
    ("POST", "/rectification-orders/{order_id}/extension/refuse"): INSPECTORS,
    ("POST", "/rectification-orders/{order_id}/accept"): INSPECTORS,
    ("POST", "/rectification-orders/{order_id}/reject"): INSPECTORS,
    ("POST", "/rectification-orders/{order_id}/supervise"): INSPECTORS,
    # The audit trail: inspectors only
    ("GET", "/audit/events"): INSPECTORS,
    ("GET", "/audit/records/{record_id}/history"): INSPECTORS,
    ("GET", "/staff/{staff_id}/history"): INSPECTORS,
    ("GET", "/audit/checkpoints"): INSPECTORS,
    ("POST", "/audit/checkpoints/verify"): INSPECTORS,
    ("POST", "/audit/verify"): INSPECTORS,
    ("GET", "/audit/public-key"): INSPECTORS,
    # The public: no sign-in, limited per client
    ("POST", "/public/case-status"): ANYONE,
    ("POST", "/evaluations"): ANYONE,
    ("GET", "/openapi.json"): ANYONE,
    # Reminders by hand (人工催办): the centre reminds, a department does not
    ("POST", "/cases/{case_id}/remind"): CENTRE,
    ("POST", "/rectification-orders/{order_id}/remind"): CENTRE,
    # Appeals (申诉): the deduction's department appeals and reads its own; inspectors decide
    ("POST", "/deductions/{deduction_id}/appeal"): OWN,
    ("GET", "/appeals"): (401, 403, OK, 403, OK, 403),
    ("GET", "/appeals/{appeal_id}"): (401, 403, OK, 403, OK, 403),
    ("POST", "/appeals/{appeal_id}/uphold"): INSPECTORS,
    ("POST", "/appeals/{appeal_id}/grant"): INSPECTORS,
    ("POST", "/appeals/{appeal_id}/supervise"): INSPECTORS,
    # Notices (通报, §15): inspectors publish, edit drafts and withdraw; anyone reads
    ("POST", "/notices"): INSPECTORS,
    ("GET", "/notices"): ANYONE,
    ("GET", "/notice-drafts"): INSPECTORS,
    ("GET", "/notices/{notice_id}"): ANYONE,
    ("PATCH", "/notices/{notice_id}"): INSPECTORS,
    ("POST", "/notices/{notice_id}/publish"): INSPECTORS,
    ("POST", "/notices/{notice_id}/withdraw"): INSPECTORS,
    # Inspection visits (暗访巡查, §16): the inspectors' own
    ("POST", "/visits"): INSPECTORS,
    ("GET", "/visits"): INSPECTORS,
    ("GET", "/visits/{visit_id}"): INSPECTORS,
    ("POST", "/visits/{visit_id}/findings"): INSPECTORS,
    # The notifications' outbox (外发消息, §17): administrators'
    ("GET", "/outbox"): ADMINS,
    ("GET", "/outbox/{message_id}"): ADMINS,
    ("POST", "/outbox/{message_id}/resend"): ADMINS,
    # ... and what was sent about a case, for the centre
    ("GET", "/cases/{case_id}/notifications"): CENTRE,
    # Evidence files (附件, §17): attached by those who work the record, read as it is read
    ("POST", "/cases/{case_id}/attachments"): CENTRE_AND_OWN,
    ("POST", "/rectification-orders/{order_id}/attachments"): INSPECTORS_AND_OWN,
    ("POST", "/deductions/{deduction_id}/attachments"): INSPECTORS,
    ("POST", "/visits/{visit_id}/attachments"): INSPECTORS,
    ("GET", "/cases/{case_id}/attachments"): CENTRE_AND_OWN,
    ("GET", "/rectification-orders/{order_id}/attachments"): CENTRE_AND_OWN,
    ("GET", "/deductions/{deduction_id}/attachments"): INSPECTORS,
    ("GET", "/visits/{visit_id}/attachments"): INSPECTORS,
    ("GET", "/attachments/{attachment_id}"): CENTRE_AND_OWN,
    ("GET", "/attachments/{attachment_id}/thumbnail"): CENTRE_AND_OWN,
    # Superiors and escalation (提级督办): only the superior department of the department
    # holding the work directs it, which none of the callers here is (tested by name in
    # tests/e2e/test_escalation_http.py).
    ("POST", "/cases/{case_id}/escalation/direct"): SUPERIOR_ONLY,
    ("POST", "/rectification-orders/{order_id}/escalation/direct"): SUPERIOR_ONLY,
    # Satisfaction surveys (满意度调查, §16): inspectors record batches; the centre lists them
    ("POST", "/surveys"): INSPECTORS,
    ("GET", "/surveys"): CENTRE,
    # A/B post cover (AB岗, §16): a department records its own staff's absences; departments
    # (their own windows) and inspectors read the coverage; inspectors decide the gaps
    ("POST", "/absences"): OWN,
    ("POST", "/posts/{window_id}/absences/{absence_id}/cancel"): OWN,
    ("GET", "/posts/coverage"): (401, 403, OK, 403, OK, OK),
    ("GET", "/posts/gaps"): INSPECTORS,
    ("POST", "/posts/{window_id}/gaps/{day}/confirm"): INSPECTORS,
    ("POST", "/posts/{window_id}/gaps/{day}/dismiss"): INSPECTORS,
    # Staff assessments (千人千题, §16): inspectors record and read all; a department reads
    # the sessions its staff sat and its own staff's retests.
    ("POST", "/assessments"): INSPECTORS,
    ("GET", "/assessments"): INSPECTORS_AND_DEPARTMENTS,
    ("GET", "/assessments/retests-due"): INSPECTORS_AND_OWN,
    ("GET", "/assessments/{assessment_id}"): INSPECTORS_AND_OWN,
    # The item catalogue (事项清单, §16): anyone reads it; its metrics are the centre's
    ("GET", "/items"): ANYONE,
    ("GET", "/items/{code}"): ANYONE,
    ("GET", "/metrics/items"): CENTRE,
}

# Routes outside /api/v1: operations and the API's documentation pages.
OPERATIONS_MATRIX: Final[dict[Route, Row]] = {
    ("GET", "/healthz"): ANYONE,
    ("GET", "/readyz"): ANYONE,
    ("GET", "/docs"): ANYONE,
    ("GET", "/docs/oauth2-redirect"): ANYONE,
    ("GET", "/redoc"): ANYONE,
    ("GET", "/openapi.json"): ANYONE,
    # The pages' scripts and styles: a mount, which answers any method below its path.
    ("*", "/docs/assets"): ANYONE,
    ("GET", "/metrics"): MONITOR_ONLY,
}

# The pages (interfaces/web): the public ones need no token. A form posted without the visitor's
# form token from the service's own origin is refused (403) whatever bearer token it carries.
PAGES_MATRIX: Final[dict[Route, Row]] = {
    ("GET", "/"): ANYONE,
    ("GET", "/status"): ANYONE,
    ("POST", "/status"): WITHOUT_FORM_TOKEN,
    ("GET", "/rate/{window}"): ANYONE,
    ("POST", "/rate/{window}"): WITHOUT_FORM_TOKEN,
    ("GET", "/red-list"): ANYONE,
    ("GET", "/blue-list"): ANYONE,
    ("*", "/static"): ANYONE,
    # The console: a person signs in; a bearer token is no session, so every caller here is
    # sent to the sign-in page (or, for a form posted without the page's form token, refused),
    # and nothing is recorded.
    ("GET", "/console/sign-in"): ANYONE,
    ("POST", "/console/sign-in"): WITHOUT_FORM_TOKEN,
    ("GET", "/console/sign-in/code"): TO_SIGN_IN,
    ("POST", "/console/sign-in/code"): TO_SIGN_IN,
    ("GET", "/console/password"): TO_SIGN_IN,
    ("POST", "/console/password"): TO_SIGN_IN,
    ("GET", "/console/second-factor"): TO_SIGN_IN,
    ("POST", "/console/second-factor"): TO_SIGN_IN,
    ("POST", "/console/sign-out"): WITHOUT_FORM_TOKEN,
    ("GET", "/console/cases/new"): TO_SIGN_IN,
    ("POST", "/console/cases/new"): WITHOUT_FORM_TOKEN,
    ("GET", "/console/cases/{case_id}/registered"): TO_SIGN_IN,
    ("POST", "/console/cases/new/caller"): WITHOUT_FORM_TOKEN,
    ("GET", "/console/cases/new/duplicates"): TO_SIGN_IN,
    ("GET", "/console/routing"): TO_SIGN_IN,
    ("POST", "/console/routing/{case_id}/assign"): WITHOUT_FORM_TOKEN,
    ("GET", "/console/cases"): TO_SIGN_IN,
    ("GET", "/console/cases/export.xlsx"): TO_SIGN_IN,
    ("POST", "/console/cases/filters"): WITHOUT_FORM_TOKEN,
    ("POST", "/console/cases/filters/delete"): WITHOUT_FORM_TOKEN,
    ("GET", "/console/callbacks"): TO_SIGN_IN,
    ("POST", "/console/callbacks/{case_id}/callback"): WITHOUT_FORM_TOKEN,
    ("POST", "/console/callbacks/{case_id}/close"): WITHOUT_FORM_TOKEN,
    ("POST", "/console/callbacks/{case_id}/reopen"): WITHOUT_FORM_TOKEN,
    ("GET", "/console/"): TO_SIGN_IN,
    ("GET", "/console/inbox"): TO_SIGN_IN,
    ("POST", "/console/inbox/acknowledge"): TO_SIGN_IN,
    ("GET", "/console/cases/{case_id:uuid}"): TO_SIGN_IN,
    ("POST", "/console/cases/{case_id:uuid}/{action}"): TO_SIGN_IN,
    # The department's desk: its answer templates
    ("GET", "/console/templates"): TO_SIGN_IN,
    ("POST", "/console/templates"): WITHOUT_FORM_TOKEN,
    ("POST", "/console/templates/{template_id}/edit"): WITHOUT_FORM_TOKEN,
    ("POST", "/console/templates/{template_id}/retire"): WITHOUT_FORM_TOKEN,
    # Scores, lists and the monthly report
    ("GET", "/console/scores"): TO_SIGN_IN,
    ("GET", "/console/blue-list"): TO_SIGN_IN,
    ("GET", "/console/red-list"): TO_SIGN_IN,
    ("GET", "/console/reports/monthly"): TO_SIGN_IN,
    ("GET", "/console/reports/monthly.{file_format}"): TO_SIGN_IN,
    # The inspector's desk: the supervision queue, the deduction form and the deductions list.
    ("GET", "/console/supervision"): TO_SIGN_IN,
    ("POST", "/console/supervision/{case_id}/{action}"): WITHOUT_FORM_TOKEN,
    ("GET", "/console/deductions/new"): TO_SIGN_IN,
    ("GET", "/console/deductions/new/rule"): TO_SIGN_IN,
    ("POST", "/console/deductions/new"): WITHOUT_FORM_TOKEN,
    ("GET", "/console/deductions"): TO_SIGN_IN,
    ("POST", "/console/deductions/{deduction_id}/revoke"): WITHOUT_FORM_TOKEN,
    # The administrator's pages: accounts, directory, conduct catalogue, calendar, tokens, QR.
    ("GET", "/console/admin/accounts"): TO_SIGN_IN,
    ("POST", "/console/admin/accounts"): WITHOUT_FORM_TOKEN,
    ("POST", "/console/admin/accounts/{username}/reset-password"): WITHOUT_FORM_TOKEN,
    ("POST", "/console/admin/accounts/{username}/disable"): WITHOUT_FORM_TOKEN,
    ("GET", "/console/admin/accounts/{username}/password"): TO_SIGN_IN,
    ("GET", "/console/admin/directory"): TO_SIGN_IN,
    ("POST", "/console/admin/directory/import"): WITHOUT_FORM_TOKEN,
    ("GET", "/console/admin/conduct-rules"): TO_SIGN_IN,
    ("POST", "/console/admin/conduct-rules/import"): WITHOUT_FORM_TOKEN,
    ("GET", "/console/admin/calendar"): TO_SIGN_IN,
    ("POST", "/console/admin/calendar/load"): WITHOUT_FORM_TOKEN,
    ("GET", "/console/admin/tokens"): TO_SIGN_IN,
    ("POST", "/console/admin/tokens"): WITHOUT_FORM_TOKEN,
    ("GET", "/console/admin/tokens/{token_id}/issued"): TO_SIGN_IN,
    ("POST", "/console/admin/tokens/{token_id}/revoke"): WITHOUT_FORM_TOKEN,
    ("GET", "/console/admin/qr-codes"): TO_SIGN_IN,
    # The notifications' outbox (外发消息, §17): the administrator's list, message, resend
    ("GET", "/console/admin/outbox"): TO_SIGN_IN,
    ("GET", "/console/admin/outbox/{message_id}"): TO_SIGN_IN,
    ("POST", "/console/admin/outbox/{message_id}/resend"): WITHOUT_FORM_TOKEN,
    # Audit and the dashboard
    ("GET", "/console/audit"): TO_SIGN_IN,
    ("GET", "/console/audit/records/{record_id}"): TO_SIGN_IN,
    ("GET", "/console/audit/verify"): TO_SIGN_IN,
    ("POST", "/console/audit/verify"): WITHOUT_FORM_TOKEN,
    ("POST", "/console/audit/checkpoints/verify"): WITHOUT_FORM_TOKEN,
    ("GET", "/console/dashboard"): TO_SIGN_IN,
    ("GET", "/console/dashboard/{chart}.csv"): TO_SIGN_IN,
    # Rectification orders: the list, the issue form, the order page and its actions
    ("GET", "/console/orders"): TO_SIGN_IN,
    ("GET", "/console/orders/new"): TO_SIGN_IN,
    ("POST", "/console/orders/new"): WITHOUT_FORM_TOKEN,
    ("GET", "/console/orders/{order_id:uuid}"): TO_SIGN_IN,
    ("POST", "/console/orders/{order_id:uuid}/{action}"): WITHOUT_FORM_TOKEN,
    # Appeals (申诉): the appeal page, the department's appeal form, the inspectors' decisions
    ("GET", "/console/appeals"): TO_SIGN_IN,
    ("POST", "/console/deductions/{deduction_id:uuid}/appeal"): WITHOUT_FORM_TOKEN,
    ("POST", "/console/appeals/{appeal_id:uuid}/{decision}"): WITHOUT_FORM_TOKEN,
    # Notices (通报, §15): the public list and notice; the inspector's list, form and draft
    ("GET", "/notices"): ANYONE,
    ("GET", "/notices/{notice_id:uuid}"): ANYONE,
    ("GET", "/console/notices"): TO_SIGN_IN,
    ("GET", "/console/notices/new"): TO_SIGN_IN,
    ("POST", "/console/notices/new"): WITHOUT_FORM_TOKEN,
    ("GET", "/console/notices/{notice_id:uuid}"): TO_SIGN_IN,
    ("POST", "/console/notices/{notice_id:uuid}"): WITHOUT_FORM_TOKEN,
    ("POST", "/console/notices/{notice_id:uuid}/withdraw"): WITHOUT_FORM_TOKEN,
    # Superiors and escalation (提级督办): subordinates' boards, the superior's direction.
    ("GET", "/console/boards"): TO_SIGN_IN,
    ("GET", "/console/boards/{department_id}"): TO_SIGN_IN,
    ("POST", "/console/cases/{case_id:uuid}/escalation/direct"): WITHOUT_FORM_TOKEN,
    ("POST", "/console/orders/{order_id:uuid}/escalation/direct"): WITHOUT_FORM_TOKEN,
    # Satisfaction surveys (满意度调查, §16): the inspector's list, batch form and sheet upload
    ("GET", "/console/surveys"): TO_SIGN_IN,
    ("POST", "/console/surveys"): WITHOUT_FORM_TOKEN,
    ("POST", "/console/surveys/import"): WITHOUT_FORM_TOKEN,
    # A/B post cover (AB岗, §16): the department's 请假与AB岗, the inspectors' AB岗在岗
    ("GET", "/console/posts"): TO_SIGN_IN,
    ("POST", "/console/posts/absences"): WITHOUT_FORM_TOKEN,
    ("POST", "/console/posts/{window_id}/absences/{absence_id:uuid}/cancel"): WITHOUT_FORM_TOKEN,
    ("GET", "/console/posts/coverage"): TO_SIGN_IN,
    ("POST", "/console/posts/coverage/{window_id}/gaps/{day}/confirm"): WITHOUT_FORM_TOKEN,
    ("POST", "/console/posts/coverage/{window_id}/gaps/{day}/dismiss"): WITHOUT_FORM_TOKEN,
    # Staff assessments (千人千题, §16): sessions, the form, a session, retests due.
    ("GET", "/console/assessments"): TO_SIGN_IN,
    ("GET", "/console/assessments/retests"): TO_SIGN_IN,
    ("GET", "/console/assessments/new"): TO_SIGN_IN,
    ("POST", "/console/assessments/new"): WITHOUT_FORM_TOKEN,
    ("GET", "/console/assessments/{assessment_id:uuid}"): TO_SIGN_IN,
    # The item catalogue (事项清单, §16): the public guide and notices; the item metrics
    ("GET", "/items"): ANYONE,
    ("GET", "/items/{code}"): ANYONE,
    ("GET", "/console/item-metrics"): TO_SIGN_IN,
    # Inspection visits (暗访巡查, §16): the inspector's list, form, visit page and findings
    ("GET", "/console/visits"): TO_SIGN_IN,
    ("GET", "/console/visits/new"): TO_SIGN_IN,
    ("POST", "/console/visits/new"): WITHOUT_FORM_TOKEN,
    ("GET", "/console/visits/{visit_id:uuid}"): TO_SIGN_IN,
    ("POST", "/console/visits/{visit_id:uuid}/findings"): WITHOUT_FORM_TOKEN,
    # Evidence files (附件, §17): the upload forms, a deduction's files, downloads
    ("POST", "/console/cases/{case_id:uuid}/attachments"): WITHOUT_FORM_TOKEN,
    ("POST", "/console/orders/{order_id:uuid}/attachments"): WITHOUT_FORM_TOKEN,
    ("POST", "/console/visits/{visit_id:uuid}/attachments"): WITHOUT_FORM_TOKEN,
    ("POST", "/console/deductions/{deduction_id:uuid}/attachments"): WITHOUT_FORM_TOKEN,
    ("GET", "/console/deductions/{deduction_id:uuid}/attachments"): TO_SIGN_IN,
    ("GET", "/console/attachments/{attachment_id:uuid}"): TO_SIGN_IN,
    ("GET", "/console/attachments/{attachment_id:uuid}/thumbnail"): TO_SIGN_IN,
}


def full_matrix(api_prefix: str) -> dict[Route, Row]:
    """Every row, keyed by the path the app serves it at."""
    api = {(method, f"{api_prefix}{path}"): row for (method, path), row in API_MATRIX.items()}
    return {**api, **OPERATIONS_MATRIX, **PAGES_MATRIX}


# A monitor token (Prometheus) opens GET /metrics and nothing else: on every other route it
# gets what a caller without a token gets, but 403 where that caller gets 401 (its token is
# valid, its role may not).
MONITOR_OPENS: Final[set[Route]] = {("GET", "/metrics")}


def monitor_outcome(route: Route, row: Row) -> Outcome:
    """What a route answers a monitor token, from its row."""
    if route in MONITOR_OPENS:
        return OK
    anonymous = row[0]
    return 403 if anonymous == 401 else anonymous
