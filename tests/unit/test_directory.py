"""The directory: reconciling to a spec, its guards, post history and the directory file."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from _pytest.mark import ParameterSet

from domain.actor import Actor, Role
from domain.directory import (
    DIRECTORY_ID,
    Department,
    Directory,
    DirectorySpec,
    DuplicateDirectoryId,
    EmptyName,
    InactiveEntryInSpec,
    InvalidDirectorySpec,
    InvalidPost,
    PostHeldTwice,
    StaffMember,
    UnknownDepartment,
    UnknownWindow,
    Window,
    WindowNotInDepartment,
)
from infrastructure.directory_file import (
    DirectoryFileError,
    read_directory_file,
    sample_directory,
)

ADMIN = Actor(principal="admin-1", role=Role.ADMIN, request_id="req-1")
# 10:00 in the centre (UTC+8) on each day
MARCH_2 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
MARCH_5 = datetime(2026, 3, 5, 2, 0, tzinfo=UTC)

TAXATION = Department(id="taxation", name="税务局", name_en="Taxation Bureau")
REAL_ESTATE = Department(
    id="real-estate-registration", name="不动产登记中心", name_en="Real Estate Registration Centre"
)
TAX_WINDOW = Window(id="W-C01", name="综合办税窗口", department="taxation", zone="税务服务专区")
DEEDS_WINDOW = Window(
    id="W-A01",
    name="不动产登记综合受理窗口",
    department="real-estate-registration",
    zone="不动产登记专区",
)
WANG = StaffMember(id="S0001", name="王丽华", department="taxation", window="W-C01", post="A")
LI = StaffMember(id="S0002", name="李建国", department="taxation", window="W-C01", post="B")
ZHAO = StaffMember(
    id="S0003", name="赵敏", department="real-estate-registration", window="W-A01", post="A"
)
CHEN = StaffMember(id="S0004", name="陈晓东", department="taxation")

SPEC = DirectorySpec(
    departments=(TAXATION, REAL_ESTATE),
    windows=(TAX_WINDOW, DEEDS_WINDOW),
    staff=(WANG, LI, ZHAO, CHEN),
)


@pytest.fixture
def directory() -> Directory:
    directory = Directory.create(ADMIN, MARCH_2)
    directory.reconcile(SPEC, ADMIN, MARCH_2)
    directory.collect_events()
    return directory


def recorded(directory: Directory) -> list[tuple[str, dict[str, object]]]:
    """The names and changes of the events recorded since the last collection."""
    return [
        (type(event).__name__, getattr(event, "changes", {}))
        for event in directory.collect_events()
    ]


def test_the_directory_is_created_with_its_well_known_id_at_the_given_moment() -> None:
    directory = Directory.create(ADMIN, MARCH_2)

    [created] = directory.collect_events()
    assert directory.id == DIRECTORY_ID
    assert isinstance(created, Directory.Created)
    assert created.actor == ADMIN
    assert created.timestamp == MARCH_2
    assert directory.departments == ()


def test_reconciling_a_new_spec_records_departments_then_windows_then_staff() -> None:
    directory = Directory.create(ADMIN, MARCH_2)
    directory.collect_events()

    count = directory.reconcile(SPEC, ADMIN, MARCH_2)

    events = directory.collect_events()
    assert count == len(events) == 8
    assert [type(event).__name__ for event in events] == [
        "DepartmentAdded",
        "DepartmentAdded",
        "WindowOpened",
        "WindowOpened",
        "StaffJoined",
        "StaffJoined",
        "StaffJoined",
        "StaffJoined",
    ]
    assert all(event.actor == ADMIN and event.timestamp == MARCH_2 for event in events)
    assert directory.departments == (REAL_ESTATE, TAXATION)
    assert directory.windows == (DEEDS_WINDOW, TAX_WINDOW)
    assert directory.staff == (WANG, LI, ZHAO, CHEN)
    assert directory.window_department("W-A01") == "real-estate-registration"


def test_reconciling_the_same_spec_twice_records_nothing_the_second_time(
    directory: Directory,
) -> None:
    count = directory.reconcile(SPEC, ADMIN, MARCH_5)

    assert count == 0
    assert recorded(directory) == []


def test_a_change_records_only_the_changed_fields(directory: Directory) -> None:
    moved_window = replace(TAX_WINDOW, zone="综合受理区")
    renamed_staff = replace(CHEN, name="陈晓冬")

    count = directory.reconcile(
        replace(SPEC, windows=(moved_window, DEEDS_WINDOW), staff=(WANG, LI, ZHAO, renamed_staff)),
        ADMIN,
        MARCH_5,
    )

    assert count == 2
    assert recorded(directory) == [
        ("WindowChanged", {"zone": "综合受理区"}),
        ("StaffChanged", {"name": "陈晓冬"}),
    ]
    assert directory.window("W-C01") == moved_window


def test_entries_left_out_of_the_spec_are_retired_staff_first(directory: Directory) -> None:
    smaller = DirectorySpec(departments=(TAXATION,), windows=(TAX_WINDOW,), staff=(WANG, LI, CHEN))

    count = directory.reconcile(smaller, ADMIN, MARCH_5)

    assert count == 3
    assert [name for name, _ in recorded(directory)] == [
        "StaffLeft",
        "WindowClosed",
        "DepartmentRetired",
    ]
    assert directory.departments == (TAXATION,)
    assert directory.department("real-estate-registration") == replace(REAL_ESTATE, active=False)
    assert directory.window("W-A01") == replace(DEEDS_WINDOW, active=False)
    assert directory.staff_member("S0003") == replace(ZHAO, active=False)
    assert directory.reconcile(smaller, ADMIN, MARCH_5) == 0


def test_a_retired_entry_that_reappears_is_made_active_again(directory: Directory) -> None:
    directory.reconcile(replace(SPEC, staff=(WANG, LI, ZHAO)), ADMIN, MARCH_2)
    directory.collect_events()

    count = directory.reconcile(SPEC, ADMIN, MARCH_5)

    assert count == 1
    assert recorded(directory) == [("StaffChanged", {"active": True})]
    assert directory.staff_member("S0004") == CHEN


def test_unknown_entries_are_none() -> None:
    directory = Directory.create(ADMIN, MARCH_2)

    assert directory.department("nowhere") is None
    assert directory.window("W-Z99") is None
    assert directory.staff_member("S9999") is None
    assert directory.window_department("W-Z99") is None


# The wire code each refusal answers with.
CODES: dict[type[InvalidDirectorySpec], str] = {
    UnknownDepartment: "unknown_department",
    UnknownWindow: "unknown_window",
    WindowNotInDepartment: "window_not_in_department",
    DuplicateDirectoryId: "duplicate_directory_id",
    InvalidPost: "invalid_post",
    PostHeldTwice: "post_held_twice",
    EmptyName: "empty_name",
    InactiveEntryInSpec: "inactive_entry_in_spec",
}


def breaking(case_id: str, error: type[InvalidDirectorySpec], **change: object) -> ParameterSet:
    """SPEC with `change` made to it, which the directory refuses with `error`."""
    return pytest.param(replace(SPEC, **change), error, id=case_id)


@pytest.mark.parametrize(
    ("spec", "error"),
    [
        breaking(
            "window-in-unknown-department",
            UnknownDepartment,
            windows=(replace(TAX_WINDOW, department="nowhere"), DEEDS_WINDOW),
        ),
        breaking(
            "staff-in-unknown-department",
            UnknownDepartment,
            staff=(replace(CHEN, department="nowhere"),),
        ),
        breaking("staff-at-unknown-window", UnknownWindow, staff=(replace(WANG, window="W-Z99"),)),
        breaking(
            "window-of-other-department",
            WindowNotInDepartment,
            staff=(replace(WANG, window="W-A01"),),
        ),
        breaking(
            "duplicate-department",
            DuplicateDirectoryId,
            departments=(TAXATION, REAL_ESTATE, replace(TAXATION, name="税务")),
        ),
        breaking("duplicate-staff", DuplicateDirectoryId, staff=(WANG, replace(LI, id="S0001"))),
        breaking("post-other-than-a-or-b", InvalidPost, staff=(replace(WANG, post="C"),)),
        breaking("post-without-window", InvalidPost, staff=(replace(CHEN, post="A"),)),
        breaking("two-on-one-post", PostHeldTwice, staff=(WANG, replace(LI, post="A"))),
        breaking(
            "empty-department-name",
            EmptyName,
            departments=(replace(TAXATION, name=" "), REAL_ESTATE),
        ),
        breaking("empty-zone", EmptyName, windows=(replace(TAX_WINDOW, zone=""), DEEDS_WINDOW)),
        breaking("empty-staff-name", EmptyName, staff=(replace(WANG, name=""),)),
        breaking(
            "inactive-entry",
            InactiveEntryInSpec,
            departments=(TAXATION, replace(REAL_ESTATE, active=False)),
        ),
    ],
)
def test_a_spec_breaking_a_rule_is_refused_with_its_code_and_nothing_is_recorded(
    directory: Directory, spec: DirectorySpec, error: type[InvalidDirectorySpec]
) -> None:
    version_before = directory.version

    with pytest.raises(error) as refusal:
        directory.reconcile(spec, ADMIN, MARCH_5)

    assert refusal.value.code == CODES[error]
    assert refusal.value.message
    assert directory.version == version_before
    assert recorded(directory) == []
    assert directory.staff == SPEC.staff


def test_staff_on_post_answers_by_day_after_the_post_changes_hands(directory: Directory) -> None:
    successor = StaffMember(
        id="S0005", name="刘洋", department="taxation", window="W-C01", post="A"
    )
    directory.reconcile(replace(SPEC, staff=(successor, LI, ZHAO, CHEN)), ADMIN, MARCH_5)

    assert directory.staff_on_post("W-C01", "A", date(2026, 3, 1)) is None
    assert directory.staff_on_post("W-C01", "A", date(2026, 3, 2)) == "S0001"
    assert directory.staff_on_post("W-C01", "A", date(2026, 3, 4)) == "S0001"
    assert directory.staff_on_post("W-C01", "A", date(2026, 3, 5)) == "S0005"
    assert directory.staff_on_post("W-C01", "B", date(2026, 3, 5)) == "S0002"


def test_a_post_swapped_between_a_and_b_is_answered_for_both_posts(directory: Directory) -> None:
    swapped = (replace(WANG, post="B"), replace(LI, post="A"), ZHAO, CHEN)

    directory.reconcile(replace(SPEC, staff=swapped), ADMIN, MARCH_5)

    assert directory.staff_on_post("W-C01", "A", date(2026, 3, 5)) == "S0002"
    assert directory.staff_on_post("W-C01", "B", date(2026, 3, 5)) == "S0001"
    assert directory.staff_on_post("W-C01", "A", date(2026, 3, 3)) == "S0001"


def test_a_post_left_empty_has_nobody_on_it_from_that_day(directory: Directory) -> None:
    directory.reconcile(replace(SPEC, staff=(WANG, ZHAO, CHEN)), ADMIN, MARCH_5)

    assert directory.staff_on_post("W-C01", "B", date(2026, 3, 4)) == "S0002"
    assert directory.staff_on_post("W-C01", "B", date(2026, 3, 5)) is None


def test_a_change_after_midnight_in_the_centre_counts_for_the_centres_day(
    directory: Directory,
) -> None:
    one_am_march_4_in_the_centre = datetime(2026, 3, 3, 17, 0, tzinfo=UTC)

    directory.reconcile(
        replace(SPEC, staff=(WANG, ZHAO, CHEN)), ADMIN, one_am_march_4_in_the_centre
    )

    assert directory.staff_on_post("W-C01", "B", date(2026, 3, 3)) == "S0002"
    assert directory.staff_on_post("W-C01", "B", date(2026, 3, 4)) is None


def test_the_sample_directory_has_thirty_departments_in_the_hall_and_about_110_staff() -> None:
    spec = sample_directory()

    department_ids = {department.id for department in spec.departments}
    superiors = {department.superior for department in spec.departments}
    department_ids -= superiors - {window.department for window in spec.windows}
    assert len(department_ids) == 30
    assert 100 <= len(spec.staff) <= 120
    assert 50 <= len(spec.windows) <= 70
    assert all(window.department in department_ids for window in spec.windows)
    assert department_ids == {window.department for window in spec.windows}
    a_posts = {member.window for member in spec.staff if member.post == "A"}
    assert a_posts == {window.id for window in spec.windows}
    assert any(member.window is None for member in spec.staff)


def test_the_sample_directory_reconciles_cleanly_and_only_once() -> None:
    spec = sample_directory()
    directory = Directory.create(ADMIN, MARCH_2)

    count = directory.reconcile(spec, ADMIN, MARCH_2)

    assert count == len(spec.departments) + len(spec.windows) + len(spec.staff)
    assert len(directory.staff) == len(spec.staff)
    assert directory.reconcile(spec, ADMIN, MARCH_5) == 0


def test_a_directory_file_is_read_into_a_spec(tmp_path: Path) -> None:
    path = tmp_path / "directory.yaml"
    path.write_text(
        """
departments:
  - {id: taxation, name: 税务局, name_en: Taxation Bureau}
windows:
  - {id: W-C01, name: 综合办税窗口, department: taxation, zone: 税务服务专区}
staff:
  - {id: S0001, name: 王丽华, department: taxation, window: W-C01, post: A}
  - {id: S0004, name: 陈晓东, department: taxation}
""",
        encoding="utf-8",
    )

    spec = read_directory_file(path)

    assert spec == DirectorySpec(departments=(TAXATION,), windows=(TAX_WINDOW,), staff=(WANG, CHEN))


@pytest.mark.parametrize(
    ("content", "named"),
    [
        pytest.param("- just\n- a list\n", ["mapping"], id="not-a-mapping"),
        pytest.param("departments: [\n", ["YAML"], id="not-yaml"),
        pytest.param("departments: []\nwindows: []\n", ["staff"], id="missing-section"),
        pytest.param(
            "departments: []\nwindows: []\nstaff: []\nrooms: []\n", ["rooms"], id="unknown-section"
        ),
        pytest.param(
            "departments: {taxation: 税务局}\nwindows: []\nstaff: []\n",
            ["departments", "list"],
            id="section-not-a-list",
        ),
        pytest.param(
            "departments: [taxation]\nwindows: []\nstaff: []\n",
            ["departments[0]", "mapping"],
            id="entry-not-a-mapping",
        ),
        pytest.param(
            "departments: [{id: taxation, name: 税务局}]\nwindows: []\nstaff: []\n",
            ["departments[0]", "'taxation'", "'name_en'"],
            id="missing-field",
        ),
        pytest.param(
            "departments: []\nwindows: []\nstaff: [{id: 7, name: 王丽华, department: taxation}]\n",
            ["staff[0]", "'id'", "int"],
            id="number-for-id",
        ),
        pytest.param(
            "departments: []\nwindows: []\n"
            "staff: [{id: S1, name: 王丽华, department: taxation, post: [A]}]\n",
            ["staff[0]", "'S1'", "'post'"],
            id="list-for-post",
        ),
        pytest.param(
            "departments: []\nwindows: []\n"
            "staff: [{id: S1, name: 王丽华, department: taxation, windw: W-C01}]\n",
            ["staff[0]", "'windw'"],
            id="unknown-field",
        ),
    ],
)
def test_a_malformed_directory_file_is_refused_naming_the_entry_and_field(
    tmp_path: Path, content: str, named: list[str]
) -> None:
    path = tmp_path / "directory.yaml"
    path.write_text(content, encoding="utf-8")

    with pytest.raises(DirectoryFileError) as refusal:
        read_directory_file(path)

    assert all(part in str(refusal.value) for part in named), str(refusal.value)
