"""The verbs of the Supervision application on the in-memory event store (DESIGN §3, §5).

The clock starts on Friday 27 November 2026, 10:00 in the service centre; every deadline below
is counted by hand on the 2026 calendar (no public holiday between 20 November and 31 December,
so only weekends are skipped).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import pytest

from application.cases import HistoryForInspectors
from application.supervision import Supervision
from domain.access import AccessToken, TokenRoleInvalid, token_id
from domain.actor import Actor, DepartmentRequired, Role
from domain.case import (
    CaseNotAcknowledged,
    CaseNotFound,
    Channel,
    Kind,
    NotAssignedDepartment,
    Outcome,
    Satisfaction,
)
from domain.directory import UnknownDepartment
from domain.errors import DomainError
from tests.factories import assign, assigned_case, registered_case, registration
from tests.support import SettableTimeSource
from tests.unit.actors import DEEDS_DESK, INSPECTOR, OPERATOR
from tests.unit.case_story import at, close_of

DEEDS = "real-estate-registration"
TAXATION = "taxation"
ZHANG = {"name": "张三", "phone": "13812345678", "address": "解放路 1 号", "anonymous": False}
# No 0/O, 1/I/L: the code is read out over the phone.
READABLE = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
ACCESS_CODE = re.compile(rf"^[{READABLE}]{{5}}-[{READABLE}]{{5}}$")


def who(actor: dict[str, Any] | None) -> tuple[str, str] | None:
    """The principal and role of an event's actor."""
    return None if actor is None else (actor["principal"], actor["role"])


def position(supervision: Supervision) -> int:
    """The global position of the last event recorded."""
    return supervision.recorder.max_notification_id() or 0


def recorded_states(supervision: Supervision) -> list[bytes]:
    """The stored state of every event in the notification log, in order."""
    # The notification log's own `select` serves at most one section (10) at a time.
    return [n.state for n in supervision.recorder.select_notifications(start=1, limit=100_000)]


# The lifecycle --------------------------------------------------------------------------------


def test_a_complaint_goes_from_registration_to_closing_and_the_history_says_who_did_what(
    supervision: Supervision, time_source: SettableTimeSource
) -> None:
    # given: registered on Fri 27 Nov 10:00
    registered = registration(supervision, OPERATOR)
    case_id = registered.case.id

    # when
    time_source.set(at(11, 27, 10, 30))
    assigned = supervision.assign_case(
        case_id, department=DEEDS, urgent=None, final=False, note="请核实", by=OPERATOR
    )
    time_source.set(at(11, 30, 9, 15))
    acknowledged = supervision.acknowledge_case(case_id, DEEDS_DESK)
    time_source.set(at(12, 3, 16))
    answered = supervision.post_result(
        case_id,
        outcome=Outcome.SUBSTANTIATED,
        actions="已对窗口人员批评教育",
        answer="经核实情况属实，已整改",
        by=DEEDS_DESK,
    )
    time_source.set(at(12, 4, 10))
    called_back = supervision.record_callback(
        case_id, reached=True, satisfaction=Satisfaction.SATISFIED, comment=None, by=OPERATOR
    )
    time_source.set(at(12, 4, 10, 5))
    closed = supervision.close_case(case_id, OPERATOR)

    # then
    assert registered.case.status == "registered"
    assert assigned.status == "assigned"
    assert assigned.acknowledge_deadline is not None
    assert assigned.acknowledge_deadline.due_at == close_of(11, 30)
    assert assigned.deadline is not None
    assert assigned.deadline.due_at == close_of(12, 18)  # 15 working days from Mon 30 Nov
    assert acknowledged.status == "in_progress"
    assert acknowledged.acknowledged_at == at(11, 30, 9, 15)
    assert answered.status == "answered"
    assert answered.result == {
        "outcome": "substantiated",
        "actions": "已对窗口人员批评教育",
        "answer": "经核实情况属实，已整改",
    }
    assert called_back.satisfaction == "satisfied"
    assert closed.status == "closed"
    assert closed.closed_at == at(12, 4, 10, 5)
    assert closed.version == 6
    assert supervision.get_case(case_id, INSPECTOR) == replace(closed, position=None)

    history = supervision.case_history(case_id, INSPECTOR)
    assert [(e.version, e.type, who(e.actor), e.at) for e in history] == [
        (1, "Registered", ("operator-wang", "operator"), at(11, 27, 10)),
        (2, "Assigned", ("operator-wang", "operator"), at(11, 27, 10, 30)),
        (3, "Acknowledged", ("deeds-desk", "department"), at(11, 30, 9, 15)),
        (4, "ResultPosted", ("deeds-desk", "department"), at(12, 3, 16)),
        (5, "CallbackRecorded", ("operator-wang", "operator"), at(12, 4, 10)),
        (6, "Closed", ("operator-wang", "operator"), at(12, 4, 10, 5)),
    ]
    assert history[1].actor == {
        "principal": "operator-wang",
        "role": "operator",
        "department": None,
        "request_id": None,
    }
    assert history[1].fields["deadline"]["due_at"] == "2026-12-18T17:30:00+08:00"
    assert history[3].fields["outcome"] == "substantiated"


def test_the_history_gives_the_reason_of_each_decision_and_the_request_it_came_from(
    supervision: Supervision, time_source: SettableTimeSource
) -> None:
    # given
    case_id = registered_case(supervision, OPERATOR)
    desk = Actor("deeds-desk", Role.DEPARTMENT, DEEDS, request_id="req-42")

    # when
    supervision.assign_case(
        case_id, department=DEEDS, urgent=None, final=False, note="请核实", by=OPERATOR
    )
    time_source.set(at(11, 27, 11))
    supervision.return_case(case_id, reason="应由税务局办理", by=DEEDS_DESK)
    supervision.assign_case(
        case_id, department=DEEDS, urgent=None, final=True, note=None, by=OPERATOR
    )
    supervision.acknowledge_case(case_id, desk)
    time_source.set(at(11, 30, 9))
    supervision.stop_case_clock(case_id, reason="等待申请人补充材料", by=desk)
    time_source.set(at(11, 30, 12))
    resumed = supervision.resume_case_clock(case_id, desk)

    # then
    history = supervision.case_history(case_id, INSPECTOR)
    assert [(e.type, e.reason) for e in history] == [
        ("Registered", None),
        ("Assigned", "请核实"),
        ("Returned", "应由税务局办理"),
        ("Assigned", None),
        ("Acknowledged", None),
        ("ClockStopped", "等待申请人补充材料"),
        ("ClockResumed", None),
    ]
    assert [e.request_id for e in history[4:]] == ["req-42", "req-42", "req-42"]
    assert history[2].actor is not None
    assert history[2].actor["department"] == DEEDS
    # assigned again Fri 27 Nov: due Fri 18 Dec 17:30; 3 office hours stopped on Mon 30 Nov
    assert resumed.deadline is not None
    assert resumed.deadline.due_at == at(12, 21, 12)


# Tracking numbers and access codes --------------------------------------------------------------


def test_cases_of_all_channels_share_the_days_running_number(
    supervision: Supervision, time_source: SettableTimeSource
) -> None:
    # when
    numbers = [
        registration(supervision, OPERATOR, channel=channel).case.tracking_number
        for channel in (Channel.HOTLINE, Channel.WALK_IN, Channel.ONLINE, Channel.HOTLINE)
    ]

    # then
    assert numbers == ["HL20261127-0001", "WI20261127-0002", "OL20261127-0003", "HL20261127-0004"]


def test_the_running_number_starts_again_the_next_day(
    supervision: Supervision, time_source: SettableTimeSource
) -> None:
    # given
    registration(supervision, OPERATOR)
    registration(supervision, OPERATOR, channel=Channel.LETTER)

    # when: the next morning
    time_source.advance(days=1)
    first_of_the_day = registration(supervision, OPERATOR, channel=Channel.LETTER)
    second_of_the_day = registration(supervision, OPERATOR)

    # then
    assert first_of_the_day.case.tracking_number == "LT20261128-0001"
    assert second_of_the_day.case.tracking_number == "HL20261128-0002"


def test_the_day_of_a_tracking_number_is_the_centres_day_not_utc(
    supervision: Supervision, time_source: SettableTimeSource
) -> None:
    # given: the last case of Friday, 23:50 in the centre
    time_source.set(at(11, 27, 23, 50))
    registration(supervision, OPERATOR)

    # when: 16:30 UTC on Friday is already 00:30 on Saturday in the centre
    time_source.set(datetime(2026, 11, 27, 16, 30, tzinfo=UTC))
    registered = registration(supervision, OPERATOR)

    # then
    assert registered.case.tracking_number == "HL20261128-0001"


def test_the_access_code_is_easy_to_read_out_and_only_its_hash_is_kept(
    supervision: Supervision,
) -> None:
    # when
    registered = registration(supervision, OPERATOR)

    # then
    code = registered.access_code
    assert len(code) == 11
    assert ACCESS_CODE.match(code)
    assert not set(code) & set("0O1IL")
    stored = supervision.repository.get(registered.case.id).access_code_hash
    assert stored != code
    assert supervision.secrets.access_code_matches(code, stored)
    assert not supervision.secrets.access_code_matches("22222-22222", stored)
    assert not any(code.encode() in state for state in recorded_states(supervision))


def test_the_access_code_hash_never_leaves_the_application(supervision: Supervision) -> None:
    # given
    registered = registration(supervision, OPERATOR)
    case_id = registered.case.id
    stored = supervision.repository.get(case_id).access_code_hash
    assigned = assign(supervision, case_id, OPERATOR)

    # when
    answers: list[object] = [
        registered.case,
        assigned,
        supervision.get_case(case_id, OPERATOR),
        supervision.get_case(case_id, INSPECTOR),
        supervision.get_case(case_id, DEEDS_DESK),
        supervision.case_history(case_id, INSPECTOR),
    ]

    # then
    for answer in answers:
        assert stored not in repr(answer)
        assert "access_code_hash" not in repr(answer)


# Routing at registration ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("department", "window", "staff", "routed_to"),
    [
        pytest.param(None, "W-A01", None, DEEDS, id="from the window"),
        pytest.param(None, None, "S0010", TAXATION, id="from the staff member"),
        pytest.param(None, None, "S0107", DEEDS, id="from a back-office staff member"),
        pytest.param(None, "W-A01", "S0001", DEEDS, id="from the window and its staff member"),
        pytest.param(TAXATION, "W-A01", None, TAXATION, id="the operator's choice wins"),
        pytest.param(None, None, None, None, id="nobody named: decided at assignment"),
    ],
)
def test_registration_defaults_the_department_from_the_window_or_the_staff_member(
    supervision: Supervision,
    department: str | None,
    window: str | None,
    staff: str | None,
    routed_to: str | None,
) -> None:
    # when
    registered = registration(
        supervision, OPERATOR, department=department, window=window, staff=staff
    )

    # then
    assert registered.case.department == routed_to
    assert (registered.case.window, registered.case.staff) == (window, staff)
    assert registered.case.assigned_department is None


@pytest.mark.parametrize(
    ("department", "window", "staff", "code"),
    [
        pytest.param("no-such-bureau", None, None, "unknown_department", id="unknown department"),
        pytest.param(None, "W-Z99", None, "unknown_window", id="unknown window"),
        pytest.param(None, None, "S9999", "unknown_staff", id="unknown staff member"),
        pytest.param(None, "W-A01", "S0010", "staff_not_at_window", id="staff not at window"),
    ],
)
def test_registration_naming_what_the_directory_does_not_know_is_refused_and_records_nothing(
    supervision: Supervision,
    department: str | None,
    window: str | None,
    staff: str | None,
    code: str,
) -> None:
    # given
    before = position(supervision)

    # when
    with pytest.raises(DomainError) as refused:
        registration(supervision, OPERATOR, department=department, window=window, staff=staff)

    # then
    assert refused.value.code == code
    assert position(supervision) == before


def test_a_case_cannot_be_assigned_to_an_unknown_department(supervision: Supervision) -> None:
    # given
    case_id = registered_case(supervision, OPERATOR)
    before = position(supervision)

    # when
    with pytest.raises(UnknownDepartment) as refused:
        assign(supervision, case_id, OPERATOR, department="no-such-bureau")

    # then
    assert refused.value.code == "unknown_department"
    assert position(supervision) == before


# Reading ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "read",
    [
        pytest.param(Supervision.get_case, id="the case"),
        pytest.param(Supervision.case_file, id="the case page's file"),
    ],
)
def test_a_department_cannot_read_another_departments_case(
    supervision: Supervision,
    other_department_actor: Actor,
    read: Callable[[Supervision, UUID, Actor], object],
) -> None:
    # given
    case_id = assigned_case(supervision, OPERATOR)

    # then
    with pytest.raises(NotAssignedDepartment):
        read(supervision, case_id, other_department_actor)


def test_a_department_reads_its_case_with_the_complainant_masked(supervision: Supervision) -> None:
    # given
    case_id = assigned_case(supervision, OPERATOR, complainant=ZHANG)

    # when
    seen_by_department = supervision.get_case(case_id, DEEDS_DESK)
    seen_by_operator = supervision.get_case(case_id, OPERATOR)

    # then
    assert seen_by_department.complainant == {
        "name": "张**",
        "phone": "138****5678",
        "address": None,
        "anonymous": False,
    }
    assert seen_by_operator.complainant == ZHANG


def test_a_department_reading_a_report_does_not_see_who_reported(supervision: Supervision) -> None:
    # given
    case_id = assigned_case(supervision, OPERATOR, kind=Kind.REPORT, complainant=ZHANG)

    # then
    assert supervision.get_case(case_id, DEEDS_DESK).complainant is None
    assert supervision.get_case(case_id, INSPECTOR).complainant == ZHANG


@pytest.mark.parametrize("kind", [Kind.REPORT, Kind.COMPLAINT], ids=["report", "complaint"])
def test_only_inspectors_read_the_full_history_so_no_department_learns_who_complained(
    supervision: Supervision, kind: Kind
) -> None:
    # given
    case_id = assigned_case(supervision, OPERATOR, kind=kind)

    # when / then: the history holds the complainant's identity as recorded
    for viewer in (DEEDS_DESK, OPERATOR):
        with pytest.raises(HistoryForInspectors):
            supervision.case_history(case_id, viewer)


def test_an_unknown_case_is_not_found(supervision: Supervision) -> None:
    with pytest.raises(CaseNotFound):
        supervision.get_case(uuid4(), OPERATOR)
    with pytest.raises(CaseNotFound):
        supervision.case_history(uuid4(), INSPECTOR)


def test_a_command_on_an_unknown_case_is_refused_and_records_nothing(
    supervision: Supervision,
) -> None:
    before = position(supervision)

    with pytest.raises(CaseNotFound):
        supervision.acknowledge_case(uuid4(), DEEDS_DESK)

    assert position(supervision) == before


def test_a_refused_command_records_nothing(supervision: Supervision) -> None:
    # given
    case_id = assigned_case(supervision, OPERATOR)
    before = position(supervision)

    # when
    with pytest.raises(CaseNotAcknowledged):
        supervision.post_result(
            case_id, outcome=Outcome.RESOLVED, actions="", answer="已解决", by=DEEDS_DESK
        )

    # then
    assert position(supervision) == before
    assert supervision.get_case(case_id, OPERATOR).status == "assigned"


# Positions --------------------------------------------------------------------------------------


def test_every_command_answers_the_global_position_of_its_last_event(
    supervision: Supervision, time_source: SettableTimeSource
) -> None:
    # given
    start = position(supervision)

    # when / then
    registered = registration(supervision, OPERATOR)
    case_id = registered.case.id
    # a new day's sequence starts, takes a number, and the case is registered: 3 events
    assert registered.case.position == position(supervision) == start + 3

    answers = [
        assign(supervision, case_id, OPERATOR),
        supervision.acknowledge_case(case_id, DEEDS_DESK),
        supervision.add_case_note(case_id, text="已联系投诉人", public=True, by=OPERATOR),
    ]
    time_source.set(at(12, 21, 9))
    answers.append(supervision.supervise_case(case_id, note="已超期", by=INSPECTOR))
    for offset, answer in enumerate(answers, start=4):
        assert answer.position == start + offset
    assert answers[-1].position == position(supervision)
    assert supervision.get_case(case_id, OPERATOR).position is None


def test_merging_saves_both_cases_and_answers_the_position_of_the_last_event(
    supervision: Supervision,
) -> None:
    # given
    first = registered_case(supervision, OPERATOR)
    duplicate = registered_case(supervision, OPERATOR)

    # when
    merged = supervision.merge_case(duplicate, into=first, by=OPERATOR)

    # then
    assert merged.status == "merged"
    assert merged.merged_into == str(first)
    assert merged.position == position(supervision)
    assert supervision.get_case(first, OPERATOR).duplicates == [str(duplicate)]


# Access tokens ----------------------------------------------------------------------------------


def test_a_token_signs_its_bearer_in_as_the_actor_it_was_issued_for(
    supervision: Supervision, admin: Actor
) -> None:
    # given
    issued = supervision.issue_token(role=Role.OPERATOR, department=None, name="wang", by=admin)

    # when
    actor = supervision.sign_in(issued.token, request_id="req-1")

    # then
    assert actor == Actor(principal="wang", role=Role.OPERATOR, request_id="req-1")
    assert issued.position == position(supervision)


def test_a_department_token_signs_in_as_its_department(
    supervision: Supervision, admin: Actor
) -> None:
    # given
    issued = supervision.issue_token(
        role=Role.DEPARTMENT, department=DEEDS, name="deeds-desk", by=admin
    )

    # when
    actor = supervision.sign_in(issued.token)

    # then
    assert actor == Actor(principal="deeds-desk", role=Role.DEPARTMENT, department=DEEDS)
    assert actor.acts_for(DEEDS)


def test_a_token_issued_without_a_name_is_given_one(supervision: Supervision, admin: Actor) -> None:
    issued = supervision.issue_token(role=Role.INSPECTOR, department=None, name="", by=admin)

    assert re.fullmatch(r"inspector-[0-9a-f]{8}", issued.name)
    assert supervision.sign_in(issued.token) == Actor(issued.name, Role.INSPECTOR)


@pytest.mark.parametrize(
    ("role", "department"),
    [
        pytest.param(Role.DEPARTMENT, None, id="a department token without a department"),
        pytest.param(Role.OPERATOR, DEEDS, id="an operator token with a department"),
    ],
)
def test_only_a_department_token_names_a_department_and_it_must(
    supervision: Supervision, admin: Actor, role: Role, department: str | None
) -> None:
    before = position(supervision)

    with pytest.raises(DepartmentRequired):
        supervision.issue_token(role=role, department=department, name="desk", by=admin)

    assert position(supervision) == before


def test_a_token_for_an_unknown_department_is_refused(
    supervision: Supervision, admin: Actor
) -> None:
    before = position(supervision)

    with pytest.raises(UnknownDepartment):
        supervision.issue_token(
            role=Role.DEPARTMENT, department="no-such-bureau", name="desk", by=admin
        )

    assert position(supervision) == before


@pytest.mark.parametrize("role", [Role.PUBLIC, Role.SYSTEM])
def test_no_token_is_issued_for_the_public_or_the_system(
    supervision: Supervision, admin: Actor, role: Role
) -> None:
    with pytest.raises(TokenRoleInvalid):
        supervision.issue_token(role=role, department=None, name="someone", by=admin)


def test_an_unknown_token_signs_in_as_nobody(supervision: Supervision) -> None:
    assert supervision.sign_in("not-a-token-anyone-was-given") is None


def test_a_revoked_token_signs_in_as_nobody(
    supervision: Supervision, time_source: SettableTimeSource, admin: Actor
) -> None:
    # given
    issued = supervision.issue_token(role=Role.OPERATOR, department=None, name="wang", by=admin)
    token: AccessToken = supervision.repository.get(
        token_id(supervision.secrets.token_digest(issued.token))
    )

    # when
    token.revoke(reason="离职", by=admin, at=time_source.now())
    supervision.save(token)

    # then
    assert supervision.sign_in(issued.token) is None


def test_the_token_itself_is_recorded_nowhere(supervision: Supervision, admin: Actor) -> None:
    # given
    issued = [
        supervision.issue_token(role=Role.OPERATOR, department=None, name="wang", by=admin),
        supervision.issue_token(role=Role.DEPARTMENT, department=DEEDS, name="desk", by=admin),
    ]

    # when
    states = recorded_states(supervision)

    # then: the digest is there, so the scan sees the tokens' events, but never the token
    for token in issued:
        digest = supervision.secrets.token_digest(token.token)
        assert any(digest.encode() in state for state in states)
        assert not any(token.token.encode() in state for state in states)
