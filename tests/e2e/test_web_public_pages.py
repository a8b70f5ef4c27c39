"""The public pages through the ASGI client: every page answers in Chinese with the security
headers, every form is refused without the visitor's token or from another origin, and the
forms do what the API does."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from interfaces.bootstrap import Container
from tests.e2e.conftest import Tokens, error_of
from tests.factories import SAMPLE_DEPARTMENT, SAMPLE_WINDOW
from tests.web_support import assert_shows

API = "/api/v1"
ORIGIN = "http://testserver"
UNKNOWN_PAIR = {"tracking_number": "HL20261127-0001", "access_code": "ABCDE-FGHJK"}
PUBLIC_PAGES = ["/", "/status", f"/rate/{SAMPLE_WINDOW}", "/red-list", "/blue-list"]
COMPLAINT = {
    "kind": "complaint",
    "channel": "hotline",
    "window": SAMPLE_WINDOW,
    "summary": "窗口工作人员态度生硬",
    "details": "办理不动产登记时被要求反复提交材料",
    "complainant": {"name": "王芳", "phone": "13812345678"},
}


def form_token(client: TestClient, page: str = "/status") -> str:
    """Open a page as a visitor would, and read the form token the layout hands out."""
    response = client.get(page)
    assert response.status_code == 200, response.text
    found = re.search(r'name="csrf-token" content="([^"]+)"', response.text)
    assert found is not None
    return found.group(1)


def submit(
    client: TestClient, url: str, data: dict[str, str], *, origin: str | None = ORIGIN
) -> Any:
    """Post a form as the page would: with the visitor's token, from the service's origin."""
    token = form_token(client)
    headers = {"Origin": origin} if origin else {}
    return client.post(
        url, data={**data, "csrf_token": token}, headers=headers, follow_redirects=False
    )


@pytest.fixture
def registered(
    client: TestClient, tokens: Tokens, catch_up: Callable[[], object]
) -> dict[str, Any]:
    response = client.post(f"{API}/cases", json=COMPLAINT, headers=tokens.operator)
    assert response.status_code == 201, response.text
    catch_up()
    return response.json()


# The frame -------------------------------------------------------------------------------------


@pytest.mark.parametrize("page", PUBLIC_PAGES)
def test_every_public_page_answers_in_chinese_with_a_main_landmark(
    client: TestClient, page: str
) -> None:
    response = client.get(page)

    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert_shows(response, '<html lang="zh-CN">', '<main id="main"', "政务服务中心")


@pytest.mark.parametrize("page", PUBLIC_PAGES)
def test_every_public_page_carries_the_security_headers(client: TestClient, page: str) -> None:
    headers = client.get(page).headers

    policy = headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers.get_list("referrer-policy") == ["same-origin"]


@pytest.mark.parametrize("page", PUBLIC_PAGES)
def test_no_page_holds_inline_script(client: TestClient, page: str) -> None:
    html = client.get(page).text

    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts
    assert all(' src="/static/' in tag for tag in scripts)
    assert not re.search(r"<script\b[^>]*>\s*[^<\s]", html)
    assert not re.search(r"\son[a-z]+=", html)


def test_the_api_keeps_its_own_headers_and_json_errors(client: TestClient) -> None:
    response = client.get(f"{API}/no-such-route")

    assert error_of(response) == (404, "not_found")
    assert response.headers["referrer-policy"] == "no-referrer"
    assert "content-security-policy" not in response.headers


def test_an_unknown_page_is_a_chinese_404_page(client: TestClient) -> None:
    response = client.get("/no-such-page")

    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "页面不存在" in response.text


def test_the_vendored_scripts_and_their_licences_are_served(client: TestClient) -> None:
    for path in (
        "/static/vendor/htmx/htmx.min.js",
        "/static/vendor/htmx/LICENSE",
        "/static/vendor/echarts/echarts.min.js",
        "/static/vendor/echarts/LICENSE",
        "/static/oversight.js",
        "/static/oversight.css",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["x-content-type-options"] == "nosniff"


def test_a_visitor_keeps_one_form_token_across_pages(client: TestClient) -> None:
    first = form_token(client, "/")
    again = form_token(client, "/status")

    assert first == again
    assert "oversight_form_token" in client.cookies


# CSRF ----------------------------------------------------------------------------------------


def test_a_form_without_the_token_is_refused_with_a_chinese_403(client: TestClient) -> None:
    form_token(client)

    response = client.post(
        "/status",
        data={"tracking_number": "HL20261127-0001", "access_code": "ABCDE-FGHJK"},
        headers={"Origin": ORIGIN},
    )

    assert response.status_code == 403
    assert "页面已过期或来自其他网站" in response.text


@pytest.mark.parametrize(
    "origin", ["https://evil.example", None], ids=["another origin", "no origin at all"]
)
def test_a_form_from_another_origin_or_naming_none_is_refused_in_chinese(
    client: TestClient, origin: str | None
) -> None:
    response = submit(
        client,
        "/status",
        {"tracking_number": "HL20261127-0001", "access_code": "ABCDE-FGHJK"},
        origin=origin,
    )

    assert response.status_code == 403
    assert "页面已过期或来自其他网站" in response.text


def test_a_referer_of_the_service_stands_in_for_a_missing_origin(client: TestClient) -> None:
    token = form_token(client)

    response = client.post(
        "/status",
        data={
            "tracking_number": "HL20261127-0001",
            "access_code": "ABCDE-FGHJK",
            "csrf_token": token,
        },
        headers={"Referer": f"{ORIGIN}/status"},
    )

    assert response.status_code == 404  # past the check: no such case


def test_another_visitors_token_or_a_forged_cookie_is_refused(
    client: TestClient, container: Container
) -> None:
    mine = form_token(client)
    someone_elses = container.cookie_signer.new_token()
    data = {"tracking_number": "HL20261127-0001", "access_code": "ABCDE-FGHJK"}

    theirs = client.post(
        "/status", data={**data, "csrf_token": someone_elses}, headers={"Origin": ORIGIN}
    )
    client.cookies.set("oversight_form_token", "forged.value")
    forged = client.post(
        "/status", data={**data, "csrf_token": "forged.value"}, headers={"Origin": ORIGIN}
    )

    assert mine != someone_elses
    assert theirs.status_code == 403
    assert forged.status_code == 403


def test_htmx_requests_may_send_the_token_as_a_header(client: TestClient) -> None:
    token = form_token(client)

    response = client.post(
        "/status",
        data={"tracking_number": "HL20261127-0001", "access_code": "ABCDE-FGHJK"},
        headers={"Origin": ORIGIN, "X-CSRF-Token": token},
    )

    assert response.status_code == 404


# The status query ---------------------------------------------------------------------------


def test_a_citizen_sees_the_kind_status_and_department_of_their_case(
    client: TestClient, registered: dict[str, Any]
) -> None:
    response = submit(
        client,
        "/status",
        {
            "tracking_number": registered["tracking_number"].lower(),
            "access_code": registered["access_code"],
        },
    )

    assert response.status_code == 200, response.text
    assert_shows(response, "投诉", "已登记", "2026-11-27 10:00")
    assert "王芳" not in response.text
    assert "13812345678" not in response.text


def test_a_wrong_code_and_an_unknown_number_get_the_same_page(
    client: TestClient, registered: dict[str, Any]
) -> None:
    number = registered["tracking_number"]
    code = registered["access_code"]
    wrong = ("A" if code[0] != "A" else "B") + code[1:]
    unknown = number[:-4] + ("9999" if not number.endswith("9999") else "9998")

    wrong_answer = submit(client, "/status", {"tracking_number": number, "access_code": wrong})
    unknown_answer = submit(client, "/status", {"tracking_number": unknown, "access_code": code})

    assert wrong_answer.status_code == unknown_answer.status_code == 404
    assert "流水号或提取码不正确" in wrong_answer.text
    assert wrong_answer.text.replace(number, "N") == unknown_answer.text.replace(unknown, "N")


def test_repeated_failed_lookups_are_slowed_down_politely_in_chinese(client: TestClient) -> None:
    answers = [
        submit(
            client,
            "/status",
            {"tracking_number": f"HL20261127-{n:04d}", "access_code": "ABCDE-FGHJK"},
        )
        for n in range(1, 13)
    ]

    assert answers[0].status_code == 404
    assert answers[-1].status_code == 429
    assert "请在" in answers[-1].text
    assert "秒后再试" in answers[-1].text
    assert answers[-1].headers["retry-after"].isdigit()


@pytest.mark.parametrize("bad", ["HL2026\x00127-0001", "HL20261127-0001\x01"])
def test_control_characters_in_a_status_query_are_refused_in_chinese(
    client: TestClient, bad: str
) -> None:
    response = submit(client, "/status", {"tracking_number": bad, "access_code": "ABCDE-FGHJK"})

    assert response.status_code == 422
    assert "无法保存的字符" in response.text


def test_a_malformed_status_query_names_the_field_in_chinese(client: TestClient) -> None:
    response = submit(client, "/status", {"tracking_number": "12", "access_code": ""})

    assert response.status_code == 422
    assert "流水号：格式不正确" in response.text
    assert "提取码：" in response.text


# Rating --------------------------------------------------------------------------------------


def test_the_rating_form_names_the_window_and_its_department(client: TestClient) -> None:
    html = client.get(f"/rate/{SAMPLE_WINDOW}").text

    assert SAMPLE_WINDOW in html
    assert "不动产登记" in html
    for choice in ("非常不满意", "不满意", "一般", "满意", "非常满意"):
        assert f">{choice}</label>" in html
    assert_shows(html, "<legend>评价</legend>", 'for="comment">意见</label>', ">提交评价</button>")


def test_a_one_star_rating_through_the_form_opens_a_case(
    client: TestClient, tokens: Tokens, catch_up: Callable[[], object]
) -> None:
    response = submit(
        client, f"/rate/{SAMPLE_WINDOW}", {"rating": "1", "comment": "工作人员玩手机不理人"}
    )

    assert response.status_code == 303
    assert response.headers["location"] == "/"
    thanks = client.get("/")
    assert "感谢您对" in thanks.text
    assert "转为投诉件" in thanks.text
    assert "感谢您对" not in client.get("/").text  # shown once
    catch_up()
    cases = client.get(f"{API}/cases?channel=rating", headers=tokens.operator).json()["items"]
    (case,) = cases
    assert case["assigned_department"] == SAMPLE_DEPARTMENT
    assert case["channel_label"] == "差评转办"
    assert "工作人员玩手机不理人" in case["summary"]


def test_a_good_rating_through_the_form_opens_no_case(
    client: TestClient, tokens: Tokens, catch_up: Callable[[], object]
) -> None:
    response = submit(client, f"/rate/{SAMPLE_WINDOW}", {"rating": "5"})
    catch_up()

    assert response.status_code == 303
    assert client.get(f"{API}/cases?channel=rating", headers=tokens.operator).json()["items"] == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"rating": "1", "comment": "太慢\x00了"}, "无法保存的字符"),
        ({"rating": "1", "comment": "\x1b[31m"}, "无法保存的字符"),
        ({"comment": "没有选择"}, "评价：请填写"),
        ({"rating": "9"}, "评价：格式不正确"),
        ({"rating": "-1"}, "评价：格式不正确"),
        ({"rating": "99999999999999999999999"}, "评价：格式不正确"),
        ({"rating": "1", "comment": "长" * 1001}, "意见：内容过长"),
    ],
)
def test_a_bad_rating_form_is_refused_in_chinese_and_records_nothing(
    client: TestClient,
    tokens: Tokens,
    data: dict[str, str],
    message: str,
    catch_up: Callable[[], object],
) -> None:
    response = submit(client, f"/rate/{SAMPLE_WINDOW}", data)
    catch_up()

    assert response.status_code == 422
    assert message in response.text
    assert client.get(f"{API}/cases?channel=rating", headers=tokens.operator).json()["items"] == []


@pytest.mark.parametrize("window", ["W-Z99", "no window", "W%00A01", "x" * 65])
def test_an_unknown_window_is_a_chinese_page_never_a_500(client: TestClient, window: str) -> None:
    page = client.get(f"/rate/{window}")
    posted = submit(client, f"/rate/{window}", {"rating": "1"})

    for response in (page, posted):
        assert response.status_code in (404, 422)
        assert response.headers["content-type"].startswith("text/html")
        assert "未找到该窗口" in response.text or "无法保存的字符" in response.text


# Lists ---------------------------------------------------------------------------------------


def test_the_lists_are_printable(client: TestClient) -> None:
    for page in ("/red-list", "/blue-list"):
        html = client.get(page).text
        assert "data-print" in html
    css = client.get("/static/oversight.css").text
    assert "@media print" in css


def test_a_list_of_a_future_month_or_a_malformed_day_is_refused_in_chinese(
    client: TestClient,
) -> None:
    future = client.get("/red-list?month=2099-01")
    malformed = client.get("/blue-list?date=2026-13-45")

    assert future.status_code == 422
    assert "尚未到来" in future.text
    assert malformed.status_code == 422
    assert "提交的内容不符合要求" in malformed.text


def test_a_tampered_flash_message_is_not_shown(client: TestClient) -> None:
    client.cookies.set("oversight_flash", "WyJzdWNjZXNzIiwi5Lyq6YCgIl0.forged")

    assert "伪造" not in client.get("/").text


def test_the_public_limit_per_client_is_a_polite_chinese_page(
    client: TestClient, container: Container
) -> None:
    container.public_requests.amount = 2  # type: ignore[attr-defined]

    answers = [client.get("/red-list") for _ in range(3)]

    assert [a.status_code for a in answers] == [200, 200, 429]
    assert "您的操作过于频繁" in answers[-1].text
    assert answers[-1].headers["retry-after"].isdigit()


def test_a_failure_of_the_service_is_a_chinese_500_page(
    client: TestClient, container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken() -> None:
        raise RuntimeError("the directory could not be read")

    monkeypatch.setattr(container.supervision, "list_windows", broken)

    response = client.get("/")

    assert response.status_code == 500
    assert "服务暂时出现故障" in response.text
    assert "RuntimeError" not in response.text
