"""Reorganisation (机构改革) end to end: the `oversight directory import` command, the API's
boards, history and tokens, and the administrator's directory pages.

A file keeps a retired department with `successor: <department id>`; importing it hands the
department's open cases and orders to the successor with their deadlines, and its accounts
and tokens stop working. A file that simply drops a department, window or staff member open
work still names is refused, naming each and its open work, and records nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from uuid import UUID

from fastapi.testclient import TestClient

from domain.actor import Role
from interfaces.bootstrap import Container
from tests.e2e.conftest import Tokens, error_of, get, position
from tests.e2e.test_cli import run_with
from tests.e2e.test_web_admin import post_file
from tests.factories import ADMIN, API, INSPECTOR, assigned_case, issued_order
from tests.reorganisation import DEEDS, FUND, MARKET, MERGED, TAXATION, reorganised, written
from tests.support import SettableTimeSource, command_environment
from tests.web_support import ORIGIN, form_token, signed_in

ROOT = Path(__file__).resolve().parents[2]
DIRECTORY_PAGE = "/console/admin/directory"


def oversight(database_url: str, *args: str) -> object:
    """`oversight` with these arguments, running this checkout's code."""
    env = {**command_environment(database_url), "PYTHONPATH": str(ROOT)}
    return run_with(env, *args)


def number_of(container: Container, case_id: UUID) -> str:
    return container.supervision.get_case(case_id, INSPECTOR).tracking_number


def order_number(container: Container, order_id: UUID) -> str:
    return container.supervision.get_order(order_id, INSPECTOR).tracking_number


def board_items(client: TestClient, department: str, headers: dict[str, str]) -> dict[str, dict]:
    return {
        item["id"]: item
        for item in get(client, f"/departments/{department}/board", headers)["items"]
    }


# The command -----------------------------------------------------------------------------------


def test_the_command_refuses_a_file_dropping_a_department_with_open_work_and_records_nothing(
    database_url: str, container: Container, tmp_path: Path
) -> None:
    case_id = assigned_case(container.supervision)
    order_id = issued_order(container.supervision, window=None)
    before = position(container)

    refused = oversight(
        database_url,
        "directory",
        "import",
        str(written(reorganised(drop_departments=[DEEDS]), tmp_path / "d.yaml")),
    )

    assert refused.returncode == 2  # type: ignore[attr-defined]
    said = refused.stderr  # type: ignore[attr-defined]
    assert f"department {DEEDS}: " in said
    assert number_of(container, case_id) in said
    assert order_number(container, order_id) in said
    assert "window W-A01: " in said
    assert position(container) == before


def test_the_command_retires_a_department_into_its_successor_and_says_what_it_handed_over(
    database_url: str, container: Container, tmp_path: Path
) -> None:
    assigned_case(container.supervision)
    issued_order(container.supervision)
    path = written(reorganised(retire={DEEDS: TAXATION}), tmp_path / "d.yaml")

    first = oversight(database_url, "directory", "import", str(path))
    again = oversight(database_url, "directory", "import", str(path))

    assert first.returncode == 0, first.stderr  # type: ignore[attr-defined]
    assert "2 open cases and orders handed to successors" in first.stdout  # type: ignore[attr-defined]
    assert again.stdout.strip().endswith("0 changes recorded")  # type: ignore[attr-defined]
    assert not container.supervision.directory().department(DEEDS).active


def test_the_command_refuses_an_unknown_retired_or_circular_successor(
    database_url: str, container: Container, tmp_path: Path
) -> None:
    files = {
        "does not list": reorganised(retire={DEEDS: "nowhere"}),
        "retires too": reorganised(retire={DEEDS: TAXATION, TAXATION: MARKET}),
        "circle": reorganised(retire={DEEDS: FUND, FUND: DEEDS}),
    }
    before = position(container)

    for said, spec in files.items():
        refused = oversight(
            database_url, "directory", "import", str(written(spec, tmp_path / "d.yaml"))
        )
        assert refused.returncode == 2  # type: ignore[attr-defined]
        assert said in refused.stderr  # type: ignore[attr-defined]
    assert position(container) == before


# The API ---------------------------------------------------------------------------------------


def test_a_merge_moves_open_work_to_the_successors_board_with_its_deadlines_and_keeps_history(
    client: TestClient,
    container: Container,
    tokens: Tokens,
    catch_up: Callable[[], object],
    time_source: SettableTimeSource,
) -> None:
    app = container.supervision
    deeds_case, fund_case = assigned_case(app), assigned_case(app, department=FUND, window=None)
    order_id = issued_order(app)
    catch_up()
    deeds_board = board_items(client, DEEDS, tokens.inspector)
    fund_board = board_items(client, FUND, tokens.inspector)

    app.import_directory(
        reorganised(retire={DEEDS: MERGED.id, FUND: MERGED.id}, add=[MERGED]), ADMIN
    )
    catch_up()

    merged = board_items(client, MERGED.id, tokens.inspector)
    assert set(merged) == {str(deeds_case), str(fund_case), str(order_id)}
    for before in (*deeds_board.values(), *fund_board.values()):
        after = merged[before["id"]]
        assert (after["due_at"], after["acknowledge_due_at"]) == (
            before["due_at"],
            before["acknowledge_due_at"],
        )
    history = get(client, f"/cases/{deeds_case}/history", tokens.inspector)["items"]
    assigned = next(entry for entry in history if entry["type"] == "Assigned")
    handed = history[-1]
    assert assigned["fields"]["department"] == DEEDS
    assert handed["type"] == "HandedToSuccessor"
    assert (handed["fields"]["from_department"], handed["fields"]["to_department"]) == (
        DEEDS,
        MERGED.id,
    )
    departments = {d["id"] for d in get(client, "/departments", tokens.inspector)["items"]}
    assert MERGED.id in departments
    assert DEEDS not in departments

    # The retired department's token is refused once the moment it was trusted has passed.
    time_source.advance(seconds=2)
    refused = client.get(f"{API}/cases/{deeds_case}", headers=tokens.department)
    assert error_of(refused) == (401, "department_retired")
    assert client.get(f"{API}/departments", headers=tokens.other_department).status_code == 200


def test_a_split_sends_each_open_case_to_the_department_now_running_its_window(
    client: TestClient, container: Container, tokens: Tokens, catch_up: Callable[[], object]
) -> None:
    app = container.supervision
    on_a01, on_a05 = assigned_case(app, window="W-A01"), assigned_case(app, window="W-A05")

    app.import_directory(
        reorganised(retire={DEEDS: TAXATION}, windows_to={"W-A04": MARKET, "W-A05": MARKET}),
        ADMIN,
    )
    catch_up()

    assert str(on_a01) in board_items(client, TAXATION, tokens.inspector)
    assert str(on_a05) in board_items(client, MARKET, tokens.inspector)
    staff = get(client, "/staff", tokens.inspector, department=MARKET)["items"]
    assert {"S0008", "S0009"} <= {member["id"] for member in staff}


# The console -----------------------------------------------------------------------------------


def test_the_import_page_refuses_a_file_dropping_open_work_naming_each_in_chinese(
    client: TestClient, container: Container, tmp_path: Path
) -> None:
    case_id = assigned_case(container.supervision, staff="S0001")
    signed_in(client, container, Role.ADMIN, username="admin.reorg", name="王管理")
    before = position(container)
    content = written(reorganised(drop_departments=[DEEDS]), tmp_path / "d.yaml").read_text()

    refused = post_file(client, DIRECTORY_PAGE, "import", content)

    assert refused.status_code == 422
    number = number_of(container, case_id)
    assert "仍有未办结的工单或整改通知" in refused.text
    assert f"部门 不动产登记中心（{DEEDS}） 仍有未办结事项：{number}" in refused.text
    assert f"工作人员 韩蕾（S0001） 仍有未办结事项：{number}" in refused.text
    assert position(container) == before


def test_the_directory_page_shows_retired_departments_and_their_successor(
    client: TestClient, container: Container, tmp_path: Path
) -> None:
    assigned_case(container.supervision)
    signed_in(client, container, Role.ADMIN, username="admin.reorg", name="王管理")
    content = written(reorganised(retire={DEEDS: TAXATION}), tmp_path / "d.yaml").read_text()

    imported = post_file(client, DIRECTORY_PAGE, "import", content)
    page = client.get(DIRECTORY_PAGE).text

    assert imported.status_code == 303
    assert "已撤并部门（1）" in page
    assert f"<td>{DEEDS}</td><td>不动产登记中心</td><td>已撤并</td>" in page
    assert f"→ 税务局（{TAXATION}）" in page


def test_a_retired_departments_accounts_can_no_longer_sign_in_or_use_their_session(
    client: TestClient, container: Container
) -> None:
    issued = container.accounts.create_account(
        username="deeds.desk", name="不动产窗口", role=Role.DEPARTMENT, department=DEEDS, by=ADMIN
    )
    signed_in(client, container, Role.DEPARTMENT, username="deeds.old", department=DEEDS)
    assert client.get("/console/").status_code == 200

    container.supervision.import_directory(reorganised(retire={DEEDS: TAXATION}), ADMIN)

    ended = client.get("/console/")
    assert ended.status_code == 403
    assert "所属部门已撤并" in ended.text
    assert client.get("/console/", follow_redirects=False).status_code == 303  # signed out

    refused = client.post(
        "/console/sign-in",
        data={
            "username": "deeds.desk",
            "password": issued.password,
            "csrf_token": form_token(client, "/console/sign-in"),
        },
        headers={"Origin": ORIGIN},
        follow_redirects=False,
    )
    assert refused.status_code == 403
    assert "所属部门已撤并" in refused.text
