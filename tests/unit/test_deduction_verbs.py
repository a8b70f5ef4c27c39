"""Recording and revoking deductions through the application, on the in-memory event store."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import pytest

from application.discipline import DeductionsForInspectors
from application.supervision import Supervision
from domain.actor import Actor, Role
from domain.calendar import OFFICE_TZ
from domain.conduct import UnknownRule
from domain.directory import StaffNotAtWindow, UnknownStaff, UnknownWindow
from domain.scorecard import (
    Deduction,
    DeductionAlreadyRevoked,
    DeductionKeyReused,
    DeductionNotFound,
    DeductionRequest,
    OccurredInFuture,
    RuleNotApplicable,
    Scorecard,
    SourceType,
    SubjectKind,
    deduction_id_for_key,
    scorecard_id,
)
from infrastructure.conduct_file import default_conduct_rules
from tests.factories import a_deduction
from tests.support import DIRECTORY_ADMIN

NOV_3 = datetime(2026, 11, 3, 10, 15, tzinfo=OFFICE_TZ)


@pytest.fixture
def app(supervision: Supervision) -> Supervision:
    """The application with the sample directory and the default conduct catalogue."""
    supervision.load_conduct_rules(default_conduct_rules(), DIRECTORY_ADMIN)
    return supervision


def request(**overrides: Any) -> DeductionRequest:
    """A deduction for staff S0001 (韩蕾, post A of window W-A01) being rude on 3 November."""
    fields: dict[str, Any] = {
        "rule": "harsh_attitude",
        "occurred_at": NOV_3,
        "evidence": "暗访录像：对办事群众言语生硬",
        "source_type": SourceType.UNANNOUNCED_VISIT,
        **overrides,
    }
    return a_deduction(**fields)


def score(app: Supervision, kind: SubjectKind, subject: str, month: str = "2026-11") -> int:
    return app.scorecard(kind, subject, month).score


def head(app: Supervision) -> int:
    return app.recorder.max_notification_id() or 0


def test_a_staff_member_named_alone_under_a_rule_for_both_costs_their_window_too(
    app: Supervision, inspector: Actor
) -> None:
    answer = app.record_deduction(request(), inspector)

    assert [(c.subject, c.id, c.score) for c in answer.cards] == [
        ("staff", "S0001", 95),
        ("window", "W-A01", 95),
    ]
    assert score(app, SubjectKind.STAFF, "S0001") == 95
    assert score(app, SubjectKind.WINDOW, "W-A01") == 95
    assert answer.position == head(app)


def test_both_cards_and_the_deduction_are_written_in_one_transaction(
    app: Supervision, inspector: Actor
) -> None:
    before = head(app)

    app.record_deduction(request(), inspector)

    written = list(app.recorder.select_notifications(start=before + 1, limit=100))
    originators = {n.originator_id for n in written}
    assert {
        scorecard_id(SubjectKind.STAFF, "S0001", "2026-11"),
        scorecard_id(SubjectKind.WINDOW, "W-A01", "2026-11"),
    } <= originators
    assert len(originators) == 3  # the two cards and the deduction itself


def test_a_window_rule_costs_only_the_window_named(app: Supervision, inspector: Actor) -> None:
    answer = app.record_deduction(
        request(rule="window_unattended", staff=None, window="W-A02"), inspector
    )

    assert [(c.subject, c.id, c.score) for c in answer.cards] == [("window", "W-A02", 95)]


def test_an_inspector_may_set_the_points_instead_of_the_rules_default(
    app: Supervision, inspector: Actor
) -> None:
    answer = app.record_deduction(request(rule="phone_or_games", points=4), inspector)

    assert answer.points == 4
    assert [(c.id, c.score) for c in answer.cards] == [("S0001", 96)]


def test_the_month_of_an_act_is_the_centres_month_not_utcs(
    app: Supervision, inspector: Actor
) -> None:
    half_past_eleven_on_the_31st = datetime(2026, 10, 31, 15, 30, tzinfo=UTC)
    half_past_midnight_on_the_1st = datetime(2026, 10, 31, 16, 30, tzinfo=UTC)

    october = app.record_deduction(
        request(rule="lateness_early_leave", occurred_at=half_past_eleven_on_the_31st), inspector
    )
    november = app.record_deduction(
        request(rule="lateness_early_leave", occurred_at=half_past_midnight_on_the_1st), inspector
    )

    assert (october.month, november.month) == ("2026-10", "2026-11")
    assert score(app, SubjectKind.STAFF, "S0001", "2026-10") == 98
    assert score(app, SubjectKind.STAFF, "S0001", "2026-11") == 98


def test_integrity_violations_cost_every_point_left_on_both_cards(
    app: Supervision, inspector: Actor
) -> None:
    app.record_deduction(request(rule="lateness_early_leave"), inspector)

    answer = app.record_deduction(request(rule="integrity"), inspector)

    assert answer.all_remaining is True
    assert [(c.id, c.score, c.deducted) for c in answer.cards] == [
        ("S0001", 0, 100),
        ("W-A01", 0, 100),
    ]


# Idempotency ---------------------------------------------------------------------


def test_a_retry_with_the_same_key_answers_the_first_answer_and_records_nothing(
    app: Supervision, inspector: Actor
) -> None:
    deduction_id = deduction_id_for_key("inspector-li/2026-11-03/0001")
    first = app.record_deduction(request(), inspector, deduction_id=deduction_id)
    recorded = head(app)

    again = app.record_deduction(request(), inspector, deduction_id=deduction_id)

    assert again == first
    assert head(app) == recorded
    assert score(app, SubjectKind.STAFF, "S0001") == 95


def test_a_late_retry_still_answers_the_scores_the_first_answer_gave(
    app: Supervision, inspector: Actor
) -> None:
    deduction_id = uuid4()
    first = app.record_deduction(request(), inspector, deduction_id=deduction_id)
    app.record_deduction(request(rule="lateness_early_leave"), inspector)

    again = app.record_deduction(request(), inspector, deduction_id=deduction_id)

    assert again.cards == first.cards
    assert score(app, SubjectKind.STAFF, "S0001") == 93


@pytest.mark.parametrize(
    "changes",
    [
        {"points": 6},
        {"evidence": "另一件事"},
        {"staff": "S0003"},
        {"occurred_at": NOV_3.replace(day=4)},
    ],
    ids=["points", "evidence", "another staff member", "another day"],
)
def test_the_same_key_with_a_different_request_is_refused(
    app: Supervision, inspector: Actor, changes: dict[str, Any]
) -> None:
    deduction_id = deduction_id_for_key("key-1")
    app.record_deduction(request(), inspector, deduction_id=deduction_id)
    recorded = head(app)

    with pytest.raises(DeductionKeyReused):
        app.record_deduction(replace(request(), **changes), inspector, deduction_id=deduction_id)

    assert head(app) == recorded


# Refusals --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"rule": "sleeping_on_duty"}, UnknownRule),
        ({"staff": "S9999"}, UnknownStaff),
        ({"staff": None, "window": "W-Z99"}, UnknownWindow),
        ({"window": "W-A02"}, StaffNotAtWindow),
        ({"rule": "window_unattended"}, RuleNotApplicable),
        ({"rule": "lateness_early_leave", "staff": None, "window": "W-A01"}, RuleNotApplicable),
        ({"occurred_at": datetime(2026, 11, 27, 10, 1, tzinfo=OFFICE_TZ)}, OccurredInFuture),
    ],
    ids=[
        "unknown rule",
        "unknown staff",
        "unknown window",
        "staff not at window",
        "window rule for staff",
        "staff rule for window",
        "future",
    ],
)
def test_a_deduction_the_record_cannot_accept_is_refused_and_records_nothing(
    app: Supervision, inspector: Actor, changes: dict[str, Any], error: type[Exception]
) -> None:
    before = head(app)

    with pytest.raises(error):
        app.record_deduction(replace(request(), **changes), inspector)

    assert head(app) == before


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.DEPARTMENT, Role.ADMIN])
def test_only_inspectors_record_or_revoke_deductions(app: Supervision, role: Role) -> None:
    actor = Actor(
        "someone", role, department="real-estate-registration" if role is Role.DEPARTMENT else None
    )

    with pytest.raises(DeductionsForInspectors):
        app.record_deduction(request(), actor)
    with pytest.raises(DeductionsForInspectors):
        app.revoke_deduction(uuid4(), reason="申诉成立", by=actor)


# Revocation --------------------------------------------------------------------------


def test_revoking_a_deduction_restores_every_card_that_carried_it(
    app: Supervision, inspector: Actor
) -> None:
    app.record_deduction(request(rule="lateness_early_leave"), inspector)
    recorded = app.record_deduction(request(), inspector)

    revoked = app.revoke_deduction(recorded.id, reason="申诉成立：录像显示语气正常", by=inspector)

    assert revoked.revoked is True
    assert [(c.id, c.score) for c in revoked.cards] == [("S0001", 98), ("W-A01", 100)]
    assert revoked.position == head(app)


def test_a_deduction_cannot_be_revoked_twice(app: Supervision, inspector: Actor) -> None:
    recorded = app.record_deduction(request(), inspector)
    app.revoke_deduction(recorded.id, reason="申诉成立", by=inspector)
    before = head(app)

    with pytest.raises(DeductionAlreadyRevoked):
        app.revoke_deduction(recorded.id, reason="再次撤销", by=inspector)

    assert head(app) == before


def test_revoking_an_unknown_deduction_or_another_record_says_there_is_none(
    app: Supervision, inspector: Actor
) -> None:
    with pytest.raises(DeductionNotFound):
        app.revoke_deduction(uuid4(), reason="申诉成立", by=inspector)
    card = scorecard_id(SubjectKind.STAFF, "S0001", "2026-11")
    app.record_deduction(request(), inspector)
    with pytest.raises(DeductionNotFound):
        app.revoke_deduction(card, reason="申诉成立", by=inspector)


def test_the_record_holds_the_act_once_with_the_cards_that_carry_it(
    app: Supervision, inspector: Actor
) -> None:
    answer = app.record_deduction(request(), inspector)

    deduction = app.repository.get(answer.id)
    card = app.repository.get(scorecard_id(SubjectKind.WINDOW, "W-A01", "2026-11"))

    assert isinstance(deduction, Deduction)
    assert isinstance(card, Scorecard)
    assert deduction.card_ids == [
        scorecard_id(SubjectKind.STAFF, "S0001", "2026-11"),
        scorecard_id(SubjectKind.WINDOW, "W-A01", "2026-11"),
    ]
    (event,) = [
        e
        for e in app.repository.event_store.get(card.id)
        if e.__class__.__name__ == "DeductionRecorded"
    ]
    assert (event.department, event.window, event.staff) == (
        "real-estate-registration",
        "W-A01",
        "S0001",
    )
    assert event.actor == inspector
