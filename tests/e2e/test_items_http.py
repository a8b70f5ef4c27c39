"""The item catalogue (事项清单, §16) over HTTP and as public pages: anyone lists the items,
filters them and reads each one's one-time notice, printable on A4, without signing in; no
answer or page about an item names a person; `oversight items import` loads the catalogue."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient

from domain.actor import Actor, Role
from interfaces.bootstrap import Container, sample_items
from tests.e2e.conftest import error_of, get
from tests.factories import API

ADMIN = Actor("admin-items", Role.ADMIN)


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
