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

from infrastructure.survey_file import COLUMNS
from interfaces.bootstrap import survey_template
from tests.factories import API, SAMPLE_WINDOW
from tests.web_support import ORIGIN, assert_refused, assert_shows, form_token, post_form

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
    catch_up: Callable[[], object], inspector: TestClient
) -> None:
    answer = post_form(inspector, PAGE, FORM)
    catch_up()
    page = inspector.get(PAGE)

    assert answer.status_code == 303, answer.text
    assert_shows(
        page,
        '<html lang="zh-CN">',
        "已录入窗口 W-A01 的调查结果：10 份。",
        "2026-11-01 至 2026-11-20",
        "纸质问卷",
    )


def test_a_refused_batch_is_said_in_chinese_with_the_form_kept(inspector: TestClient) -> None:
    provider = post_form(inspector, PAGE, {**FORM, "provider": "某某测评公司"})
    counts = post_form(inspector, PAGE, {**FORM, "count_5": "-1"})
    nothing = post_form(inspector, PAGE, {**FORM, **{f"count_{n}": "0" for n in range(1, 6)}})

    assert_refused(provider, "纸质问卷不填测评机构", 'value="某某测评公司"')
    assert_refused(counts, "非常满意：")
    assert_refused(nothing, "合计至少 1 份")


def test_a_third_partys_sheet_is_imported_whole(
    catch_up: Callable[[], object], inspector: TestClient
) -> None:
    answer = uploaded(inspector, survey_template())
    catch_up()
    page = inspector.get(PAGE)

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
    catch_up: Callable[[], object], inspector: TestClient
) -> None:
    content = _sheet(
        ["第三方测评", "某某测评公司", SAMPLE_WINDOW, "2026-11-01", "2026-11-20", 1, 2, 3, 4, 5],
        ["第三方测评", "某某测评公司", "W-NONE", "2026-11-01", "2026-11-20", 1, 2, 3, 4, 5],
        ["邮寄问卷", None, SAMPLE_WINDOW, "2026-11-01", "2026-11-20", 1, 2, 3, 4, 5],
    )

    answer = uploaded(inspector, content)
    not_a_sheet = uploaded(inspector, b"not a workbook")
    not_xlsx = uploaded(inspector, b"a,b", filename="results.csv")
    catch_up()

    assert_refused(
        answer,
        "调查结果文件有误，未导入任何批次。",
        "第 3 行：窗口不存在，请核对窗口编号。",
        "第 4 行：该行无法读取",
        "暂无调查结果。",
    )
    assert "第 2 行" not in answer.text
    assert_refused(not_a_sheet, "文件无法读取")
    assert_refused(not_xlsx, "只能导入 Excel 文件")


def test_the_dashboard_and_the_monthly_report_show_surveys_beside_online_ratings(
    catch_up: Callable[[], object], inspector: TestClient
) -> None:
    post_form(inspector, PAGE, FORM)
    inspector.post(f"{API}/evaluations", json={"window": SAMPLE_WINDOW, "rating": 5})
    catch_up()

    dashboard = inspector.get(
        "/console/dashboard", params={"from": "2026-11-01", "to": "2026-11-30"}
    )
    csv_file = inspector.get(
        "/console/dashboard/satisfaction.csv", params={"from": "2026-11-01", "to": "2026-11-30"}
    )
    report = inspector.get("/console/reports/monthly", params={"month": "2026-11"})

    assert dashboard.status_code == 200
    assert "各窗口满意度：线上评价与满意度调查" in dashboard.text
    assert "纸质问卷样本量" in dashboard.text
    rows = csv_file.content.decode("utf-8-sig").splitlines()
    assert rows[1].endswith(",5.0,4.1,,1,10,0")
    assert report.status_code == 200
    assert "本月满意度调查" in report.text
    assert "线上评价" in report.text
