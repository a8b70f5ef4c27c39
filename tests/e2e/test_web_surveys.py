"""Satisfaction surveys (满意度调查) as pages: the inspector records a batch through the form,
imports a third party's sheet (every row, or none with each bad row named in Chinese), sees
the list; the dashboard and the monthly report show the surveys beside the online ratings."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response
from openpyxl import Workbook

from domain.actor import Role
from infrastructure.survey_file import COLUMNS
from interfaces.bootstrap import Container, survey_template
from tests.factories import API, SAMPLE_WINDOW
from tests.web_support import ORIGIN, form_token, post_form, signed_in

PAGE = "/console/surveys"
FORM = {
    "source": "paper",
    "provider": "",
    "window": SAMPLE_WINDOW,
    "from": "2026-11-01",
    "to": "2026-11-20",
    "count_1": "0",
    "count_2": "1",
    "count_3": "1",
    "count_4": "4",
    "count_5": "4",
}


def uploaded(client: TestClient, content: bytes, filename: str = "results.xlsx") -> Response:
    return client.post(
        f"{PAGE}/import",
        data={"csrf_token": form_token(client, PAGE)},
        files={"file": (filename, content, "application/octet-stream")},
        headers={"Origin": ORIGIN},
        follow_redirects=False,
    )


def test_an_inspector_records_a_paper_batch_and_sees_it_listed(
    client: TestClient, container: Container, catch_up: Callable[[], object]
) -> None:
    signed_in(client, container, Role.INSPECTOR)

    answer = post_form(client, PAGE, FORM)
    catch_up()
    page = client.get(PAGE)

    assert answer.status_code == 303, answer.text
    assert '<html lang="zh-CN">' in page.text
    assert "已录入窗口 W-A01 的调查结果：10 份。" in page.text
    assert "2026-11-01 至 2026-11-20" in page.text
    assert "纸质问卷" in page.text


def test_a_refused_batch_is_said_in_chinese_with_the_form_kept(
    client: TestClient, container: Container
) -> None:
    signed_in(client, container, Role.INSPECTOR)

    provider = post_form(client, PAGE, {**FORM, "provider": "某某测评公司"})
    counts = post_form(client, PAGE, {**FORM, "count_5": "-1"})
    nothing = post_form(client, PAGE, {**FORM, **{f"count_{n}": "0" for n in range(1, 6)}})

    assert provider.status_code == 422
    assert "纸质问卷不填测评机构" in provider.text
    assert 'value="某某测评公司"' in provider.text
    assert counts.status_code == 422
    assert "非常满意：" in counts.text
    assert nothing.status_code == 422
    assert "合计至少 1 份" in nothing.text


def test_a_third_partys_sheet_is_imported_whole(
    client: TestClient, container: Container, catch_up: Callable[[], object]
) -> None:
    signed_in(client, container, Role.INSPECTOR)

    answer = uploaded(client, survey_template())
    catch_up()
    page = client.get(PAGE)

    assert answer.status_code == 303, answer.text
    assert "已导入 2 批调查结果，共 140 份。" in page.text
    assert "某某测评公司" in page.text


def _sheet(*rows: list[Any]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append([chinese for _, chinese in COLUMNS])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_sheet_with_a_bad_row_imports_nothing_and_names_the_row_in_chinese(
    client: TestClient, container: Container, catch_up: Callable[[], object]
) -> None:
    signed_in(client, container, Role.INSPECTOR)
    content = _sheet(
        ["第三方测评", "某某测评公司", SAMPLE_WINDOW, "2026-11-01", "2026-11-20", 1, 2, 3, 4, 5],
        ["第三方测评", "某某测评公司", "W-NONE", "2026-11-01", "2026-11-20", 1, 2, 3, 4, 5],
        ["邮寄问卷", None, SAMPLE_WINDOW, "2026-11-01", "2026-11-20", 1, 2, 3, 4, 5],
    )

    answer = uploaded(client, content)
    not_a_sheet = uploaded(client, b"not a workbook")
    not_xlsx = uploaded(client, b"a,b", filename="results.csv")
    catch_up()

    assert answer.status_code == 422
    assert "调查结果文件有误，未导入任何批次。" in answer.text
    assert "第 3 行：窗口不存在，请核对窗口编号。" in answer.text
    assert "第 4 行：该行无法读取" in answer.text
    assert "第 2 行" not in answer.text
    assert "暂无调查结果。" in answer.text
    assert not_a_sheet.status_code == 422
    assert "文件无法读取" in not_a_sheet.text
    assert not_xlsx.status_code == 422
    assert "只能导入 Excel 文件" in not_xlsx.text


def test_the_dashboard_and_the_monthly_report_show_surveys_beside_online_ratings(
    client: TestClient, container: Container, catch_up: Callable[[], object]
) -> None:
    signed_in(client, container, Role.INSPECTOR)
    post_form(client, PAGE, FORM)
    client.post(f"{API}/evaluations", json={"window": SAMPLE_WINDOW, "rating": 5})
    catch_up()

    dashboard = client.get("/console/dashboard", params={"from": "2026-11-01", "to": "2026-11-30"})
    csv_file = client.get(
        "/console/dashboard/satisfaction.csv", params={"from": "2026-11-01", "to": "2026-11-30"}
    )
    report = client.get("/console/reports/monthly", params={"month": "2026-11"})

    assert dashboard.status_code == 200
    assert "各窗口满意度：线上评价与满意度调查" in dashboard.text
    assert "纸质问卷样本量" in dashboard.text
    rows = csv_file.content.decode("utf-8-sig").splitlines()
    assert rows[1].endswith(",5.0,4.1,,1,10,0")
    assert report.status_code == 200
    assert "本月满意度调查" in report.text
    assert "线上评价" in report.text
