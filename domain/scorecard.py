"""Double-hundred scoring (双百分制, §6): a scorecard per window or staff member and month.

Every window and every staff member starts each month at 100 points; deductions are
subtracted down to 0 and never below (扣完为止, 不计负分). One act may cost a staff member and
their window: the `Deduction` records the act once, with the cards that carry it, and is
saved in the same transaction as those cards.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from domain.actor import Actor
from domain.attachment import add_to_attachments
from domain.calendar import OFFICE_TZ
from domain.conduct import FULL_MARKS, MIN_POINTS, AppliesTo, ConductRule
from domain.directory import StaffMember, Window
from domain.errors import Conflict, Invalid, NotFound

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
# A card's score never goes below this, whatever is deducted (扣完为止, 不计负分).
SCORE_FLOOR = 0
DEDUCTION_KEY_NAMESPACE: UUID = uuid5(NAMESPACE_URL, "oversight:deduction-idempotency-key")


class SubjectKind(StrEnum):
    """What a scorecard scores (考核对象)."""

    STAFF = "staff"
    WINDOW = "window"


class SourceType(StrEnum):
    """Where an inspector learnt of the act (扣分来源)."""

    CASE = "case"
    PATROL = "patrol"
    UNANNOUNCED_VISIT = "unannounced_visit"
    RECTIFICATION_ORDER = "rectification_order"
    EVALUATION = "evaluation"
    OTHER = "other"
    # A finding of an inspection visit (§16), `ref` the visit's id: set by
    # POST /visits/{id}/findings only.
    VISIT = "visit"


# Errors --------------------------------------------------------------------------


class InvalidMonth(Invalid):
    """A month that is not written YYYY-MM."""

    code = "invalid_month"


class MonthInFuture(Invalid):
    """Scores, lists and reports exist for this month and the months before it."""

    code = "month_in_future"


class DateInFuture(Invalid):
    """A day's blue list exists from that day on."""

    code = "date_in_future"


class SubjectRequired(Invalid):
    """A deduction names a staff member, a window, or both."""

    code = "subject_required"


class RuleNotApplicable(Invalid):
    """The rule does not cost points on the staff member or window named."""

    code = "rule_not_applicable"


class PointsOutOfRange(Invalid):
    """A deduction costs 1 to 100 points."""

    code = "points_out_of_range"


class PointsFixedByRule(Invalid):
    """A rule that takes all remaining points (吃拿卡要) cannot cost fewer."""

    code = "points_fixed_by_rule"


class EvidenceRequired(Invalid):
    """A deduction says what happened and how it is known (依据)."""

    code = "evidence_required"


class OccurredInFuture(Invalid):
    """A deduction is for something that already happened."""

    code = "occurred_in_future"


class OccurredWithoutTimezone(Invalid):
    """The moment of the act needs an offset, or its day and month are ambiguous."""

    code = "occurred_without_timezone"


class DeductionNotFound(NotFound):
    """No deduction has this id."""

    code = "deduction_not_found"


class DeductionAlreadyRecorded(Conflict):
    """The same deduction cannot be recorded twice on a scorecard."""

    code = "deduction_already_recorded"


class DeductionAlreadyRevoked(Conflict):
    """A revoked deduction stays revoked."""

    code = "deduction_already_revoked"


class RevocationReasonRequired(Invalid):
    """A revocation says why (e.g. the appeal that was upheld)."""

    code = "reason_required"


class DeductionKeyReused(Invalid):
    """The same Idempotency-Key came with a different deduction."""

    code = "idempotency_key_reused"


# Months, days and ids --------------------------------------------------------------


def month_of(moment: datetime) -> str:
    """The centre's month (Asia/Shanghai) of a moment, as YYYY-MM."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise OccurredWithoutTimezone(f"{moment.isoformat()} has no UTC offset")
    return moment.astimezone(OFFICE_TZ).strftime("%Y-%m")


def day_of(moment: datetime) -> date:
    """The centre's day (Asia/Shanghai) of a moment."""
    return moment.astimezone(OFFICE_TZ).date()


def require_month(month: str) -> str:
    """The month as given, if it is written YYYY-MM."""
    if not MONTH.match(month):
        raise InvalidMonth(f"{month!r} is not a month written YYYY-MM")
    return month


def require_past_or_current_month(month: str, now: datetime) -> str:
    """The month, unless it has not begun yet in the centre."""
    if require_month(month) > month_of(now):
        raise MonthInFuture(f"{month} has not begun yet")
    return month


def require_past_or_current_day(day: date, now: datetime) -> date:
    """The day, unless it has not begun yet in the centre."""
    if day > day_of(now):
        raise DateInFuture(f"{day.isoformat()} has not begun yet")
    return day


def score_after(points: int) -> int:
    """A card's score once `points` in force are deducted from the full marks: what is left,
    and never below the floor. The read side's scores are worked out by this same rule."""
    return max(SCORE_FLOOR, FULL_MARKS - points)


def scorecard_id(kind: SubjectKind, subject_id: str, month: str) -> UUID:
    """One scorecard per window or staff member and month, with an id anyone can work out."""
    return uuid5(NAMESPACE_URL, f"oversight:scorecard:{kind.value}:{subject_id}:{month}")


def deduction_id_for_key(key: str) -> UUID:
    """The deduction id an Idempotency-Key stands for: a retry lands on the same deduction."""
    return uuid5(DEDUCTION_KEY_NAMESPACE, key)


# What a deduction costs whom -------------------------------------------------------


@dataclass(frozen=True)
class Subject:
    """A window or staff member whose card a deduction costs points on."""

    kind: SubjectKind
    id: str
    department: str


def subjects_charged(
    rule: ConductRule,
    *,
    staff: StaffMember | None,
    window: Window | None,
    staff_window: Window | None,
) -> tuple[Subject, ...]:
    """Whose cards an act costs points on: the staff member, the window, or both.

    Naming a staff member alone also costs their window (`staff_window`) when the rule
    applies to both; a window named beside a staff member under a staff-only rule (or the
    other way round) only says where it happened.
    """
    if staff is None and window is None:
        raise SubjectRequired("a deduction names a staff member, a window, or both")
    charged: list[Subject] = []
    if staff is not None and rule.charges_staff:
        charged.append(Subject(SubjectKind.STAFF, staff.id, staff.department))
    if rule.charges_window:
        place = window
        if place is None and rule.applies_to is AppliesTo.BOTH:
            place = staff_window
        if place is not None:
            charged.append(Subject(SubjectKind.WINDOW, place.id, place.department))
    if not charged:
        whom = "windows" if rule.applies_to is AppliesTo.WINDOW else "staff members"
        raise RuleNotApplicable(f"rule {rule.code!r} applies to {whom} only")
    return tuple(charged)


def points_for(rule: ConductRule, points: int | None) -> int:
    """What the deduction costs: the rule's default unless the inspector set it."""
    if rule.all_remaining:
        if points not in (None, FULL_MARKS):
            raise PointsFixedByRule(
                f"rule {rule.code!r} takes all remaining points; it cannot cost {points}"
            )
        return FULL_MARKS
    chosen = rule.points if points is None else points
    if not MIN_POINTS <= chosen <= FULL_MARKS:
        raise PointsOutOfRange(f"a deduction costs 1 to 100 points, not {chosen}")
    return chosen


@dataclass(frozen=True)
class DeductionRequest:
    """A deduction as an inspector asked for it, before anything is decided."""

    rule: str
    staff: str | None
    window: str | None
    occurred_at: datetime
    evidence: str
    source_type: SourceType
    source_ref: str | None
    points: int | None

    def fingerprint(self) -> str:
        """A digest that tells a retry of this request from a different one."""
        month_of(self.occurred_at)  # refuses a moment without an offset
        canonical = {
            "rule": self.rule,
            "staff": self.staff,
            "window": self.window,
            "occurred_at": self.occurred_at.astimezone(OFFICE_TZ).isoformat(),
            "evidence": self.evidence,
            "source": [self.source_type.value, self.source_ref],
            "points": self.points,
        }
        text = json.dumps(canonical, ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()

    @property
    def source(self) -> dict[str, str | None]:
        return {"type": self.source_type.value, "ref": self.source_ref}


# The scorecard --------------------------------------------------------------------

# A deduction's fields by name, kept primitive so the card's state needs no transcoding.
Record = dict[str, Any]


class Scorecard(Aggregate):
    """One window's or staff member's month: 100 points less the deductions in force."""

    TOPIC = "oversight:Scorecard"

    class Event(Aggregate.Event):
        TOPIC = "oversight:Scorecard.Event"
        actor: Actor

    class Opened(Event, Aggregate.Created):
        TOPIC = "oversight:Scorecard.Opened"
        subject_kind: str
        subject_id: str
        month: str

    def __init__(self, subject_kind: str, subject_id: str, month: str, actor: Actor) -> None:
        self.subject_kind = SubjectKind(subject_kind)
        self.subject_id = subject_id
        self.month = month
        self.deductions: dict[str, Record] = {}

    @classmethod
    def open(cls, subject: Subject, month: str, by: Actor, at: datetime) -> Scorecard:
        """Start a subject's card for a month, at full marks."""
        return cls._create(
            cls.Opened,
            id=scorecard_id(subject.kind, subject.id, require_month(month)),
            subject_kind=subject.kind.value,
            subject_id=subject.id,
            month=month,
            actor=by,
            timestamp=at,
        )

    @property
    def deducted(self) -> int:
        """The points taken this month: never more than the 100 there were (扣完为止)."""
        return FULL_MARKS - self.score

    @property
    def score(self) -> int:
        """100 less the deductions in force, and never below zero (不计负分)."""
        return score_after(sum(d["points"] for d in self.deductions.values() if not d["revoked"]))

    def carries(self, deduction_id: UUID) -> bool:
        return str(deduction_id) in self.deductions

    class DeductionRecorded(Event):
        TOPIC = "oversight:Scorecard.DeductionRecorded"
        deduction_id: UUID
        subject_kind: str
        subject_id: str
        month: str
        department: str
        window: str | None
        staff: str | None
        rule: str
        rule_name: str
        points: int
        all_remaining: bool
        occurred_at: datetime
        evidence: str
        source: dict[str, str | None]

        def apply(self, card: Scorecard) -> None:
            card.deductions[str(self.deduction_id)] = {
                "rule": self.rule,
                "rule_name": self.rule_name,
                "points": self.points,
                "all_remaining": self.all_remaining,
                "occurred_at": self.occurred_at.isoformat(),
                "revoked": False,
                "department": self.department,
                "window": self.window,
                "staff": self.staff,
            }

    def deduct(
        self,
        *,
        deduction_id: UUID,
        rule: ConductRule,
        points: int,
        occurred_at: datetime,
        evidence: str,
        source: dict[str, str | None],
        department: str,
        window: str | None,
        staff: str | None,
        by: Actor,
        at: datetime,
    ) -> None:
        """Take points for an act under a rule of conduct (扣分)."""
        if self.carries(deduction_id):
            raise DeductionAlreadyRecorded(f"deduction {deduction_id} is already on this card")
        if not evidence.strip():
            raise EvidenceRequired("a deduction needs its evidence (依据)")
        if rule.all_remaining and points != FULL_MARKS:
            raise PointsFixedByRule(f"rule {rule.code!r} takes all remaining points")
        if not MIN_POINTS <= points <= FULL_MARKS:
            raise PointsOutOfRange(f"a deduction costs 1 to 100 points, not {points}")
        if month_of(occurred_at) != self.month:
            raise Invalid(f"an act of {month_of(occurred_at)} goes on that month's card")
        if occurred_at > at:
            raise OccurredInFuture(f"{occurred_at.isoformat()} has not happened yet")
        self.trigger_event(
            self.DeductionRecorded,
            deduction_id=deduction_id,
            subject_kind=self.subject_kind.value,
            subject_id=self.subject_id,
            month=self.month,
            department=department,
            window=window,
            staff=staff,
            rule=rule.code,
            rule_name=rule.name_zh,
            points=points,
            all_remaining=rule.all_remaining,
            occurred_at=occurred_at,
            evidence=evidence,
            source=source,
            actor=by,
            timestamp=at,
        )

    class DeductionRevoked(Event):
        TOPIC = "oversight:Scorecard.DeductionRevoked"
        deduction_id: UUID
        reason: str

        def apply(self, card: Scorecard) -> None:
            card.deductions[str(self.deduction_id)]["revoked"] = True

    def revoke(self, deduction_id: UUID, *, reason: str, by: Actor, at: datetime) -> None:
        """Withdraw a deduction, e.g. after an appeal was upheld (撤销); it stops counting."""
        found = self.deductions.get(str(deduction_id))
        if found is None:
            raise DeductionNotFound(f"deduction {deduction_id} is not on this card")
        if found["revoked"]:
            raise DeductionAlreadyRevoked(f"deduction {deduction_id} was already revoked")
        _require_reason(reason)
        self.trigger_event(
            self.DeductionRevoked, deduction_id=deduction_id, reason=reason, actor=by, timestamp=at
        )


# The act, once ------------------------------------------------------------------


class Deduction(Aggregate):
    """One act of deducting: the request it answered and the cards that carry it.

    Its id is the deduction id, so recording the same deduction twice conflicts even when
    the second request names other cards, and a revocation finds every card at once.
    """

    TOPIC = "oversight:Deduction"

    class Event(Aggregate.Event):
        TOPIC = "oversight:Deduction.Event"
        actor: Actor

    class Recorded(Event, Aggregate.Created):
        TOPIC = "oversight:Deduction.Recorded"
        request: str
        cards: list[dict[str, Any]]

    def __init__(self, request: str, cards: list[dict[str, Any]], actor: Actor) -> None:
        self.request = request
        self.cards = cards
        self.revoked = False
        self.appeal_id: UUID | None = None

    @classmethod
    def record(
        cls,
        *,
        deduction_id: UUID,
        request: DeductionRequest,
        cards: list[Scorecard],
        by: Actor,
        at: datetime,
    ) -> Deduction:
        """Record the act with each card's version once it carries the deduction."""
        return cls._create(
            cls.Recorded,
            id=deduction_id,
            request=request.fingerprint(),
            cards=[{"card": str(card.id), "version": card.version} for card in cards],
            actor=by,
            timestamp=at,
        )

    @property
    def card_ids(self) -> list[UUID]:
        return [UUID(entry["card"]) for entry in self.cards]

    def answers(self, request: DeductionRequest) -> bool:
        """Whether `request` is the one this deduction was recorded for (a retry)."""
        if request.fingerprint() != self.request:
            raise DeductionKeyReused(
                "this Idempotency-Key was used for a different deduction; use a new key"
            )
        return True

    class Revoked(Event):
        TOPIC = "oversight:Deduction.Revoked"
        reason: str

        def apply(self, deduction: Deduction) -> None:
            deduction.revoked = True

    def revoke(self, *, reason: str, by: Actor, at: datetime) -> None:
        """Withdraw the act; every card carrying it is revoked in the same transaction."""
        if self.revoked:
            raise DeductionAlreadyRevoked(f"deduction {self.id} was already revoked")
        _require_reason(reason)
        self.trigger_event(self.Revoked, reason=reason, actor=by, timestamp=at)

    class Appealed(Event):
        TOPIC = "oversight:Deduction.Appealed"
        appeal_id: UUID

        def apply(self, deduction: Deduction) -> None:
            deduction.appeal_id = self.appeal_id

    def appeal(self, *, appeal_id: UUID, by: Actor, at: datetime) -> None:
        """The department contests the act (申诉), once; the appeal's own rules are in
        domain/appeal.py, which calls this in the same command."""
        self.trigger_event(self.Appealed, appeal_id=appeal_id, actor=by, timestamp=at)

    # Evidence files (附件, §17) -------------------------------------------------------------

    class AttachmentAdded(Event):
        TOPIC = "oversight:Deduction.AttachmentAdded"
        attachment_id: UUID
        name: Any
        content_type: str
        size: int
        sha256: str

        def apply(self, deduction: Deduction) -> None:
            add_to_attachments(deduction, self)

    def add_attachment(self, *, listed: dict[str, Any], by: Actor, at: datetime) -> None:
        """List a file recorded as an `Attachment` on this record (上传附件)."""
        self.trigger_event(self.AttachmentAdded, **listed, actor=by, timestamp=at)


def _require_reason(reason: str) -> None:
    if not reason or not reason.strip():
        raise RevocationReasonRequired("a revocation needs a reason")
