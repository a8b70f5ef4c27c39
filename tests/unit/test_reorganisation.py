"""Reorganisation (机构改革, DESIGN §15): retiring a department hands its open cases and orders
to its successor; an import that would leave open work with nobody is refused whole.

The domain's rules first (the directory's spec checks, who takes each piece of work over),
then the application on the in-memory event store."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from uuid import UUID

import pytest

from application.projections.appeal_list import AppealListProjection
from application.projections.case_assignments import CaseAssignmentsProjection
from application.projections.case_list import CaseListProjection
from application.projections.order_list import OrderListProjection
from application.supervision import Supervision
from domain.actor import Actor, Role
from domain.calendar import WorkingCalendar
from domain.case import NotAssignedDepartment, Status
from domain.directory import (
    Department,
    DepartmentOutOfService,
    Directory,
    DirectorySpec,
    EmptyName,
    EntryOfRetiringDepartment,
    Leaving,
    StaffMember,
    SuccessorCycle,
    SuccessorRetiring,
    UnknownDepartment,
    UnknownSuccessor,
    Window,
)
from domain.rectification import OrderStatus
from domain.reorganisation import Holding, OpenWorkLeftBehind, handovers
from domain.scorecard import SourceType
from domain.task import NotHeld
from infrastructure.conduct_file import default_conduct_rules
from infrastructure.directory_file import DirectoryFileError, parse_directory_file
from tests.factories import (
    ADMIN,
    SAMPLE_DEPARTMENT_ACTOR,
    a_deduction,
    acknowledged_case,
    assigned_case,
    issued_order,
    issued_token,
    registered_case,
)
from tests.reorganisation import DEEDS, FUND, MARKET, MERGED, TAXATION, reorganised
from tests.support import DIRECTORY_ADMIN, SettableTimeSource
from tests.unit.projection_fold import folded

AT = datetime(2026, 11, 27, 2, tzinfo=UTC)
SYSTEM = Actor.system()


def directory_of(*departments: Department, windows: tuple[Window, ...] = ()) -> Directory:
    directory = Directory.create(SYSTEM, AT)
    directory.reconcile(DirectorySpec(tuple(departments), windows), SYSTEM, AT)
    directory.collect_events()
    return directory


def department(key: str, successor: str | None = None) -> Department:
    return Department(key, f"部门{key}", f"Department {key}", successor=successor)


def work(number: str, held_by: str | None, window: str | None = None, staff: str | None = None):
    return SimpleNamespace(tracking_number=number, held_by=held_by, window=window, staff=staff)


# The directory's rules ---------------------------------------------------------------------


def test_a_department_kept_with_a_successor_is_retired_naming_its_successor() -> None:
    directory = directory_of(department("a"), department("b"))

    directory.reconcile(DirectorySpec((department("a", "b"), department("b"))), SYSTEM, AT)

    (event,) = directory.collect_events()
    assert isinstance(event, Directory.DepartmentRetired)
    assert (event.department_id, event.successor) == ("a", "b")
    assert [d.id for d in directory.departments] == ["b"]
    assert directory.retired_departments == (
        Department("a", "部门a", "Department a", active=False, successor="b"),
    )


def test_importing_the_same_retirement_again_records_nothing() -> None:
    directory = directory_of(department("a"), department("b"))
    spec = DirectorySpec((department("a", "b"), department("b")))
    directory.reconcile(spec, SYSTEM, AT)

    assert directory.reconcile(spec, SYSTEM, AT) == 0


def test_a_retired_department_listed_again_without_successor_is_back_and_went_to_nobody() -> None:
    directory = directory_of(department("a"), department("b"))
    directory.reconcile(DirectorySpec((department("a", "b"), department("b"))), SYSTEM, AT)

    directory.reconcile(DirectorySpec((department("a"), department("b"))), SYSTEM, AT)

    assert directory.department("a") == department("a")


def test_a_department_simply_left_out_is_retired_with_no_successor() -> None:
    directory = directory_of(department("a"), department("b"))

    leaving = directory.leaving(DirectorySpec((department("b"),)))

    assert leaving.departments == {"a": None}


@pytest.mark.parametrize(
    ("departments", "refusal"),
    [
        ((department("a", "c"), department("b")), UnknownSuccessor),
        ((department("a", "b"), department("b", "c"), department("c")), SuccessorRetiring),
        ((department("a", "b"), department("b", "a")), SuccessorCycle),
        ((department("a", "a"), department("b")), SuccessorCycle),
    ],
    ids=["unknown", "itself retiring", "a cycle", "itself"],
)
def test_a_successor_must_be_a_department_the_file_keeps(
    departments: tuple[Department, ...], refusal: type[Exception]
) -> None:
    directory = directory_of(department("a"), department("b"))

    with pytest.raises(refusal) as refused:
        directory.reconcile(DirectorySpec(departments), SYSTEM, AT)

    assert directory.collect_events() == []
    if refusal is SuccessorCycle:
        assert "a → " in str(refused.value)


def test_a_cycle_is_refused_naming_the_chain() -> None:
    spec = DirectorySpec((department("a", "b"), department("b", "a"), department("c")))

    with pytest.raises(SuccessorCycle, match="a → b → a"):
        directory_of(department("a"), department("b")).leaving(spec)


def test_a_window_left_with_a_retiring_department_is_refused() -> None:
    window = Window("W1", "窗口", "a", "一区")
    spec = DirectorySpec((department("a", "b"), department("b")), (window,))

    with pytest.raises(EntryOfRetiringDepartment):
        directory_of(department("a"), department("b"), windows=(window,)).leaving(spec)


def test_staff_left_with_a_retiring_department_are_refused() -> None:
    spec = DirectorySpec(
        (department("a", "b"), department("b")), staff=(StaffMember("S1", "张", "a"),)
    )

    with pytest.raises(EntryOfRetiringDepartment):
        directory_of(department("a"), department("b")).leaving(spec)


def test_a_retired_department_refuses_to_be_acted_for_and_an_active_one_does_not() -> None:
    directory = directory_of(department("a"), department("b"))
    directory.reconcile(DirectorySpec((department("a", "b"), department("b"))), SYSTEM, AT)

    directory.require_in_service("b")
    directory.require_in_service(None)
    with pytest.raises(DepartmentOutOfService, match="went to b"):
        directory.require_in_service("a")


# Who takes the work over -------------------------------------------------------------------

LEAVING = Leaving(
    departments={"a": "b", "gone": None},
    windows=frozenset({"W-closed"}),
    staff=frozenset({"S-gone"}),
    window_departments={"W-moved": "c", "W-kept": "a2"},
)


def test_open_work_of_a_retired_department_goes_to_its_successor() -> None:
    task = work("HL-1", "a")

    assert handovers(LEAVING, [task]) == [(task, "b")]


def test_in_a_split_work_goes_to_the_department_now_running_its_window() -> None:
    moved, unmoved = work("HL-1", "a", window="W-moved"), work("HL-2", "a", window="W-x")

    assert handovers(LEAVING, [moved, unmoved]) == [(moved, "c"), (unmoved, "b")]


def test_work_of_departments_that_stay_is_left_alone() -> None:
    assert handovers(LEAVING, [work("HL-1", "b"), work("HL-2", None)]) == []


def test_dropping_entries_open_work_names_is_refused_naming_each_and_its_work() -> None:
    tasks = [
        work("HL-2", "gone"),
        work("HL-1", "b", window="W-closed"),
        work("ZG-1", "b", staff="S-gone"),
        work("HL-3", "gone"),
    ]

    with pytest.raises(OpenWorkLeftBehind) as refused:
        handovers(LEAVING, tasks)

    assert refused.value.holdings == (
        Holding("department", "gone", ("HL-2", "HL-3")),
        Holding("window", "W-closed", ("HL-1",)),
        Holding("staff", "S-gone", ("ZG-1",)),
    )
    assert refused.value.code == "open_work_left_behind"
    assert "gone: HL-2, HL-3" in refused.value.message


# The application, on the in-memory event store -----------------------------------------------


def test_a_merge_hands_each_open_case_and_order_to_the_successor_with_its_deadlines(
    supervision: Supervision, inspector: Actor
) -> None:
    in_hand = acknowledged_case(supervision)
    waiting = registered_case(supervision, window=None, department=FUND)
    order = issued_order(supervision, department=FUND, window=None)
    before = supervision.get_case(in_hand, inspector)

    result = supervision.import_directory(
        reorganised(retire={DEEDS: MERGED.id, FUND: MERGED.id}, add=[MERGED]), ADMIN
    )

    assert result.handed_over == 3
    after = supervision.get_case(in_hand, inspector)
    assert (after.assigned_department, after.department) == (MERGED.id, MERGED.id)
    assert after.status == Status.IN_PROGRESS
    assert (after.acknowledge_deadline, after.deadline) == (
        before.acknowledge_deadline,
        before.deadline,
    )
    registered = supervision.get_case(waiting, inspector)
    assert (registered.department, registered.assigned_department) == (MERGED.id, None)
    handed_order = supervision.get_order(order, inspector)
    assert handed_order.department == MERGED.id
    assert handed_order.status == OrderStatus.ISSUED
    history = supervision.case_history(in_hand, inspector)
    assert history[-1].type == "HandedToSuccessor"
    assert history[-1].fields["from_department"] == DEEDS
    assert history[-1].fields["to_department"] == MERGED.id
    assert any(entry.type == "Assigned" for entry in history)


def test_the_successor_acts_on_the_case_handed_over_and_the_retired_department_cannot(
    supervision: Supervision,
) -> None:
    case_id = assigned_case(supervision)
    supervision.import_directory(reorganised(retire={DEEDS: TAXATION}), ADMIN)

    taxation = Actor("tax-1", Role.DEPARTMENT, department=TAXATION)
    assert supervision.acknowledge_case(case_id, taxation).status == Status.IN_PROGRESS
    with pytest.raises(NotAssignedDepartment):
        supervision.acknowledge_case(case_id, SAMPLE_DEPARTMENT_ACTOR)


def test_a_split_sends_each_case_to_the_department_now_running_its_window(
    supervision: Supervision, inspector: Actor
) -> None:
    on_a01 = assigned_case(supervision, window="W-A01")
    on_a05 = assigned_case(supervision, window="W-A05")

    supervision.import_directory(
        reorganised(retire={DEEDS: TAXATION}, windows_to={"W-A04": MARKET, "W-A05": MARKET}),
        ADMIN,
    )

    assert supervision.get_case(on_a01, inspector).assigned_department == TAXATION
    assert supervision.get_case(on_a05, inspector).assigned_department == MARKET
    assert supervision.directory().window("W-A05").department == MARKET


def test_dropping_a_department_holding_open_work_is_refused_and_nothing_is_recorded(
    supervision: Supervision, inspector: Actor
) -> None:
    case_id = assigned_case(supervision)
    number = supervision.get_case(case_id, inspector).tracking_number
    order = issued_order(supervision)
    order_number = supervision.get_order(order, inspector).tracking_number
    before = supervision.recorder.max_notification_id()

    with pytest.raises(OpenWorkLeftBehind) as refused:
        supervision.import_directory(reorganised(drop_departments=[DEEDS]), ADMIN)

    assert refused.value.holdings[0] == Holding(
        "department", DEEDS, tuple(sorted([number, order_number]))
    )
    # Its windows W-A01 go too: the case and order name it.
    assert Holding("window", "W-A01", tuple(sorted([number, order_number]))) in (
        refused.value.holdings
    )
    assert supervision.recorder.max_notification_id() == before
    assert supervision.directory().department(DEEDS).active


def test_dropping_a_staff_member_an_open_case_names_is_refused(
    supervision: Supervision, inspector: Actor
) -> None:
    case_id = assigned_case(supervision, staff="S0001")
    number = supervision.get_case(case_id, inspector).tracking_number

    with pytest.raises(OpenWorkLeftBehind) as refused:
        supervision.import_directory(reorganised(drop_staff=["S0001"]), ADMIN)

    assert refused.value.holdings == (Holding("staff", "S0001", (number,)),)


def test_dropping_a_department_with_no_open_work_is_allowed(supervision: Supervision) -> None:
    result = supervision.import_directory(reorganised(drop_departments=["water-supply"]), ADMIN)

    assert result.changes > 0
    assert not supervision.directory().department("water-supply").active


def test_a_case_handed_over_once_is_not_handed_again_when_the_file_is_imported_again(
    supervision: Supervision,
) -> None:
    assigned_case(supervision)
    spec = reorganised(retire={DEEDS: TAXATION})
    supervision.import_directory(spec, ADMIN)

    again = supervision.import_directory(spec, ADMIN)

    assert (again.changes, again.handed_over) == (0, 0)


def test_the_tokens_of_a_retired_department_stop_working(
    supervision: Supervision, time_source: SettableTimeSource
) -> None:
    retired = issued_token(supervision, Role.DEPARTMENT, department=DEEDS)
    kept = issued_token(supervision, Role.DEPARTMENT, department=TAXATION)
    assert supervision.sign_in(retired.token) is not None

    supervision.import_directory(reorganised(retire={DEEDS: TAXATION}), ADMIN)

    with pytest.raises(DepartmentOutOfService):
        supervision.sign_in(retired.token)
    assert supervision.sign_in(kept.token) is not None
    with pytest.raises(UnknownDepartment):
        issued_token(supervision, Role.DEPARTMENT, department=DEEDS)


def test_a_verified_order_is_nobodys_open_work_and_leaves_the_department_free_to_go(
    supervision: Supervision, inspector: Actor
) -> None:
    order_id = issued_order(supervision, window=None)
    supervision.acknowledge_order(order_id, SAMPLE_DEPARTMENT_ACTOR)
    supervision.report_rectification(
        order_id, measures="已排班到岗", evidence=None, by=SAMPLE_DEPARTMENT_ACTOR
    )
    supervision.accept_rectification(order_id, note=None, by=inspector)

    supervision.import_directory(reorganised(drop_departments=[DEEDS]), ADMIN)

    assert not supervision.directory().department(DEEDS).active
    order = supervision.repository.get(order_id)
    assert order.held_by is None
    with pytest.raises(NotHeld):
        order.hand_to_successor(successor=TAXATION, by=ADMIN, at=AT)


# The read tables follow the work to the successor --------------------------------------------


def test_the_boards_read_tables_move_handed_over_work_to_the_successor_with_its_deadlines(
    supervision: Supervision, calendar: WorkingCalendar
) -> None:
    case_id = acknowledged_case(supervision)
    order_id = issued_order(supervision)
    store = supervision.repository.event_store
    case_before = folded(CaseListProjection(lambda: calendar, lambda _: "x"), store.get(case_id))
    order_before = folded(OrderListProjection(lambda: calendar), store.get(order_id))

    supervision.import_directory(reorganised(retire={DEEDS: TAXATION}), ADMIN)

    case_row = folded(CaseListProjection(lambda: calendar, lambda _: "x"), store.get(case_id))
    order_row = folded(OrderListProjection(lambda: calendar), store.get(order_id))
    assert (case_row["department"], case_row["assigned_department"]) == (TAXATION, TAXATION)
    assert order_row["department"] == TAXATION
    for before, after in ((case_before, case_row), (order_before, order_row)):
        assert (after["acknowledge_due_at"], after["due_at"]) == (
            before["acknowledge_due_at"],
            before["due_at"],
        )
        assert after["status"] == before["status"]


def test_the_assignments_table_judges_the_retired_department_until_the_handover_then_the_successor(
    supervision: Supervision,
) -> None:
    case_id = acknowledged_case(supervision)

    supervision.import_directory(reorganised(retire={DEEDS: TAXATION}), ADMIN)

    row = folded(CaseAssignmentsProjection(), supervision.repository.event_store.get(case_id))
    retired, successor = row["assignments"]  # type: ignore[misc]
    assert (retired["department"], retired["left_by"]) == (DEEDS, "handed_over")
    assert (successor["department"], successor["left_at"]) == (TAXATION, None)
    assert successor["acknowledged_at"] == retired["acknowledged_at"]
    assert successor["due_at"] == retired["due_at"]
    assert successor["assigned_at"] == retired["left_at"]


# The directory file ----------------------------------------------------------------------------

FILE_HEAD = "departments:\n  - {id: a, name: 甲, name_en: A"
FILE_TAIL = "}\n  - {id: b, name: 乙, name_en: B}\nwindows: []\nstaff: []\n"


def test_a_directory_file_reads_a_departments_successor() -> None:
    spec = parse_directory_file(f"{FILE_HEAD}, successor: b{FILE_TAIL}", "d.yaml")

    assert [(d.id, d.successor) for d in spec.departments] == [("a", "b"), ("b", None)]


@pytest.mark.parametrize(
    ("successor", "code"),
    [
        ("123", "not_text"),
        ("[b]", "not_text"),
        ('"b\\0"', "unstorable"),
        ('"b\\u0007"', "unstorable"),
    ],
    ids=["a number", "a list", "NUL", "a control character"],
)
def test_a_successor_that_is_not_plain_text_is_refused_on_its_line(
    successor: str, code: str
) -> None:
    with pytest.raises(DirectoryFileError) as refused:
        parse_directory_file(f"{FILE_HEAD}, successor: {successor}{FILE_TAIL}", "d.yaml")

    (problem,) = refused.value.problems
    assert (problem.code, problem.line, problem.field) == (code, 2, "successor")


@pytest.mark.parametrize(
    ("successor", "refusal"),
    [('""', EmptyName), ('"  "', EmptyName), ("x" * 5000, UnknownSuccessor)],
    ids=["empty", "blank", "huge"],
)
def test_an_empty_or_unknown_successor_is_refused_by_the_directory(
    successor: str, refusal: type[Exception]
) -> None:
    spec = parse_directory_file(f"{FILE_HEAD}, successor: {successor}{FILE_TAIL}", "d.yaml")

    with pytest.raises(refusal):
        directory_of(department("a"), department("b")).leaving(spec)


def open_appeal(supervision: Supervision, inspector: Actor) -> UUID:
    """A deduction from S0001 (real-estate-registration), appealed by that department."""
    supervision.load_conduct_rules(default_conduct_rules(), DIRECTORY_ADMIN)
    request = a_deduction(
        rule="harsh_attitude",
        occurred_at=AT,
        evidence="暗访录像：言语生硬",
        source_type=SourceType.UNANNOUNCED_VISIT,
    )
    deduction = supervision.record_deduction(request, inspector).id
    return supervision.appeal_deduction(
        deduction, reasons="当事人当时在解释政策", evidence=None, by=SAMPLE_DEPARTMENT_ACTOR
    ).id


def test_dropping_a_department_with_an_open_appeal_is_refused_naming_the_appeal(
    supervision: Supervision, inspector: Actor
) -> None:
    appeal_id = open_appeal(supervision, inspector)
    before = supervision.recorder.max_notification_id()

    with pytest.raises(OpenWorkLeftBehind) as refused:
        supervision.import_directory(
            reorganised(drop_departments=[DEEDS], drop_staff=["S0001"]), ADMIN
        )

    assert refused.value.holdings[0] == Holding("department", DEEDS, (f"appeal {appeal_id}",))
    assert supervision.recorder.max_notification_id() == before


def test_a_retired_departments_open_appeal_goes_to_its_successor_and_its_list_row_too(
    supervision: Supervision, inspector: Actor, calendar: WorkingCalendar
) -> None:
    appeal_id = open_appeal(supervision, inspector)

    result = supervision.import_directory(reorganised(retire={DEEDS: TAXATION}), ADMIN)

    assert result.handed_over == 1
    assert supervision.get_appeal(appeal_id, inspector).department == TAXATION
    projection = AppealListProjection(calendar=lambda: calendar)
    row = folded(projection, supervision.repository.event_store.get(appeal_id))
    assert row["department"] == TAXATION
