"""Appeals of deductions (申诉, §15): the window, once per deduction, the inspectors' decision,
and a granted appeal revoking the deduction in the same save; domain and application on the
in-memory store."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID, uuid4

import pytest

from application.appeals import AppealsForInspectors
from application.projections.appeal_list import AppealListProjection
from application.supervision import Supervision
from domain.actor import Actor
from domain.appeal import (
    Appeal,
    AppealAlreadyDecided,
    AppealNotFound,
    AppealNotOverdue,
    AppealReasonsRequired,
    AppealStatus,
    AppealStepNotOffered,
    AppealWindowClosed,
    DeductionAlreadyAppealed,
    NotAppealDepartment,
    RevokedDeductionNotAppealable,
    appeal_window_closes,
)
from domain.calendar import OFFICE_TZ
from domain.scorecard import Deduction, SourceType, SubjectKind
from domain.task import ReasonRequired
from infrastructure.conduct_file import default_conduct_rules
from tests.factories import a_deduction
from tests.support import DIRECTORY_ADMIN, SettableTimeSource
from tests.unit.projection_fold import folded

NOV_26 = datetime(2026, 11, 26, 15, 0, tzinfo=OFFICE_TZ)
# Recorded on Friday 27 November: the 5 working days are 30 Nov to 4 Dec, to 17:30.
WINDOW_CLOSES = datetime(2026, 12, 4, 17, 30, tzinfo=OFFICE_TZ)


@pytest.fixture
def app(supervision: Supervision) -> Supervision:
    supervision.load_conduct_rules(default_conduct_rules(), DIRECTORY_ADMIN)
    return supervision


@pytest.fixture
def deduction_id(app: Supervision, inspector: Actor) -> UUID:
    """Five points from S0001 and their window W-A01 (real-estate-registration)."""
    request = a_deduction(
        rule="harsh_attitude",
        occurred_at=NOV_26,
        evidence="暗访录像：言语生硬",
        source_type=SourceType.UNANNOUNCED_VISIT,
    )
    return app.record_deduction(request, inspector).id


@pytest.fixture
def appeal_id(app: Supervision, deduction_id: UUID, department_actor: Actor) -> UUID:
    """The department's appeal of the deduction, open."""
    return appeal(app, deduction_id, department_actor).id


def appeal(app: Supervision, deduction_id: UUID, by: Actor, reasons: str = "当事人当时在解释政策"):
    return app.appeal_deduction(deduction_id, reasons=reasons, evidence="录音一段", by=by)


def score(app: Supervision, kind: SubjectKind, subject: str) -> int:
    return app.scorecard(kind, subject, "2026-11").score


# The window ---------------------------------------------------------------------------------


def test_the_appeal_window_ends_at_the_close_of_the_fifth_working_day_after_recording(
    calendar,
) -> None:
    recorded_friday = datetime(2026, 11, 27, 10, 0, tzinfo=OFFICE_TZ)

    assert appeal_window_closes(recorded_friday, calendar).due_at == WINDOW_CLOSES


def test_the_department_appeals_within_the_window_and_the_inspectors_have_five_working_days(
    app: Supervision, deduction_id: UUID, department_actor: Actor, time_source: SettableTimeSource
) -> None:
    time_source.set(datetime(2026, 11, 30, 9, 0, tzinfo=OFFICE_TZ))

    view = appeal(app, deduction_id, department_actor)

    assert view.status == "open"
    assert view.department == "real-estate-registration"
    assert view.deadline is not None
    assert view.deadline.due_at == datetime(2026, 12, 7, 17, 30, tzinfo=OFFICE_TZ)
    assert view.deduction["rule"] == "harsh_attitude"
    assert view.deduction["points"] == 5
    assert view.position is not None


def test_an_appeal_on_the_last_afternoon_of_the_window_is_still_accepted(
    app: Supervision, deduction_id: UUID, department_actor: Actor, time_source: SettableTimeSource
) -> None:
    time_source.set(WINDOW_CLOSES)

    assert appeal(app, deduction_id, department_actor).status == "open"


def test_an_appeal_after_the_window_is_refused(
    app: Supervision, deduction_id: UUID, department_actor: Actor, time_source: SettableTimeSource
) -> None:
    time_source.set(datetime(2026, 12, 7, 9, 0, tzinfo=OFFICE_TZ))

    with pytest.raises(AppealWindowClosed):
        appeal(app, deduction_id, department_actor)


# Who and how often ----------------------------------------------------------------------------


def test_a_deduction_is_appealed_once(
    app: Supervision, deduction_id: UUID, department_actor: Actor
) -> None:
    appeal(app, deduction_id, department_actor)

    with pytest.raises(DeductionAlreadyAppealed):
        appeal(app, deduction_id, department_actor, reasons="再次申诉")


def test_another_department_may_not_appeal_the_deduction(
    app: Supervision, deduction_id: UUID, other_department_actor: Actor
) -> None:
    with pytest.raises(NotAppealDepartment):
        appeal(app, deduction_id, other_department_actor)


def test_an_inspector_may_not_appeal_a_deduction(
    app: Supervision, deduction_id: UUID, inspector: Actor
) -> None:
    with pytest.raises(NotAppealDepartment):
        appeal(app, deduction_id, inspector)


def test_a_revoked_deduction_cannot_be_appealed(
    app: Supervision, deduction_id: UUID, department_actor: Actor, inspector: Actor
) -> None:
    app.revoke_deduction(deduction_id, reason="录入错误", by=inspector)

    with pytest.raises(RevokedDeductionNotAppealable):
        appeal(app, deduction_id, department_actor)


def test_an_appeal_states_its_reasons(
    app: Supervision, deduction_id: UUID, department_actor: Actor
) -> None:
    with pytest.raises(AppealReasonsRequired):
        appeal(app, deduction_id, department_actor, reasons="  ")


def test_the_console_offers_the_appeal_only_while_the_department_may_make_it(
    app: Supervision,
    deduction_id: UUID,
    department_actor: Actor,
    other_department_actor: Actor,
    time_source: SettableTimeSource,
) -> None:
    assert app.appealable_until(deduction_id, department_actor) == WINDOW_CLOSES
    assert app.appealable_until(deduction_id, other_department_actor) is None
    assert app.appealable_until(uuid4(), department_actor) is None

    time_source.set(datetime(2026, 12, 7, 9, 0, tzinfo=OFFICE_TZ))

    assert app.appealable_until(deduction_id, department_actor) is None


# The decision ---------------------------------------------------------------------------------


def test_an_upheld_appeal_leaves_the_deduction_standing(
    app: Supervision, inspector: Actor, appeal_id: UUID
) -> None:
    view = app.uphold_appeal(appeal_id, reason="录像清楚，态度生硬属实", by=inspector)

    assert (view.status, view.decision_reason) == ("upheld", "录像清楚，态度生硬属实")
    assert score(app, SubjectKind.STAFF, "S0001") == 95


def test_a_granted_appeal_revokes_the_deduction_on_every_card_in_the_same_save(
    app: Supervision, deduction_id: UUID, inspector: Actor, appeal_id: UUID
) -> None:
    before = app.recorder.max_notification_id() or 0

    view = app.grant_appeal(appeal_id, reason="录像显示系解释政策，不属态度生硬", by=inspector)

    saved = app.recorder.select_notifications(start=before + 1, limit=100)
    assert view.status == "granted"
    assert [n.topic for n in saved] == [
        "oversight:Appeal.Granted",
        "oversight:Deduction.Revoked",
        "oversight:Scorecard.DeductionRevoked",
        "oversight:Scorecard.DeductionRevoked",
    ]
    assert view.position == saved[-1].id
    assert score(app, SubjectKind.STAFF, "S0001") == 100
    assert score(app, SubjectKind.WINDOW, "W-A01") == 100
    deduction = app.repository.get(deduction_id)
    assert isinstance(deduction, Deduction)
    assert deduction.revoked


@pytest.mark.parametrize(
    ("granted_before", "decision", "reason", "by", "refusal"),
    [
        pytest.param(True, "uphold", "改判", "inspector", AppealAlreadyDecided, id="upheld-after"),
        pytest.param(
            True, "grant", "再次撤销", "inspector", AppealAlreadyDecided, id="granted-twice"
        ),
        pytest.param(False, "uphold", " ", "inspector", ReasonRequired, id="blank-reason"),
        pytest.param(
            False, "grant", "自行撤销", "department_actor", AppealsForInspectors, id="department"
        ),
    ],
)
def test_an_appeal_is_decided_once_with_a_reason_and_by_an_inspector_only(
    app: Supervision,
    inspector: Actor,
    appeal_id: UUID,
    request: pytest.FixtureRequest,
    granted_before: bool,
    decision: str,
    reason: str,
    by: str,
    refusal: type[Exception],
) -> None:
    if granted_before:
        app.grant_appeal(appeal_id, reason="申诉成立", by=inspector)
    decide = getattr(app, f"{decision}_appeal")

    with pytest.raises(refusal):
        decide(appeal_id, reason=reason, by=request.getfixturevalue(by))


def test_granting_an_appeal_of_a_deduction_revoked_meanwhile_records_the_decision_alone(
    app: Supervision, deduction_id: UUID, inspector: Actor, appeal_id: UUID
) -> None:
    app.revoke_deduction(deduction_id, reason="录入错误", by=inspector)

    assert app.grant_appeal(appeal_id, reason="申诉成立", by=inspector).status == "granted"


def test_an_unknown_appeal_is_not_found(app: Supervision, inspector: Actor) -> None:
    with pytest.raises(AppealNotFound):
        app.uphold_appeal(uuid4(), reason="维持", by=inspector)


def test_a_department_reads_its_own_appeals_only(
    app: Supervision,
    department_actor: Actor,
    other_department_actor: Actor,
    inspector: Actor,
    appeal_id: UUID,
) -> None:
    assert app.get_appeal(appeal_id, department_actor).id == appeal_id
    assert app.get_appeal(appeal_id, inspector).id == appeal_id
    with pytest.raises(NotAppealDepartment):
        app.get_appeal(appeal_id, other_department_actor)


# The clock ------------------------------------------------------------------------------------


def test_the_clock_records_a_missed_decision_once_and_an_inspector_may_supervise_it(
    app: Supervision, inspector: Actor, time_source: SettableTimeSource, appeal_id: UUID
) -> None:
    with pytest.raises(AppealNotOverdue):
        app.supervise_appeal(appeal_id, note="尽快审定", by=inspector)

    time_source.set(datetime(2026, 12, 7, 9, 0, tzinfo=OFFICE_TZ))
    recorded = app.observe_task_clock(appeal_id)
    again = app.observe_task_clock(appeal_id)
    view = app.supervise_appeal(appeal_id, note="申诉逾期未审定，督办", by=inspector)

    found = app.repository.get(appeal_id)
    assert isinstance(found, Appeal)
    assert found.due_missed_for == datetime(2026, 12, 4, 17, 30, tzinfo=OFFICE_TZ)
    assert (recorded, again) == (2, 0)  # the reminder at 20% left, then the missed deadline
    assert view.overdue
    assert view.supervisions[0]["note"] == "申诉逾期未审定，督办"


def test_a_late_decision_records_the_missed_deadline_first(
    app: Supervision, inspector: Actor, time_source: SettableTimeSource, appeal_id: UUID
) -> None:
    time_source.set(datetime(2026, 12, 8, 9, 0, tzinfo=OFFICE_TZ))

    app.uphold_appeal(appeal_id, reason="维持", by=inspector)

    events = list(app.repository.event_store.get(appeal_id))
    assert [type(e) for e in events[-2:]] == [Appeal.DeadlineMissed, Appeal.Upheld]


def test_no_one_stops_or_extends_an_appeals_clock(
    app: Supervision, department_actor: Actor, appeal_id: UUID
) -> None:
    found = app.repository.get(appeal_id)

    with pytest.raises(AppealStepNotOffered):
        found.stop_clock(reason="等材料", by=department_actor, at=found.created_on)
    assert found.status is AppealStatus.OPEN


# The appeal_list projection -------------------------------------------------------------------


def fold(app: Supervision, appeal_id: UUID, calendar) -> dict:
    projection = AppealListProjection(calendar=lambda: calendar)
    return folded(projection, app.repository.event_store.get(appeal_id))


def test_the_appeal_list_row_holds_the_deduction_and_the_clock_until_the_decision(
    app: Supervision, inspector: Actor, calendar, appeal_id: UUID
) -> None:
    filed = fold(app, appeal_id, calendar)
    app.uphold_appeal(appeal_id, reason="属实", by=inspector)
    decided = fold(app, appeal_id, calendar)

    assert (filed["status"], filed["rule"], filed["points"], filed["staff_id"]) == (
        "open",
        "harsh_attitude",
        5,
        "S0001",
    )
    assert filed["due_at"] == WINDOW_CLOSES  # filed on the 27th: decided by 4 December
    assert filed["next_clock_at"] is not None
    assert filed["next_clock_at"] < filed["due_at"]
    assert (decided["status"], decided["decision_reason"]) == ("upheld", "属实")
    assert decided["next_clock_at"] is None
