"""The administrator issues Prometheus's token at 访问令牌 (角色 监控), and it reads the
metrics and nothing else."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.e2e.test_web_admin import SHOWN_ONCE
from tests.factories import SAMPLE_DEPARTMENT
from tests.web_support import post_form


def test_the_token_form_offers_the_monitor_role_and_its_token_opens_only_the_metrics(
    admin: TestClient,
) -> None:
    # Given an administrator on the tokens page, which offers 监控
    assert '<option value="monitor"' in admin.get("/console/admin/tokens").text

    # When they issue a token for Prometheus
    answer = post_form(admin, "/console/admin/tokens", {"role": "monitor", "name": "prometheus"})

    # Then it reads the metrics, and is refused the rest of the API
    assert answer.status_code == 303
    token = SHOWN_ONCE.search(admin.get(answer.headers["location"]).text)
    assert token is not None
    bearer = {"Authorization": f"Bearer {token.group(1)}"}
    assert admin.get("/metrics", headers=bearer).status_code == 200
    board = admin.get(f"/api/v1/departments/{SAMPLE_DEPARTMENT}/board", headers=bearer)
    assert board.status_code == 403
    # And the list names its role in Chinese
    assert "监控" in admin.get("/console/admin/tokens").text


def test_the_account_form_does_not_offer_the_monitor_role(admin: TestClient) -> None:
    assert 'value="monitor"' not in admin.get("/console/admin/accounts").text
