"""Separation of duties on the console (DESIGN §3): a signed-in person who opens a page that is
not for their role is refused with the Chinese refusal page, never shown the page."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from domain.actor import Role
from interfaces.bootstrap import Container
from tests.factories import SAMPLE_DEPARTMENT
from tests.web_support import assert_error_page, signed_in

ADMIN_PAGES = [
    f"/console/admin/{page}"
    for page in ("accounts", "directory", "conduct-rules", "calendar", "tokens", "qr-codes")
]
SCORES_PAGES = ["/console/scores", "/console/blue-list", "/console/red-list"]
# Who is refused which pages: everyone but the role (or roles) each page is for.
REFUSED = [
    *[
        (role, page)
        for page in ADMIN_PAGES
        for role in (Role.OPERATOR, Role.DEPARTMENT, Role.INSPECTOR)
    ],
    *[(Role.ADMIN, page) for page in [*SCORES_PAGES, "/console/reports/monthly"]],
    *[(role, "/console/templates") for role in (Role.OPERATOR, Role.INSPECTOR, Role.ADMIN)],
    *[(role, "/console/supervision") for role in (Role.OPERATOR, Role.DEPARTMENT, Role.ADMIN)],
    (Role.ADMIN, "/console/deductions"),
    *[
        (Role.DEPARTMENT, page)
        for page in (
            "/console/cases/new",
            "/console/routing",
            "/console/callbacks",
            "/console/cases/export.xlsx",
        )
    ],
    # Satisfaction surveys (满意度调查): the inspectors' page.
    *[(role, "/console/surveys") for role in (Role.OPERATOR, Role.DEPARTMENT, Role.ADMIN)],
    # A/B post cover (AB岗): the department's page, the inspectors' coverage
    *[(role, "/console/posts") for role in (Role.OPERATOR, Role.INSPECTOR, Role.ADMIN)],
    *[(role, "/console/posts/coverage") for role in (Role.OPERATOR, Role.DEPARTMENT, Role.ADMIN)],
    # Staff assessments (千人千题): inspectors and departments read; inspectors record.
    *[(role, "/console/assessments") for role in (Role.OPERATOR, Role.ADMIN)],
    *[(role, "/console/assessments/new") for role in (Role.OPERATOR, Role.DEPARTMENT)],
]


@pytest.mark.parametrize(
    ("role", "page"), REFUSED, ids=[f"{role.value} {page}" for role, page in REFUSED]
)
def test_a_page_not_for_the_persons_role_is_refused_with_the_chinese_refusal_page(
    client: TestClient, container: Container, role: Role, page: str
) -> None:
    # Given a signed-in person of a role the page is not for
    department = SAMPLE_DEPARTMENT if role is Role.DEPARTMENT else None
    signed_in(client, container, role, department=department)

    # When they open it
    answer = client.get(page)

    # Then they are refused, in Chinese, saying their role may not
    assert_error_page(answer, 403)
    assert "无法完成操作" in answer.text
    assert "无权" in answer.text
