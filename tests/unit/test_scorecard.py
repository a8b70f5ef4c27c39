"""Double-hundred scorecards (§6): the floor at zero, all-remaining rules, revocation, months."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID, uuid4

import pytest

from domain.calendar import OFFICE_TZ
from domain.conduct import AppliesTo, ConductRule
from domain.directory import StaffMember, Window
from domain.scorecard import (
    DeductionAlreadyRecorded,
    DeductionAlreadyRevoked,
    DeductionNotFound,
    DeductionRequest,
    MonthInFuture,
    OccurredInFuture,
    OccurredWithoutTimezone,
    PointsFixedByRule,
    PointsOutOfRange,
    RevocationReasonRequired,
    RuleNotApplicable,
    Scorecard,
    SourceType,
    Subject,
    SubjectKind,
    SubjectRequired,
    month_of,
    points_for,
    require_past_or_current_month,
    scorecard_id,
    subjects_charged,
)
from tests.unit.actors import INSPECTOR

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=OFFICE_TZ)
HAN = StaffMember("S0001", "韩蕾", "real-estate-registration", window="W-A01", post="A")
BACK_OFFICE = StaffMember("S0200", "钱多多", "real-estate-registration")
W_A01 = Window("W-A01", "不动产登记综合受理窗口", "real-estate-registration", "不动产登记专区")

LATE = ConductRule("lateness_early_leave", "迟到早退", "Late", 2, AppliesTo.STAFF)
RUDE = ConductRule("harsh_attitude", "态度生硬/言语粗暴", "Rude", 5, AppliesTo.BOTH)
UNATTENDED = ConductRule("window_unattended", "窗口无人/空岗", "Unattended", 5, AppliesTo.WINDOW)
INTEGRITY = ConductRule(
    "integrity", "吃拿卡要", "Integrity", 100, AppliesTo.BOTH, all_remaining=True
)


def _card(month: str = "2026-11") -> Scorecard:
    return Scorecard.open(
        Subject(SubjectKind.STAFF, "S0001", "real-estate-registration"), month, INSPECTOR, NOW
    )


def _deduct(
    card: Scorecard,
    rule: ConductRule,
    points: int | None = None,
    *,
    occurred_at: datetime = datetime(2026, 11, 3, 10, 0, tzinfo=OFFICE_TZ),
    deduction_id: UUID | None = None,
) -> UUID:
    deduction_id = deduction_id or uuid4()
    card.deduct(
        deduction_id=deduction_id,
        rule=rule,
        points=points_for(rule, points),
        occurred_at=occurred_at,
        evidence="暗访录像 2026-11-03",
        source={"type": "unannounced_visit", "ref": None},
        department="real-estate-registration",
        window="W-A01",
        staff="S0001",
        by=INSPECTOR,
        at=NOW,
    )
    return deduction_id


def test_a_card_starts_the_month_at_full_marks() -> None:
    card = _card()

    assert (card.score, card.deducted) == (100, 0)
    assert card.id == scorecard_id(SubjectKind.STAFF, "S0001", "2026-11")


def test_deductions_are_subtracted_down_to_zero_and_never_below() -> None:
    card = _card()
    _deduct(card, RUDE, 60)
    _deduct(card, RUDE, 30)

    _deduct(card, RUDE, 50)

    assert card.score == 0
    assert card.deducted == 100


def test_a_rule_that_takes_all_remaining_points_leaves_nothing_whatever_came_before() -> None:
    card = _card()
    first = _deduct(card, LATE)
    _deduct(card, INTEGRITY)
    assert card.score == 0

    card.revoke(first, reason="考勤机故障，申诉成立", by=INSPECTOR, at=NOW)

    assert card.score == 0


def test_revoking_the_integrity_deduction_gives_back_only_what_it_took() -> None:
    card = _card()
    _deduct(card, LATE)
    integrity = _deduct(card, INTEGRITY)

    card.revoke(integrity, reason="经复核不属实", by=INSPECTOR, at=NOW)

    assert card.score == 98


def test_an_all_remaining_rule_cannot_be_made_to_cost_fewer_points() -> None:
    with pytest.raises(PointsFixedByRule):
        points_for(INTEGRITY, 50)
    assert points_for(INTEGRITY, None) == 100


@pytest.mark.parametrize("points", [0, 101, -5])
def test_a_deduction_costs_one_to_a_hundred_points(points: int) -> None:
    with pytest.raises(PointsOutOfRange):
        points_for(RUDE, points)


def test_a_revoked_deduction_stops_counting_and_cannot_be_revoked_twice() -> None:
    card = _card()
    kept = _deduct(card, LATE)
    revoked = _deduct(card, RUDE)

    card.revoke(revoked, reason="申诉成立", by=INSPECTOR, at=NOW)

    assert card.score == 98
    assert not card.deductions[str(kept)]["revoked"]
    with pytest.raises(DeductionAlreadyRevoked):
        card.revoke(revoked, reason="再次撤销", by=INSPECTOR, at=NOW)


def test_a_revocation_needs_a_reason_and_a_deduction_on_the_card() -> None:
    card = _card()
    deduction = _deduct(card, LATE)

    with pytest.raises(RevocationReasonRequired):
        card.revoke(deduction, reason="  ", by=INSPECTOR, at=NOW)
    with pytest.raises(DeductionNotFound):
        card.revoke(uuid4(), reason="申诉成立", by=INSPECTOR, at=NOW)


def test_the_same_deduction_cannot_be_recorded_twice_on_a_card() -> None:
    card = _card()
    deduction = _deduct(card, LATE)

    with pytest.raises(DeductionAlreadyRecorded):
        _deduct(card, LATE, deduction_id=deduction)

    assert card.score == 98


def test_an_act_cannot_be_deducted_for_before_it_happened() -> None:
    card = _card()

    with pytest.raises(OccurredInFuture):
        _deduct(card, LATE, occurred_at=datetime(2026, 11, 27, 10, 1, tzinfo=OFFICE_TZ))


def test_half_past_eleven_at_night_on_the_31st_in_the_centre_is_still_that_month() -> None:
    late_evening = datetime(2026, 10, 31, 23, 30, tzinfo=OFFICE_TZ)

    assert late_evening.astimezone(UTC).day == 31
    assert month_of(late_evening) == "2026-10"
    assert month_of(datetime(2026, 10, 31, 15, 30, tzinfo=UTC)) == "2026-10"


def test_half_past_four_in_the_afternoon_utc_on_the_31st_is_already_next_month_in_the_centre() -> (
    None
):
    utc_afternoon = datetime(2026, 10, 31, 16, 30, tzinfo=UTC)

    assert month_of(utc_afternoon) == "2026-11"


def test_an_act_goes_on_the_card_of_its_month_in_the_centre() -> None:
    october = _card("2026-10")

    _deduct(october, LATE, occurred_at=datetime(2026, 10, 31, 15, 30, tzinfo=UTC))

    assert october.score == 98


def test_a_moment_without_an_offset_has_no_month() -> None:
    with pytest.raises(OccurredWithoutTimezone):
        month_of(datetime(2026, 10, 31, 23, 30))


def test_a_month_that_has_not_begun_in_the_centre_has_no_scores_yet() -> None:
    last_minute_of_november = datetime(2026, 11, 30, 15, 59, tzinfo=UTC)
    first_minute_of_december = datetime(2026, 11, 30, 16, 0, tzinfo=UTC)

    with pytest.raises(MonthInFuture):
        require_past_or_current_month("2026-12", last_minute_of_november)
    assert require_past_or_current_month("2026-12", first_minute_of_december) == "2026-12"


# Whose cards an act costs -----------------------------------------------------------


def test_naming_a_staff_member_alone_also_costs_their_window_under_a_rule_for_both() -> None:
    charged = subjects_charged(RUDE, staff=HAN, window=None, staff_window=W_A01)

    assert [(s.kind, s.id) for s in charged] == [
        (SubjectKind.STAFF, "S0001"),
        (SubjectKind.WINDOW, "W-A01"),
    ]


def test_a_staff_only_rule_costs_the_staff_member_alone_even_with_the_window_named() -> None:
    charged = subjects_charged(LATE, staff=HAN, window=W_A01, staff_window=W_A01)

    assert [(s.kind, s.id) for s in charged] == [(SubjectKind.STAFF, "S0001")]


def test_a_back_office_staff_member_pays_alone_under_a_rule_for_both() -> None:
    charged = subjects_charged(RUDE, staff=BACK_OFFICE, window=None, staff_window=None)

    assert [(s.kind, s.id) for s in charged] == [(SubjectKind.STAFF, "S0200")]


def test_a_window_rule_needs_a_window_and_a_staff_rule_a_staff_member() -> None:
    with pytest.raises(RuleNotApplicable):
        subjects_charged(UNATTENDED, staff=HAN, window=None, staff_window=W_A01)
    with pytest.raises(RuleNotApplicable):
        subjects_charged(LATE, staff=None, window=W_A01, staff_window=None)
    with pytest.raises(SubjectRequired):
        subjects_charged(RUDE, staff=None, window=None, staff_window=None)


def test_a_retry_is_told_from_a_different_request_by_its_fingerprint() -> None:
    at = datetime(2026, 11, 3, 10, 0, tzinfo=OFFICE_TZ)
    request = DeductionRequest(
        "harsh_attitude", "S0001", None, at, "录像", SourceType.CASE, "HL20261103-0001", None
    )
    same_moment_in_utc = DeductionRequest(
        "harsh_attitude",
        "S0001",
        None,
        at.astimezone(UTC),
        "录像",
        SourceType.CASE,
        "HL20261103-0001",
        None,
    )
    other_points = DeductionRequest(
        "harsh_attitude", "S0001", None, at, "录像", SourceType.CASE, "HL20261103-0001", 6
    )

    assert request.fingerprint() == same_moment_in_utc.fingerprint()
    assert request.fingerprint() != other_points.fingerprint()
