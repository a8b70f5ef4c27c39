"""Superior departments (上级主管部门) in the directory, and what a superior reads and directs
through the application (on the in-memory store)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from application.supervision import Supervision
from domain.actor import Actor, Role
from domain.case import Case
from domain.directory import (
    Department,
    Directory,
    DirectorySpec,
    SuperiorCycle,
    UnknownSuperior,
)
from domain.task import NotTheSuperior
from infrastructure.directory_file import DirectoryFileError, parse_directory_file, sample_directory
from tests.factories import (
    ESCALATED_AT,
    INSPECTOR,
    SAMPLE_DEPARTMENT,
    SAMPLE_DEPARTMENT_ACTOR,
    SAMPLE_SUPERIOR,
    SUPERIOR_ACTOR,
    escalated_case,
)
from tests.support import SettableTimeSource
from tests.unit.case_story import at, close_of
from tests.unit.test_directory import ADMIN, MARCH_2, SPEC

BUREAU = Department(id="bureau", name="市自然资源局", name_en="Natural Resources Bureau")


def spec_with(*departments: Department) -> DirectorySpec:
    return replace(SPEC, departments=(*SPEC.departments, *departments))


def test_a_department_is_recorded_with_its_superior() -> None:
    directory = Directory.create(ADMIN, MARCH_2)
    deeds = replace(SPEC.departments[1], superior="bureau")

    directory.reconcile(
        replace(SPEC, departments=(SPEC.departments[0], deeds, BUREAU)), ADMIN, MARCH_2
    )

    assert directory.department(deeds.id) == deeds
    assert directory.superior_of(deeds.id) == "bureau"
    assert directory.superior_of("bureau") is None
    added = [e for e in directory.collect_events() if isinstance(e, Directory.DepartmentAdded)]
    assert {e.department_id: e.superior for e in added}[deeds.id] == "bureau"


def test_a_new_superior_is_recorded_as_a_change_of_the_department() -> None:
    directory = Directory.create(ADMIN, MARCH_2)
    directory.reconcile(spec_with(BUREAU), ADMIN, MARCH_2)
    directory.collect_events()
    taxation = replace(SPEC.departments[0], superior="bureau")

    count = directory.reconcile(
        replace(SPEC, departments=(taxation, SPEC.departments[1], BUREAU)), ADMIN, MARCH_2
    )

    (changed,) = directory.collect_events()
    assert count == 1
    assert isinstance(changed, Directory.DepartmentChanged)
    assert changed.changes == {"superior": "bureau"}


def test_an_unknown_superior_is_refused_and_nothing_is_recorded() -> None:
    directory = Directory.create(ADMIN, MARCH_2)
    directory.collect_events()

    with pytest.raises(UnknownSuperior) as refusal:
        directory.reconcile(spec_with(replace(BUREAU, superior="city-hall")), ADMIN, MARCH_2)

    assert refusal.value.code == "unknown_superior"
    assert "city-hall" in refusal.value.message
    assert directory.collect_events() == []


@pytest.mark.parametrize(
    ("superiors", "chain"),
    [
        pytest.param({"a": "b", "b": "a"}, "a → b → a", id="two departments"),
        pytest.param({"a": "b", "b": "c", "c": "a"}, "a → b → c → a", id="three departments"),
        pytest.param({"a": "a"}, "a → a", id="its own superior"),
        pytest.param({"x": "a", "a": "b", "b": "a"}, "a → b → a", id="a cycle above a chain"),
    ],
)
def test_superiors_that_loop_are_refused_naming_the_chain(
    superiors: dict[str, str], chain: str
) -> None:
    departments = [
        Department(id=key, name=f"部门{key}", name_en=key, superior=above)
        for key, above in superiors.items()
    ]
    directory = Directory.create(ADMIN, MARCH_2)
    directory.collect_events()

    with pytest.raises(SuperiorCycle) as refusal:
        directory.reconcile(spec_with(*departments), ADMIN, MARCH_2)

    assert refusal.value.code == "superior_cycle"
    assert chain in refusal.value.message
    assert directory.collect_events() == []


def test_a_directory_file_names_a_superior_and_refuses_one_that_is_not_text() -> None:
    text = """
departments:
  - {id: bureau, name: 市自然资源局, name_en: Bureau}
  - {id: deeds, name: 不动产登记中心, name_en: Deeds, superior: bureau}
windows: []
staff: []
"""
    spec = parse_directory_file(text, "upload.yaml")
    assert [d.superior for d in spec.departments] == [None, "bureau"]

    with pytest.raises(DirectoryFileError) as refusal:
        parse_directory_file(text.replace("superior: bureau", "superior: [bureau]"), "upload.yaml")
    assert "superior" in str(refusal.value)


def test_the_sample_directory_gives_realistic_superiors_without_cycles() -> None:
    spec = sample_directory()
    directory = Directory.create(ADMIN, MARCH_2)
    directory.reconcile(spec, ADMIN, MARCH_2)

    windows = {window.department for window in spec.windows}
    bureaus = {d.id for d in spec.departments if d.id not in windows}
    assert {"natural-resources-bureau", "market-regulation-bureau"} <= bureaus
    assert directory.superior_of("real-estate-registration") == "natural-resources-bureau"
    assert directory.superior_of("market-regulation") == "market-regulation-bureau"
    # Transitively: the housing bureau is above the utilities bureau, above the water company.
    assert {"public-utilities-bureau", "water-supply", "housing-provident-fund"} <= set(
        directory.subordinates_of("housing-urban-rural-development")
    )
    assert directory.subordinates_of("taxation") == ()


# Through the application ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("department", "board", "reads"),
    [
        pytest.param(SAMPLE_SUPERIOR, SAMPLE_DEPARTMENT, True, id="superior reads subordinate"),
        pytest.param(SAMPLE_SUPERIOR, SAMPLE_SUPERIOR, True, id="superior reads its own"),
        pytest.param(SAMPLE_SUPERIOR, "taxation", False, id="superior of others reads not"),
        pytest.param(SAMPLE_DEPARTMENT, SAMPLE_SUPERIOR, False, id="subordinate reads not up"),
        pytest.param("housing-urban-rural-development", "water-supply", True, id="two levels down"),
        pytest.param("public-utilities-bureau", "housing-provident-fund", False, id="sibling"),
    ],
)
def test_a_department_reads_its_own_board_and_its_subordinates_boards(
    supervision: Supervision, department: str, board: str, reads: bool
) -> None:
    actor = Actor("desk", Role.DEPARTMENT, department=department)

    assert supervision.may_read_board(actor, board) is reads


def test_the_clock_escalates_a_case_to_the_superior_of_its_department(
    supervision: Supervision, time_source: SettableTimeSource
) -> None:
    case_id = escalated_case(supervision, time_source.set)

    events = list(supervision.repository.event_store.get(case_id))
    (escalation,) = [e for e in events if isinstance(e, Case.Escalated)]
    assert (escalation.superior, escalation.escalate_at) == (SAMPLE_SUPERIOR, ESCALATED_AT)
    assert supervision.observe_case_clock(case_id) == 0


def test_the_superior_reads_the_escalated_case_and_directs_it(
    supervision: Supervision, time_source: SettableTimeSource
) -> None:
    case_id = escalated_case(supervision, time_source.set)
    time_source.set(at(12, 29, 11))

    seen = supervision.get_case(case_id, SUPERIOR_ACTOR)
    directed = supervision.direct_case(
        case_id, note="请于五个工作日内办结", working_days=5, by=SUPERIOR_ACTOR
    )

    assert seen.id == case_id
    # Tue 29 Dec: 30, 31 Dec, (1 Jan off, weekend), 4, 5, 6 Jan → Wed 6 Jan 2027
    assert directed.deadline is not None
    assert directed.deadline.due_at == close_of(1, 6, year=2027)
    file = supervision.case_file(case_id, SAMPLE_DEPARTMENT_ACTOR)
    steps = [s.event for s in file.timeline]
    assert steps[-3:] == ["Case.Escalated", "Case.PublicNoticeFlagged", "Case.Directed"]


def test_only_the_superior_directs_an_escalated_case(
    supervision: Supervision, time_source: SettableTimeSource
) -> None:
    case_id = escalated_case(supervision, time_source.set)

    for by in (SAMPLE_DEPARTMENT_ACTOR, INSPECTOR):
        with pytest.raises(NotTheSuperior):
            supervision.direct_case(case_id, note="督办", working_days=3, by=by)
