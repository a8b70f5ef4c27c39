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

# fmt: off
# Routes under /api/v1, by their path below it.
API_MATRIX: Final[dict[Route, tuple[Outcome, ...]]] = {
    # route                                                    anon  oper  insp  admin own  other
    # Cases: registration, routing, reading
    ("POST", "/cases"):                                        (401, OK,  OK,  403, 403, 403),
    ("GET",  "/cases"):                                        (401, OK,  OK,  403, OK,  403),
    ("GET",  "/cases/{case_id}"):                              (401, OK,  OK,  403, OK,  403),
    ("GET",  "/cases/{case_id}/history"):                      (401, 403, OK,  403, 403, 403),
    ("POST", "/cases/{case_id}/assign"):                       (401, OK,  OK,  403, 403, 403),
    # Cases: what the assigned department does
    ("POST", "/cases/{case_id}/acknowledge"):                  (401, 403, 403, 403, OK,  403),
    ("POST", "/cases/{case_id}/return"):                       (401, 403, 403, 403, OK,  403),
    ("POST", "/cases/{case_id}/clock/stop"):                   (401, 403, 403, 403, OK,  403),
    ("POST", "/cases/{case_id}/clock/resume"):                 (401, 403, 403, 403, OK,  403),
    ("POST", "/cases/{case_id}/extension"):                    (401, 403, 403, 403, OK,  403),
    ("POST", "/cases/{case_id}/result"):                       (401, 403, 403, 403, OK,  403),
    # Cases: what inspectors decide
    ("POST", "/cases/{case_id}/extension/grant"):              (401, 403, OK,  403, 403, 403),
    ("POST", "/cases/{case_id}/extension/refuse"):             (401, 403, OK,  403, 403, 403),
    ("POST", "/cases/{case_id}/proposed-deduction/confirm"):   (401, 403, OK,  403, 403, 403),
    ("POST", "/cases/{case_id}/proposed-deduction/dismiss"):   (401, 403, OK,  403, 403, 403),
    ("POST", "/cases/{case_id}/supervise"):                    (401, 403, OK,  403, 403, 403),
    ("POST", "/cases/{case_id}/erase-personal-data"):          (401, 403, OK,  403, 403, 403),
    # Cases: follow-up by the centre
    ("POST", "/cases/{case_id}/callback"):                     (401, OK,  OK,  403, 403, 403),
    ("POST", "/cases/{case_id}/close"):                        (401, OK,  OK,  403, 403, 403),
    ("POST", "/cases/{case_id}/reopen"):                       (401, OK,  OK,  403, 403, 403),
    ("POST", "/cases/{case_id}/merge"):                        (401, OK,  OK,  403, 403, 403),
    ("POST", "/cases/{case_id}/notes"):                        (401, OK,  OK,  403, 403, 403),
    # The directory, the catalogue and the calendar: every signed-in role
    ("GET",  "/departments"):                                  (401, OK,  OK,  OK,  OK,  OK),
    ("GET",  "/windows"):                                      (401, OK,  OK,  OK,  OK,  OK),
    ("GET",  "/staff"):                                        (401, OK,  OK,  OK,  OK,  OK),
    ("GET",  "/conduct-rules"):                                (401, OK,  OK,  OK,  OK,  OK),
    ("GET",  "/calendar/deadline"):                            (401, OK,  OK,  OK,  OK,  OK),
    ("GET",  "/calendar/years"):                               (401, OK,  OK,  OK,  OK,  OK),
    # What administrators read: accounts and tokens (never a secret).
    ("GET",  "/accounts"):                                     (401, 403, 403, OK,  403, 403),
    ("GET",  "/tokens"):                                       (401, 403, 403, OK,  403, 403),
    # Boards and metrics
    ("GET",  "/departments/{department_id}/board"):            (401, OK,  OK,  403, OK,  403),
    ("GET",  "/metrics/departments"):                          (401, OK,  OK,  403, 403, 403),
    ("GET",  "/metrics/windows"):                              (401, OK,  OK,  403, 403, 403),
    # Answer templates (the department's desk): the department keeps them, the centre reads
    ("GET",  "/departments/{department_id}/answer-templates"): (401, OK, OK, 403, OK, 403),
    ("POST", "/departments/{department_id}/answer-templates"): (401, 403, 403, 403, OK, 403),
    ("POST", "/departments/{department_id}/answer-templates/{template_id}/edit"):
                                                               (401, 403, 403, 403, OK,  403),
    ("POST", "/departments/{department_id}/answer-templates/{template_id}/retire"):
                                                               (401, 403, 403, 403, OK,  403),
    # The dashboard's reads (console: audit and the dashboard)
    ("GET",  "/metrics/overdue-per-day"):                      (401, OK,  OK,  403, 403, 403),
    ("GET",  "/metrics/cases"):                                (401, OK,  OK,  403, 403, 403),
    # Double-hundred scoring
    ("POST", "/deductions"):                                   (401, 403, OK,  403, 403, 403),
    ("POST", "/deductions/{deduction_id}/revoke"):             (401, 403, OK,  403, 403, 403),
    ("GET",  "/deductions"):                                   (401, OK,  OK,  403, OK,  403),
    ("GET",  "/scores"):                                       (401, OK,  OK,  403, OK,  403),
    ("GET",  "/blue-list"):                                    (401, OK,  OK,  403, OK,  403),
    ("GET",  "/reports/monthly"):                              (401, OK,  OK,  403, OK,  403),
    ("GET",  "/red-list"):                                     (OK,  OK,  OK,  OK,  OK,  OK),
    # Rectification orders
    ("POST", "/rectification-orders"):                         (401, 403, OK,  403, 403, 403),
    ("GET",  "/rectification-orders"):                         (401, OK,  OK,  403, OK,  403),
    ("GET",  "/rectification-orders/{order_id}"):              (401, OK,  OK,  403, OK,  403),
    ("GET",  "/rectification-orders/{order_id}/history"):      (401, 403, OK,  403, 403, 403),
    ("POST", "/rectification-orders/{order_id}/acknowledge"):  (401, 403, 403, 403, OK,  403),
    ("POST", "/rectification-orders/{order_id}/report"):       (401, 403, 403, 403, OK,  403),
    ("POST", "/rectification-orders/{order_id}/clock/stop"):   (401, 403, 403, 403, OK,  403),
    ("POST", "/rectification-orders/{order_id}/clock/resume"): (401, 403, 403, 403, OK,  403),
    ("POST", "/rectification-orders/{order_id}/extension"):    (401, 403, 403, 403, OK,  403),
    ("POST", "/rectification-orders/{order_id}/extension/grant"):  (401, 403, OK, 403, 403, 403),
    ("POST", "/rectification-orders/{order_id}/extension/refuse"): (401, 403, OK, 403, 403, 403),
    ("POST", "/rectification-orders/{order_id}/accept"):       (401, 403, OK,  403, 403, 403),
    ("POST", "/rectification-orders/{order_id}/reject"):       (401, 403, OK,  403, 403, 403),
    ("POST", "/rectification-orders/{order_id}/supervise"):    (401, 403, OK,  403, 403, 403),
    # The audit trail: inspectors only
    ("GET",  "/audit/events"):                                 (401, 403, OK,  403, 403, 403),
    ("GET",  "/audit/records/{record_id}/history"):            (401, 403, OK,  403, 403, 403),
    ("GET",  "/staff/{staff_id}/history"):                     (401, 403, OK,  403, 403, 403),
    ("GET",  "/audit/checkpoints"):                            (401, 403, OK,  403, 403, 403),
    ("POST", "/audit/checkpoints/verify"):                     (401, 403, OK,  403, 403, 403),
    ("POST", "/audit/verify"):                                 (401, 403, OK,  403, 403, 403),
    ("GET",  "/audit/public-key"):                             (401, 403, OK,  403, 403, 403),
    # The public: no sign-in, limited per client
    ("POST", "/public/case-status"):                           (OK,  OK,  OK,  OK,  OK,  OK),
    ("POST", "/evaluations"):                                  (OK,  OK,  OK,  OK,  OK,  OK),
    ("GET",  "/openapi.json"):                                 (OK,  OK,  OK,  OK,  OK,  OK),
}

# Routes outside /api/v1: operations and the API's documentation pages.
OPERATIONS_MATRIX: Final[dict[Route, tuple[Outcome, ...]]] = {
    # route                                                    anon  oper  insp  admin own  other
    ("GET",  "/healthz"):                                      (OK,  OK,  OK,  OK,  OK,  OK),
    ("GET",  "/readyz"):                                       (OK,  OK,  OK,  OK,  OK,  OK),
    ("GET",  "/docs"):                                         (OK,  OK,  OK,  OK,  OK,  OK),
    ("GET",  "/docs/oauth2-redirect"):                         (OK,  OK,  OK,  OK,  OK,  OK),
    ("GET",  "/redoc"):                                        (OK,  OK,  OK,  OK,  OK,  OK),
    ("GET",  "/openapi.json"):                                 (OK,  OK,  OK,  OK,  OK,  OK),
    # The pages' scripts and styles: a mount, which answers any method below its path.
    ("*",    "/docs/assets"):                                  (OK,  OK,  OK,  OK,  OK,  OK),
}

# The pages (interfaces/web): the public ones need no token. A form posted without the visitor's
# form token from the service's own origin is refused (403) whatever bearer token it carries.
PAGES_MATRIX: Final[dict[Route, tuple[Outcome, ...]]] = {
    # route                                                    anon  oper  insp  admin own  other
    ("GET",  "/"):                                             (OK,  OK,  OK,  OK,  OK,  OK),
    ("GET",  "/status"):                                       (OK,  OK,  OK,  OK,  OK,  OK),
    ("POST", "/status"):                                       (403, 403, 403, 403, 403, 403),
    ("GET",  "/rate/{window}"):                                (OK,  OK,  OK,  OK,  OK,  OK),
    ("POST", "/rate/{window}"):                                (403, 403, 403, 403, 403, 403),
    ("GET",  "/red-list"):                                     (OK,  OK,  OK,  OK,  OK,  OK),
    ("GET",  "/blue-list"):                                    (OK,  OK,  OK,  OK,  OK,  OK),
    ("*",    "/static"):                                       (OK,  OK,  OK,  OK,  OK,  OK),
    # The console: a person signs in; a bearer token is no session, so every caller here is
    # sent to the sign-in page (or, for a form posted without the page's form token, refused),
    # and nothing is recorded.
    ("GET",  "/console/sign-in"):                              (OK,  OK,  OK,  OK,  OK,  OK),
    ("POST", "/console/sign-in"):                              (403, 403, 403, 403, 403, 403),
    ("GET",  "/console/sign-in/code"):                         (303, 303, 303, 303, 303, 303),
    ("POST", "/console/sign-in/code"):                         (303, 303, 303, 303, 303, 303),
    ("GET",  "/console/password"):                             (303, 303, 303, 303, 303, 303),
    ("POST", "/console/password"):                             (303, 303, 303, 303, 303, 303),
    ("GET",  "/console/second-factor"):                        (303, 303, 303, 303, 303, 303),
    ("POST", "/console/second-factor"):                        (303, 303, 303, 303, 303, 303),
    ("POST", "/console/sign-out"):                             (403, 403, 403, 403, 403, 403),
    ("GET",  "/console/cases/new"):                            (303, 303, 303, 303, 303, 303),
    ("POST", "/console/cases/new"):                            (403, 403, 403, 403, 403, 403),
    ("GET",  "/console/cases/{case_id}/registered"):           (303, 303, 303, 303, 303, 303),
    ("POST", "/console/cases/new/caller"):                     (403, 403, 403, 403, 403, 403),
    ("GET",  "/console/cases/new/duplicates"):                 (303, 303, 303, 303, 303, 303),
    ("GET",  "/console/routing"):                              (303, 303, 303, 303, 303, 303),
    ("POST", "/console/routing/{case_id}/assign"):             (403, 403, 403, 403, 403, 403),
    ("GET",  "/console/cases"):                                (303, 303, 303, 303, 303, 303),
    ("GET",  "/console/cases/export.xlsx"):                    (303, 303, 303, 303, 303, 303),
    ("POST", "/console/cases/filters"):                        (403, 403, 403, 403, 403, 403),
    ("POST", "/console/cases/filters/delete"):                 (403, 403, 403, 403, 403, 403),
    ("GET",  "/console/callbacks"):                            (303, 303, 303, 303, 303, 303),
    ("POST", "/console/callbacks/{case_id}/callback"):         (403, 403, 403, 403, 403, 403),
    ("POST", "/console/callbacks/{case_id}/close"):            (403, 403, 403, 403, 403, 403),
    ("POST", "/console/callbacks/{case_id}/reopen"):           (403, 403, 403, 403, 403, 403),
    ("GET",  "/console/"):                                     (303, 303, 303, 303, 303, 303),
    ("GET",  "/console/inbox"):                                (303, 303, 303, 303, 303, 303),
    ("POST", "/console/inbox/acknowledge"):                    (303, 303, 303, 303, 303, 303),
    ("GET",  "/console/cases/{case_id:uuid}"):                 (303, 303, 303, 303, 303, 303),
    ("POST", "/console/cases/{case_id:uuid}/{action}"):        (303, 303, 303, 303, 303, 303),
    # The department's desk: its answer templates
    ("GET",  "/console/templates"):                            (303, 303, 303, 303, 303, 303),
    ("POST", "/console/templates"):                            (403, 403, 403, 403, 403, 403),
    ("POST", "/console/templates/{template_id}/edit"):         (403, 403, 403, 403, 403, 403),
    ("POST", "/console/templates/{template_id}/retire"):       (403, 403, 403, 403, 403, 403),
    # Scores, lists and the monthly report
    ("GET",  "/console/scores"):                               (303, 303, 303, 303, 303, 303),
    ("GET",  "/console/blue-list"):                            (303, 303, 303, 303, 303, 303),
    ("GET",  "/console/red-list"):                             (303, 303, 303, 303, 303, 303),
    ("GET",  "/console/reports/monthly"):                      (303, 303, 303, 303, 303, 303),
    ("GET",  "/console/reports/monthly.{file_format}"):        (303, 303, 303, 303, 303, 303),
    # The inspector's desk: the supervision queue, the deduction form and the deductions list.
    ("GET",  "/console/supervision"):                          (303, 303, 303, 303, 303, 303),
    ("POST", "/console/supervision/{case_id}/{action}"):       (403, 403, 403, 403, 403, 403),
    ("GET",  "/console/deductions/new"):                       (303, 303, 303, 303, 303, 303),
    ("GET",  "/console/deductions/new/rule"):                  (303, 303, 303, 303, 303, 303),
    ("POST", "/console/deductions/new"):                       (403, 403, 403, 403, 403, 403),
    ("GET",  "/console/deductions"):                           (303, 303, 303, 303, 303, 303),
    ("POST", "/console/deductions/{deduction_id}/revoke"):     (403, 403, 403, 403, 403, 403),
    # The administrator's pages: accounts, directory, conduct catalogue, calendar, tokens, QR.
    ("GET",  "/console/admin/accounts"):                       (303, 303, 303, 303, 303, 303),
    ("POST", "/console/admin/accounts"):                       (403, 403, 403, 403, 403, 403),
    ("POST", "/console/admin/accounts/{username}/reset-password"): (403, 403, 403, 403, 403, 403),
    ("POST", "/console/admin/accounts/{username}/disable"):    (403, 403, 403, 403, 403, 403),
    ("GET",  "/console/admin/accounts/{username}/password"):   (303, 303, 303, 303, 303, 303),
    ("GET",  "/console/admin/directory"):                      (303, 303, 303, 303, 303, 303),
    ("POST", "/console/admin/directory/import"):               (403, 403, 403, 403, 403, 403),
    ("GET",  "/console/admin/conduct-rules"):                  (303, 303, 303, 303, 303, 303),
    ("POST", "/console/admin/conduct-rules/import"):           (403, 403, 403, 403, 403, 403),
    ("GET",  "/console/admin/calendar"):                       (303, 303, 303, 303, 303, 303),
    ("POST", "/console/admin/calendar/load"):                  (403, 403, 403, 403, 403, 403),
    ("GET",  "/console/admin/tokens"):                         (303, 303, 303, 303, 303, 303),
    ("POST", "/console/admin/tokens"):                         (403, 403, 403, 403, 403, 403),
    ("GET",  "/console/admin/tokens/{token_id}/issued"):       (303, 303, 303, 303, 303, 303),
    ("POST", "/console/admin/tokens/{token_id}/revoke"):       (403, 403, 403, 403, 403, 403),
    ("GET",  "/console/admin/qr-codes"):                       (303, 303, 303, 303, 303, 303),
    # Audit and the dashboard
    ("GET",  "/console/audit"):                                (303, 303, 303, 303, 303, 303),
    ("GET",  "/console/audit/records/{record_id}"):            (303, 303, 303, 303, 303, 303),
    ("GET",  "/console/audit/verify"):                         (303, 303, 303, 303, 303, 303),
    ("POST", "/console/audit/verify"):                         (403, 403, 403, 403, 403, 403),
    ("POST", "/console/audit/checkpoints/verify"):             (403, 403, 403, 403, 403, 403),
    ("GET",  "/console/dashboard"):                            (303, 303, 303, 303, 303, 303),
    ("GET",  "/console/dashboard/{chart}.csv"):                (303, 303, 303, 303, 303, 303),
    # Rectification orders: the list, the issue form, the order page and its actions
    ("GET",  "/console/orders"):                               (303, 303, 303, 303, 303, 303),
    ("GET",  "/console/orders/new"):                           (303, 303, 303, 303, 303, 303),
    ("POST", "/console/orders/new"):                           (403, 403, 403, 403, 403, 403),
    ("GET",  "/console/orders/{order_id:uuid}"):               (303, 303, 303, 303, 303, 303),
    ("POST", "/console/orders/{order_id:uuid}/{action}"):      (403, 403, 403, 403, 403, 403),
}
# fmt: on


def full_matrix(api_prefix: str) -> dict[Route, tuple[Outcome, ...]]:
    """Every row, keyed by the path the app serves it at."""
    api = {(method, f"{api_prefix}{path}"): row for (method, path), row in API_MATRIX.items()}
    return {**api, **OPERATIONS_MATRIX, **PAGES_MATRIX}
