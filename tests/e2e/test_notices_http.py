"""Notices (通报, §15) over HTTP: inspectors publish, edit drafts and withdraw; anyone reads
what is published without signing in; the 5-day supervision flag drafts one, once; and no
answer about a notice ever carries the people of its subject case."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from interfaces.bootstrap import Container
from tests.e2e.conftest import Tokens, error_of, get, monthly_report, position
from tests.factories import API, SAMPLE_WINDOW, posted
from tests.notice_story import (
    COMPLAINANT_NAME,
    COMPLAINANT_PHONE,
    a_notice_draft,
    flagged_case,
)
from tests.support import SettableTimeSource

NOTICE = {
    "title": "关于不动产登记窗口的通报",
    "text": "该窗口未落实一次性告知，予以通报批评。",
    "kind": "criticism",
    "subject": {"type": "window", "id": SAMPLE_WINDOW},
}


def publish(client: TestClient, tokens: Tokens, **fields: Any) -> Any:
    return posted(client, "/notices", tokens.inspector, {**NOTICE, **fields})


def no_identity_in(text: str) -> None:
    assert COMPLAINANT_NAME not in text
    assert COMPLAINANT_PHONE not in text
    assert COMPLAINANT_PHONE[-4:] not in text


def test_an_inspectors_notice_is_read_by_anyone_without_signing_in(
    client: TestClient, tokens: Tokens, catch_up: Callable[[], object]
) -> None:
    published = publish(client, tokens, kind="commendation")
    catch_up()

    listed = get(client, "/notices", {}, after=published["position"])
    one = get(client, f"/notices/{published['id']}", {})

    assert [item["id"] for item in listed["items"]] == [published["id"]]
    assert one["status"] == "published"
    assert (one["kind_label"], one["subject"]["name"]) == ("表扬", "不动产登记综合受理窗口")
    assert one["subject"]["type_label"] == "窗口"


def test_a_notice_about_a_case_shows_its_number_and_category_and_never_its_people(
    client: TestClient, tokens: Tokens, catch_up: Callable[[], object], supervised_case_id: UUID
) -> None:
    case = get(client, f"/cases/{supervised_case_id}", tokens.inspector)
    tracking_number = case["tracking_number"]

    published = publish(
        client,
        tokens,
        subject={"type": "case", "id": str(supervised_case_id)},
        title="关于推诿的通报",
    )
    catch_up()
    after = {"after": published["position"]}

    answers = [
        client.get(f"{API}/notices", params=after),
        client.get(f"{API}/notices/{published['id']}"),
        client.get(f"{API}/reports/monthly", params=after, headers=tokens.inspector),
        client.get(
            f"{API}/reports/monthly", params={**after, "format": "csv"}, headers=tokens.inspector
        ),
        client.get("/notices"),
        client.get(f"/notices/{published['id']}"),
    ]
    assert all(answer.status_code == 200 for answer in answers)
    for answer in answers:
        no_identity_in(answer.text)
    assert tracking_number in answers[0].text
    assert "推诿扯皮" in answers[1].text
    assert tracking_number in answers[4].text
    assert tracking_number in answers[5].text


def test_the_monthly_report_lists_the_months_notices_in_every_format(
    client: TestClient, tokens: Tokens, catch_up: Callable[[], object]
) -> None:
    published = publish(client, tokens)
    withdrawn = posted(
        client, f"/notices/{published['id']}/withdraw", tokens.inspector, {"reason": "有误"}
    )
    catch_up()
    query = {"after": withdrawn["position"]}

    report = monthly_report(client, tokens.inspector, **query)

    (notice,) = report.answer["notices"]
    assert (notice["title"], notice["status"]) == (NOTICE["title"], "withdrawn")
    assert NOTICE["title"] in report.csv_text
    assert "已撤回" in report.csv_text
    cells = report.cells("通报")
    assert NOTICE["title"] in cells
    assert "已撤回" in cells


def test_a_withdrawn_notice_stays_listed_marked_withdrawn_with_its_reason(
    client: TestClient, tokens: Tokens, catch_up: Callable[[], object]
) -> None:
    first = publish(client, tokens, title="第一份通报")
    second = publish(client, tokens, title="第二份通报")

    withdrawn = posted(
        client, f"/notices/{first['id']}/withdraw", tokens.inspector, {"reason": "对象认定有误"}
    )
    catch_up()
    listed = get(client, "/notices", {}, after=withdrawn["position"])

    assert [(i["title"], i["status_label"]) for i in listed["items"]] == [
        ("第二份通报", "已发布"),
        ("第一份通报", "已撤回"),
    ]
    assert listed["items"][1]["withdraw_reason"] == "对象认定有误"
    assert second["status"] == "published"


def test_the_list_pages_newest_first(
    client: TestClient, tokens: Tokens, catch_up: Callable[[], object]
) -> None:
    for number in range(3):
        last = publish(client, tokens, title=f"通报 {number}")
    catch_up()

    first = get(client, "/notices", {}, limit=2, after=last["position"])
    rest = get(client, "/notices", {}, limit=2, cursor=first["next"])

    assert [i["title"] for i in first["items"] + rest["items"]] == ["通报 2", "通报 1", "通报 0"]
    assert rest["next"] is None


@pytest.mark.usefixtures("notice_drafted_by_the_flag")
def test_the_supervision_flag_drafts_one_notice_that_an_inspector_edits_and_publishes(
    client: TestClient, tokens: Tokens, container: Container, catch_up: Callable[[], object]
) -> None:
    (draft,) = get(client, "/notice-drafts", tokens.inspector, after=position(container))["items"]
    assert get(client, "/notices", {})["items"] == []
    assert client.get(f"{API}/notices/{draft['id']}").status_code == 404
    no_identity_in(str(draft))

    edited = client.patch(
        f"{API}/notices/{draft['id']}",
        json={"title": "关于超期未办结的通报", "text": "督办后仍未办结。", "kind": "criticism"},
        headers=tokens.inspector,
    )
    published = posted(client, f"/notices/{draft['id']}/publish", tokens.inspector)

    assert edited.status_code == 200
    assert (published["status"], published["title"]) == ("published", "关于超期未办结的通报")
    catch_up()
    listed = get(client, "/notices", {}, after=published["position"])
    assert [i["id"] for i in listed["items"]] == [draft["id"]]
    assert get(client, "/notice-drafts", tokens.inspector)["items"] == []


def test_another_worker_after_a_restart_drafts_nothing_more(
    client: TestClient,
    tokens: Tokens,
    container: Container,
    time_source: SettableTimeSource,
) -> None:
    flagged_case(container.supervision, time_source)
    for _ in range(2):  # a worker, then another one as after a restart
        worker = container.worker()
        worker.run_once()
        worker.close()

    drafts = get(client, "/notice-drafts", tokens.inspector, after=position(container))
    assert len(drafts["items"]) == 1


# Refusals --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"subject": {"type": "window", "id": "W-Z99"}}, "notice_subject_not_found"),
        ({"subject": {"type": "staff", "id": "S9999"}}, "notice_subject_not_found"),
        ({"subject": {"type": "department", "id": "nowhere"}}, "notice_subject_not_found"),
        (
            {"subject": {"type": "case", "id": "00000000-0000-4000-8000-000000000000"}},
            "notice_subject_not_found",
        ),
        ({"subject": {"type": "order", "id": "W-A01"}}, "notice_subject_not_found"),
        ({"subject": {"type": "planet", "id": "W-A01"}}, "invalid_request"),
        ({"subject": {"type": "window", "id": "W A01\u0000"}}, "invalid_character"),
        ({"title": ""}, "invalid_request"),
        ({"title": "   "}, "invalid_request"),
        ({"title": "标" * 101}, "invalid_request"),
        ({"text": "文" * 5_001}, "invalid_request"),
        ({"text": "正文\u0000"}, "invalid_character"),
        ({"title": "标题\u0007"}, "invalid_character"),
        ({"kind": "praise"}, "invalid_request"),
        ({"kind": 1}, "invalid_request"),
        ({"extra": True}, "invalid_request"),
    ],
)
def test_a_notice_with_bad_input_is_refused_with_a_code(
    client: TestClient, tokens: Tokens, fields: dict[str, Any], code: str
) -> None:
    response = client.post(f"{API}/notices", json={**NOTICE, **fields}, headers=tokens.inspector)

    assert error_of(response) == (422, code)


def test_only_inspectors_publish_edit_and_withdraw(client: TestClient, tokens: Tokens) -> None:
    published = publish(client, tokens)
    for headers, status in ((tokens.operator, 403), (tokens.department, 403), ({}, 401)):
        assert client.post(f"{API}/notices", json=NOTICE, headers=headers).status_code == status
        assert (
            client.post(
                f"{API}/notices/{published['id']}/withdraw", json={"reason": "x"}, headers=headers
            ).status_code
            == status
        )
    assert client.get(f"{API}/notice-drafts").status_code == 401


def test_what_a_notices_state_forbids_is_refused_with_a_code(
    client: TestClient, tokens: Tokens, container: Container
) -> None:
    published = publish(client, tokens)
    draft = a_notice_draft(container.supervision)
    words = {k: NOTICE[k] for k in ("title", "text", "kind")}
    notice_of = f"{API}/notices/{published['id']}"

    answers = {
        "edit published": client.patch(notice_of, json=words, headers=tokens.inspector),
        "publish twice": client.post(f"{notice_of}/publish", headers=tokens.inspector),
        "withdraw a draft": client.post(
            f"{API}/notices/{draft}/withdraw", json={"reason": "x"}, headers=tokens.inspector
        ),
        "withdraw without reason": client.post(
            f"{notice_of}/withdraw", json={"reason": " "}, headers=tokens.inspector
        ),
        "unknown": client.get(f"{API}/notices/00000000-0000-4000-8000-000000000000"),
        "a draft, publicly": client.get(f"{API}/notices/{draft}"),
        "not a uuid": client.get(f"{API}/notices/12345"),
    }

    assert {name: error_of(answer) for name, answer in answers.items()} == {
        "edit published": (409, "notice_not_draft"),
        "publish twice": (409, "notice_not_draft"),
        "withdraw a draft": (409, "notice_not_published"),
        "withdraw without reason": (422, "invalid_request"),
        "unknown": (404, "notice_not_found"),
        "a draft, publicly": (404, "notice_not_found"),
        "not a uuid": (422, "invalid_request"),
    }


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 0},
        {"limit": 10**20},
        {"limit": -1},
        {"cursor": "!!"},
        {"cursor": "cDk5OTk5OTk5OTk5OTk5OTk5OTk5OTk"},
        {"after": -1},
        {"sort": "x"},
    ],
)
def test_bad_list_parameters_are_refused_with_a_code(
    client: TestClient, params: dict[str, Any]
) -> None:
    assert client.get(f"{API}/notices", params=params).status_code in (400, 422)
