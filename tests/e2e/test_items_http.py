"""The item catalogue (事项清单, §16) over HTTP and as public pages: anyone lists the items,
filters them and reads each one's one-time notice, printable on A4, without signing in; no
answer or page about an item names a person; `oversight items import` loads the catalogue."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from domain.actor import Actor, Role
from interfaces.bootstrap import Container, sample_items
from tests.e2e.conftest import Tokens, error_of, get, monthly_report
from tests.factories import API, INSPECTOR, a_complaint_body, posted
from tests.support import START
from tests.web_support import post_form, signed_in

ADMIN = Actor("admin-items", Role.ADMIN)
DAY = START.date().isoformat()


@pytest.fixture
def catalogue(container: Container, catch_up: Callable[[], object]) -> int:
    """The sample catalogue imported and projected; the number of items."""
    items = sample_items(container.supervision.check_item_in_directory)
    container.supervision.import_items(items, ADMIN)
    catch_up()
    return len(items)


def test_anyone_lists_the_catalogue_without_signing_in(client: TestClient, catalogue: int) -> None:
    listed = get(client, "/items", {})

    assert len(listed["items"]) == catalogue
    first = listed["items"][0]
    assert first["code"] == min(item["code"] for item in listed["items"])
    assert first["sample"] is True
    assert first["department_name"]


def test_the_list_filters_by_department_zone_one_trip_and_words(
    client: TestClient, catalogue: int
) -> None:
    by_department = get(client, "/items", {}, department="public-security")["items"]
    by_zone = get(client, "/items", {}, zone="水电气暖专区")["items"]
    several_trips = get(client, "/items", {}, at_most_one_trip="false")["items"]
    by_words = get(client, "/items", {}, q="公积金")["items"]

    assert by_department
    assert {i["department"] for i in by_department} == {"public-security"}
    assert by_zone
    assert {i["zone"] for i in by_zone} == {"水电气暖专区"}
    assert several_trips
    assert not any(i["at_most_one_trip"] for i in several_trips)
    assert by_words
    assert all("公积金" in i["name"] for i in by_words)


def test_one_item_comes_with_its_materials_and_window_names(
    client: TestClient, catalogue: int
) -> None:
    item = get(client, "/items/BDC-002", {})

    assert item["name"] == "房屋买卖转移登记"
    assert item["window_names"] == ["不动产登记综合受理窗口", "不动产登记综合受理窗口"]
    assert item["materials"][0]["form_label"] == "原件"
    assert item["frequency_label"] == "高频"
    assert item["promised_working_days"] == 3


def test_an_unknown_item_is_not_found_and_a_malformed_code_refused(
    client: TestClient, catalogue: int
) -> None:
    assert error_of(client.get(f"{API}/items/NOPE-1")) == (404, "item_not_found")
    assert client.get(f"{API}/items/bad%20code").status_code == 422
    assert client.get(f"{API}/items", params={"q": "a\x00b"}).status_code == 422
    assert client.get(f"{API}/items", params={"colour": "red"}).status_code == 422


def test_a_dropped_item_is_withdrawn_listed_no_more_but_still_readable(
    client: TestClient, container: Container, catalogue: int, catch_up: Callable[[], object]
) -> None:
    items = sample_items()
    kept = [replace(i, promised_working_days=1) if i.code == "GA-002" else i for i in items]
    result = container.supervision.import_items([i for i in kept if i.code != "GA-001"], ADMIN)
    catch_up()

    assert (result.revised, result.withdrawn) == (1, 1)
    listed = get(client, "/items", {}, after=result.position)["items"]
    assert "GA-001" not in {i["code"] for i in listed}
    assert get(client, "/items/GA-001", {})["withdrawn"] is True
    revised = get(client, "/items/GA-002", {})
    assert (revised["promised_working_days"], revised["version"]) == (1, 2)


# The pages -----------------------------------------------------------------------------------


def test_the_public_home_links_to_the_guide_and_the_guide_to_each_notice(
    client: TestClient, catalogue: int
) -> None:
    assert 'href="/items"' in client.get("/").text

    guide = client.get("/items", params={"department": "notary", "at_most_one_trip": "1"})

    assert guide.status_code == 200
    assert 'href="/items/GZ-001"' in guide.text
    assert 'href="/items/BDC-001"' not in guide.text
    assert "示例数据" in guide.text


def test_the_guide_takes_blank_filters_as_a_form_sends_them(
    client: TestClient, catalogue: int
) -> None:
    guide = client.get("/items", params={"department": "", "zone": "", "q": ""})

    assert guide.status_code == 200
    assert len(re.findall(r'href="/items/[^"]+"', guide.text)) == catalogue


def test_the_printable_one_time_notice_renders_with_its_materials(
    client: TestClient, catalogue: int
) -> None:
    page = client.get("/items/GA-002")

    assert page.status_code == 200
    assert 'lang="zh-CN"' in page.text
    assert "一次性告知书" in page.text
    assert "居民身份证换领" in page.text
    assert "原居民身份证" in page.text
    assert "居民户口簿" in page.text
    assert "20 个工作日" in page.text
    assert "data-print" in page.text
    css = client.get("/static/oversight.css").text
    assert "@page { size: A4" in css
    assert ".item-notice" in css


def test_an_unknown_items_page_is_not_found_in_chinese(client: TestClient, catalogue: int) -> None:
    page = client.get("/items/NOPE-1")

    assert page.status_code == 404
    assert "未找到该事项" in page.text


def test_no_item_answer_or_page_names_a_person(
    client: TestClient, container: Container, catalogue: int
) -> None:
    staff = container.supervision.directory().staff
    answers = [
        client.get(f"{API}/items").text,
        client.get(f"{API}/items/GA-002").text,
        client.get("/items").text,
        client.get("/items/GA-002").text,
        client.get("/items/BDC-002").text,
    ]

    for text in answers:
        assert not any(member.name in text for member in staff)
        assert "phone" not in text
        assert "手机号" not in text


# Cases and ratings naming an item, and the item metrics ------------------------------------


def test_a_case_names_an_item_of_the_catalogue_and_an_unknown_one_is_refused(
    client: TestClient, tokens: Tokens, catalogue: int
) -> None:
    case = posted(client, "/cases", tokens.operator, a_complaint_body(item="BDC-002"))
    refused = client.post(
        f"{API}/cases", json=a_complaint_body(item="NOPE-1"), headers=tokens.operator
    )
    malformed = client.post(
        f"{API}/cases", json=a_complaint_body(item="BDC\x00002"), headers=tokens.operator
    )

    assert case["item"] == "BDC-002"
    assert error_of(refused) == (422, "unknown_item")
    assert malformed.status_code == 422


def test_a_rating_names_an_item_and_a_withdrawn_item_is_refused(
    client: TestClient, container: Container, catalogue: int
) -> None:
    rated = client.post(
        f"{API}/evaluations", json={"window": "W-A01", "rating": 4, "item": "BDC-002"}
    )
    container.supervision.import_items([i for i in sample_items() if i.code != "BDC-002"], ADMIN)
    withdrawn = client.post(
        f"{API}/evaluations", json={"window": "W-A01", "rating": 4, "item": "BDC-002"}
    )

    assert rated.status_code == 201
    assert rated.json()["item"] == "BDC-002"
    assert error_of(withdrawn) == (422, "unknown_item")


def test_the_item_metrics_count_cases_by_category_bad_ratings_and_several_trips(
    client: TestClient,
    tokens: Tokens,
    catalogue: int,
    catch_up: Callable[[], object],
) -> None:
    for category in ("多次跑动", "多次跑动", "服务态度"):
        posted(
            client, "/cases", tokens.operator, a_complaint_body(item="BDC-002", category=category)
        )
    posted(client, "/cases", tokens.operator, a_complaint_body(item="GA-003", category="多次跑动"))
    for rating in (1, 2, 5):
        client.post(
            f"{API}/evaluations", json={"window": "W-A01", "rating": rating, "item": "BDC-002"}
        )
    catch_up()
    catch_up()  # the bad ratings' case, opened by the policy, names the item too

    metrics = get(client, "/metrics/items", tokens.inspector, **{"from": DAY, "to": DAY})
    by_code = {m["code"]: m for m in metrics["items"]}

    transfer = by_code["BDC-002"]
    # One client's two bad ratings of a window on one day go to one case (未分类).
    assert transfer["cases_by_category"] == {"多次跑动": 2, "服务态度": 1, "未分类": 1}
    assert (transfer["ratings"], transfer["bad_ratings"], transfer["several_trips"]) == (3, 2, 2)
    # GA-003 is not promised in one trip: its complaint of several trips is not counted so.
    assert by_code["GA-003"]["several_trips"] == 0
    assert by_code["GA-003"]["cases"] == 1
    assert by_code["BDC-001"]["cases"] == 0


def test_the_item_metrics_are_for_the_centres_staff(
    client: TestClient, tokens: Tokens, catalogue: int
) -> None:
    period = {"from": DAY, "to": DAY}

    assert client.get(f"{API}/metrics/items", params=period).status_code == 401
    assert (
        client.get(f"{API}/metrics/items", params=period, headers=tokens.department).status_code
        == 403
    )
    assert (
        client.get(f"{API}/metrics/items", params=period, headers=tokens.operator).status_code
        == 200
    )


def test_the_operators_intake_form_offers_the_items_and_names_the_chosen_one(
    client: TestClient, container: Container, catalogue: int
) -> None:
    operator = signed_in(client, container, Role.OPERATOR)
    form = operator.get("/console/cases/new").text

    assert '<label for="item">事项</label>' in form
    assert "BDC-002 房屋买卖转移登记" in form
    answer = post_form(
        operator,
        "/console/cases/new",
        {
            "kind": "complaint",
            "channel": "walk_in",
            "window": "W-A01",
            "category": "多次跑动",
            "summary": "材料一次没说清，跑了三次",
            "item": "BDC-002",
        },
    )
    assert answer.status_code == 303, answer.text
    case_id = UUID(answer.headers["location"].split("/")[3])
    assert container.supervision.get_case(case_id, INSPECTOR).item == "BDC-002"


def test_inspectors_see_the_item_metrics_page(
    client: TestClient,
    container: Container,
    tokens: Tokens,
    catalogue: int,
    catch_up: Callable[[], object],
) -> None:
    posted(client, "/cases", tokens.operator, a_complaint_body(item="BDC-002", category="多次跑动"))
    catch_up()
    inspector = signed_in(client, container, Role.INSPECTOR)

    page = inspector.get("/console/item-metrics", params={"from": DAY, "to": DAY})

    assert page.status_code == 200
    assert "BDC-002 房屋买卖转移登记" in page.text
    assert 'href="/console/item-metrics"' in inspector.get("/console/").text


def test_the_monthly_report_has_the_months_item_metrics_after_its_other_sections(
    client: TestClient, tokens: Tokens, catalogue: int, catch_up: Callable[[], object]
) -> None:
    posted(client, "/cases", tokens.operator, a_complaint_body(item="BDC-002", category="多次跑动"))
    catch_up()
    month = START.strftime("%Y-%m")

    report = monthly_report(client, tokens.inspector, month=month)

    [item] = report.answer["items"]
    assert (item["code"], item["several_trips"]) == ("BDC-002", 1)
    assert report.workbook.sheetnames[-1] == "事项"
    assert "多次跑动投诉" in report.csv_text.split("\r\n\r\n")[-1]
    inspector = signed_in(client, client.app.state.container, Role.INSPECTOR)
    page = inspector.get("/console/reports/monthly", params={"month": month}).text
    assert "本月事项统计" in page
    assert "BDC-002 房屋买卖转移登记" in page
