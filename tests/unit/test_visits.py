"""Inspection visits (暗访巡查, §16): an inspector records a visit; each finding becomes a
deduction, a rectification order or a case made by that record's own verb, its source the
visit, and the visit notes it once, by the request or, failing that, by the worker's policy."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest

from application.projections.visit_list import VisitListProjection
from application.supervision import Supervision
from application.visits import VisitFindingPolicy, visit_finding_policies
from domain.actor import Actor, Role
from domain.calendar import OFFICE_TZ
from domain.case import Channel, Intake, Kind
from domain.conduct import UnknownRule
from domain.directory import UnknownWindow
from domain.scorecard import DeductionRequest, SourceType, SubjectKind, scorecard_id
from domain.visit import (
    FindingType,
    Visit,
    VisitDateOutOfRange,
    VisitMethod,
    VisitNotFound,
    VisitsForInspectorsOnly,
    VisitSummaryRequired,
    VisitWindowsRequired,
)
from infrastructure.conduct_file import default_conduct_rules
from tests.factories import a_deduction, an_order_finding
from tests.support import DIRECTORY_ADMIN, START
from tests.unit.actors import INSPECTOR
from tests.unit.projection_fold import folded

TODAY = START.date()  # the day the tests' clock starts on
DEEDS = "real-estate-registration"


@pytest.fixture
def app(supervision: Supervision) -> Supervision:
    """The application with the sample directory and the default conduct catalogue."""
    supervision.load_conduct_rules(default_conduct_rules(), DIRECTORY_ADMIN)
    return supervision


def a_visit(**fields: Any) -> Visit:
    arguments: dict[str, Any] = {
        "visit_id": uuid4(),
        "day": TODAY,
        "today": TODAY,
        "method": VisitMethod.UNANNOUNCED,
        "windows": ["W-A01"],
        "departments": [DEEDS],
        "summary": "上午十点暗访不动产登记窗口",
        "by": INSPECTOR,
        "at": START,
        **fields,
    }
    return Visit.record(**arguments)


def visit(app: Supervision, **fields: Any) -> UUID:
    arguments: dict[str, Any] = {
        "day": TODAY,
        "method": VisitMethod.PATROL,
        "windows": ["W-A01"],
        "summary": "巡查不动产登记窗口",
        "by": INSPECTOR,
        **fields,
    }
    return app.record_visit(**arguments).id


def deduction_request(**fields: Any) -> DeductionRequest:
    arguments: dict[str, Any] = {
        "rule": "harsh_attitude",
        "occurred_at": datetime(2026, 11, 27, 9, 30, tzinfo=OFFICE_TZ),
        "evidence": "暗访录像：对办事群众言语生硬",
        "source_type": SourceType.OTHER,
        **fields,
    }
    return a_deduction(**arguments)


def case_fields(**fields: Any) -> dict[str, Any]:
    return {
        "kind": Kind.COMPLAINT,
        "channel": Channel.WALK_IN,
        "department": None,
        "window": "W-A01",
        "staff": None,
        "category": None,
        "urgent": False,
        "summary": "群众反映窗口排队无人引导",
        "details": "",
        "complainant": {},
        **fields,
    }


# The aggregate ---------------------------------------------------------------------------


def test_a_visit_records_its_day_method_windows_and_summary() -> None:
    recorded = a_visit(windows=["W-A01", "W-A02"])

    assert (recorded.day, recorded.method, recorded.windows) == (
        TODAY,
        VisitMethod.UNANNOUNCED,
        ["W-A01", "W-A02"],
    )
    assert recorded.findings == []


@pytest.mark.parametrize(
    "day", [TODAY + timedelta(days=1), TODAY - timedelta(days=367), date(2000, 1, 1)]
)
def test_a_visit_on_a_day_to_come_or_more_than_a_year_ago_is_refused(day: date) -> None:
    with pytest.raises(VisitDateOutOfRange):
        a_visit(day=day)


def test_a_visit_a_year_ago_today_is_recorded() -> None:
    assert a_visit(day=TODAY - timedelta(days=366)).day == TODAY - timedelta(days=366)


@pytest.mark.parametrize("windows", [[], ["W-A01", "W-A01"], [f"W-{n}" for n in range(51)]])
def test_a_visit_names_each_window_once_and_at_least_one(windows: list[str]) -> None:
    with pytest.raises(VisitWindowsRequired):
        a_visit(windows=windows)


@pytest.mark.parametrize("summary", ["", "   ", "字" * 2001])
def test_a_visit_needs_a_summary_within_its_length(summary: str) -> None:
    with pytest.raises(VisitSummaryRequired):
        a_visit(summary=summary)


def test_a_visit_notes_a_record_once_however_often_it_is_told() -> None:
    recorded = a_visit()
    record_id = uuid4()

    first = recorded.note_finding(
        finding_type=FindingType.ORDER, record_id=record_id, by=INSPECTOR, at=START
    )
    again = recorded.note_finding(
        finding_type=FindingType.ORDER, record_id=record_id, by=INSPECTOR, at=START
    )

    assert (first, again) == (True, False)
    assert recorded.findings == [(FindingType.ORDER, record_id)]


# The verbs -------------------------------------------------------------------------------


def test_an_inspector_records_a_visit_to_windows_of_the_directory(app: Supervision) -> None:
    view = app.get_visit(visit(app, windows=["W-A01"]))

    assert (view.method, view.windows, view.outcomes) == ("patrol", ["W-A01"], [])


def test_a_visit_to_a_window_the_directory_does_not_know_is_refused(app: Supervision) -> None:
    with pytest.raises(UnknownWindow):
        visit(app, windows=["W-A01", "W-NOPE"])


def test_only_an_inspector_records_a_visit_or_a_finding(app: Supervision) -> None:
    operator = Actor("operator-wang", Role.OPERATOR)
    with pytest.raises(VisitsForInspectorsOnly):
        visit(app, by=operator)
    visit_id = visit(app)
    with pytest.raises(VisitsForInspectorsOnly):
        app.issue_order_finding(visit_id, an_order_finding(), by=operator)


def test_a_deduction_found_on_a_visit_names_the_visit_and_the_visit_lists_it(
    app: Supervision,
) -> None:
    visit_id = visit(app)

    answer = app.record_deduction_finding(visit_id, deduction_request(), INSPECTOR)

    card_id = scorecard_id(SubjectKind.STAFF, "S0001", "2026-11")
    (recorded,) = [e for e in app.repository.event_store.get(card_id) if hasattr(e, "deduction_id")]
    assert recorded.deduction_id == answer.finding.record_id
    assert recorded.source == {"type": "visit", "ref": str(visit_id)}
    assert [(f.type, f.record_id) for f in answer.visit.outcomes] == [
        ("deduction", answer.record.id)
    ]


def test_an_order_found_on_a_visit_names_the_visit_as_its_source(app: Supervision) -> None:
    visit_id = visit(app)

    answer = app.issue_order_finding(visit_id, an_order_finding(), by=INSPECTOR)

    order = app.get_order(answer.record.id, INSPECTOR)
    assert (order.source_type, order.source_ref) == ("visit", str(visit_id))
    assert app.get_visit(visit_id).outcomes[0].type == "order"


def test_a_case_found_on_a_visit_names_the_visit_as_its_source(app: Supervision) -> None:
    visit_id = visit(app)

    answer = app.register_case_finding(visit_id, Intake(**case_fields()), INSPECTOR)

    case = app.get_case(answer.finding.record_id, INSPECTOR)
    assert case.source == {"type": "visit", "ref": str(visit_id)}
    assert [f.type for f in app.get_visit(visit_id).outcomes] == ["case"]


def test_a_finding_is_refused_by_its_records_own_rules_and_nothing_is_noted(
    app: Supervision,
) -> None:
    visit_id = visit(app)

    with pytest.raises(UnknownRule):
        app.record_deduction_finding(visit_id, deduction_request(rule="no_such_rule"), INSPECTOR)

    assert app.get_visit(visit_id).outcomes == []


def test_a_finding_on_an_unknown_visit_is_refused_before_any_record_is_made(
    app: Supervision,
) -> None:
    head = app.recorder.max_notification_id()

    with pytest.raises(VisitNotFound):
        app.issue_order_finding(uuid4(), an_order_finding(), by=INSPECTOR)

    assert app.recorder.max_notification_id() == head


def test_a_visit_lists_its_findings_in_the_order_they_were_made(app: Supervision) -> None:
    visit_id = visit(app)
    app.issue_order_finding(visit_id, an_order_finding(), by=INSPECTOR)
    app.record_deduction_finding(visit_id, deduction_request(), INSPECTOR)
    app.register_case_finding(visit_id, Intake(**case_fields()), INSPECTOR)

    assert [f.type for f in app.get_visit(visit_id).outcomes] == ["order", "deduction", "case"]


# The policy: the note made when the request could not --------------------------------------


def test_the_policy_notes_a_record_made_from_a_finding_that_the_visit_missed(
    app: Supervision,
) -> None:
    visit_id = visit(app)
    # The record saved, the request gone before the visit's note: what a crash leaves.
    order = app.issue_order(an_order_finding(source_ref=str(visit_id)), by=INSPECTOR)
    assert app.get_visit(visit_id).outcomes == []
    _, orders, _ = visit_finding_policies(app)
    events = app.repository.event_store.get(order.id)

    noted = [orders.handle(e) for e in events]
    again = [orders.handle(e) for e in events]

    assert (sum(noted), sum(again)) == (1, 0)
    assert [(f.type, f.record_id) for f in app.get_visit(visit_id).outcomes] == [
        ("order", order.id)
    ]


def test_the_policy_notes_nothing_for_a_finding_the_request_noted(app: Supervision) -> None:
    visit_id = visit(app)
    answer = app.record_deduction_finding(visit_id, deduction_request(), INSPECTOR)
    deductions, _, _ = visit_finding_policies(app)
    card_id = scorecard_id(SubjectKind.WINDOW, "W-A01", "2026-11")

    assert sum(deductions.handle(e) for e in app.repository.event_store.get(card_id)) == 0
    assert len(app.get_visit(visit_id).outcomes) == 1
    assert answer.finding.type == "deduction"


def test_the_policies_read_deductions_orders_and_cases_and_pass_over_other_sources(
    app: Supervision,
) -> None:
    policies = visit_finding_policies(app)
    assert [p.topic_prefix for p in policies] == [
        "oversight:Scorecard.",
        "oversight:RectificationOrder.",
        "oversight:Case.",
    ]
    assert len({p.name for p in policies}) == 3
    answer = app.record_deduction(deduction_request(), INSPECTOR)
    card_id = scorecard_id(SubjectKind.STAFF, "S0001", "2026-11")
    events = app.repository.event_store.get(card_id)
    assert sum(VisitFindingPolicy.handle(policies[0], e) for e in events) == 0
    assert answer.id


# The read table --------------------------------------------------------------------------


def test_the_visit_list_row_counts_the_findings_by_type() -> None:
    recorded = a_visit(windows=["W-A01", "W-A02"])
    for kind in (FindingType.DEDUCTION, FindingType.DEDUCTION, FindingType.CASE):
        recorded.note_finding(finding_type=kind, record_id=uuid4(), by=INSPECTOR, at=START)

    row = folded(VisitListProjection(), recorded.collect_events(), first=10)

    assert (row["day"], row["month"], row["method"]) == (TODAY, "2026-11", "unannounced")
    assert (row["deductions"], row["orders"], row["cases"]) == (2, 0, 1)
    assert (row["listed_position"], row["position"]) == (10, 13)
    assert row["departments"] == [DEEDS]


def test_a_recorded_event_replays_into_the_same_visit() -> None:
    recorded = a_visit()
    events = recorded.collect_events()
    copy = replace(events[0]).mutate(None)
    assert copy is not None
    assert (copy.day, copy.windows, copy.summary) == (TODAY, ["W-A01"], recorded.summary)
