"""Verbs of discipline (§6): the conduct catalogue, and deductions on double-hundred scorecards."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from application.base import ConcurrentChange, OversightApplication
from application.directory import DirectoryVerbs
from domain.actor import Actor, Role
from domain.conduct import (
    CONDUCT_CATALOGUE_ID,
    FULL_MARKS,
    ConductCatalogue,
    ConductRule,
    UnknownRule,
)
from domain.errors import Forbidden
from domain.scorecard import (
    Deduction,
    DeductionNotFound,
    DeductionRequest,
    OccurredInFuture,
    Scorecard,
    SubjectKind,
    month_of,
    points_for,
    scorecard_id,
    subjects_charged,
)

# Two inspectors opening the same month's card at once conflict; doing it again is safe.
DEDUCTION_ATTEMPTS = 5


class DeductionsForInspectors(Forbidden):
    """Recording and revoking deductions is for discipline inspectors (§3)."""

    code = "role_not_allowed"


@dataclass(frozen=True)
class CatalogueLoad:
    """What loading a conduct catalogue recorded."""

    rules: int
    changes: int
    position: int


@dataclass(frozen=True)
class CardScore:
    """One scorecard's standing after a command."""

    subject: str
    id: str
    month: str
    score: int
    deducted: int

    @classmethod
    def of(cls, card: Scorecard) -> CardScore:
        return cls(
            subject=card.subject_kind.value,
            id=card.subject_id,
            month=card.month,
            score=card.score,
            deducted=card.deducted,
        )


@dataclass(frozen=True)
class DeductionAnswer:
    """A deduction as recorded or revoked, the cards carrying it, and the event position."""

    id: UUID
    rule: str
    rule_name: str
    points: int
    all_remaining: bool
    occurred_at: datetime
    month: str
    revoked: bool
    cards: tuple[CardScore, ...]
    position: int


class DisciplineVerbs(DirectoryVerbs, OversightApplication):
    """Loading the conduct catalogue; recording and revoking deductions."""

    # The catalogue --------------------------------------------------------------

    def load_conduct_rules(self, rules: tuple[ConductRule, ...], by: Actor) -> CatalogueLoad:
        """Record what changed between the catalogue on record and `rules` (idempotent)."""
        now = self.time_source.now()
        catalogue = self._load_or_none(CONDUCT_CATALOGUE_ID) or ConductCatalogue.open(by, now)
        changes = catalogue.reconcile(rules, by, now)
        if not catalogue.pending_events:
            head = self.recorder.max_notification_id() or 0
            return CatalogueLoad(rules=len(rules), changes=0, position=head)
        return CatalogueLoad(rules=len(rules), changes=changes, position=self._commit(catalogue))

    def conduct_catalogue(self) -> ConductCatalogue | None:
        """The catalogue as recorded, or None before the first load."""
        return self._load_or_none(CONDUCT_CATALOGUE_ID)

    def list_conduct_rules(self) -> tuple[ConductRule, ...]:
        """The rules in force (none before a catalogue is loaded)."""
        catalogue = self.conduct_catalogue()
        return catalogue.rules if catalogue is not None else ()

    def _rule(self, code: str) -> ConductRule:
        catalogue = self.conduct_catalogue()
        if catalogue is None:
            raise UnknownRule(
                "no conduct catalogue is loaded yet; an administrator runs "
                "`oversight rules load --default`"
            )
        return catalogue.rule(code)

    # Deductions -----------------------------------------------------------------

    def record_deduction(
        self, request: DeductionRequest, by: Actor, *, deduction_id: UUID | None = None
    ) -> DeductionAnswer:
        """Take points from a staff member and/or window, both cards in one transaction.

        With a `deduction_id` (from an Idempotency-Key), a retry of the same request
        answers the first answer and records nothing; a different request under the same
        id is refused.
        """
        _require_inspector(by)
        deduction_id = deduction_id or self.ids()
        for _ in range(DEDUCTION_ATTEMPTS):
            existing = self._load_or_none(deduction_id)
            if existing is not None:
                return self._first_answer(deduction_id, existing, request)
            try:
                return self._record_new_deduction(deduction_id, request, by)
            except ConcurrentChange:
                continue
        raise ConcurrentChange("too many changes to these scorecards at once; please retry")

    def _record_new_deduction(
        self, deduction_id: UUID, request: DeductionRequest, by: Actor
    ) -> DeductionAnswer:
        now = self.time_source.now()
        month = month_of(request.occurred_at)
        if request.occurred_at > now:
            raise OccurredInFuture(f"{request.occurred_at.isoformat()} has not happened yet")
        rule = self._rule(request.rule)
        points = points_for(rule, request.points)
        directory = self.directory()
        directory.route(None, request.window, request.staff)  # unknown or mismatched: refused
        staff = directory.staff_member(request.staff) if request.staff else None
        window = directory.window(request.window) if request.window else None
        staff_window = directory.window(staff.window) if staff and staff.window else None
        subjects = subjects_charged(rule, staff=staff, window=window, staff_window=staff_window)
        place = window or staff_window
        cards: list[Scorecard] = []
        for subject in subjects:
            card_id = scorecard_id(subject.kind, subject.id, month)
            card = self._load_or_none(card_id) or Scorecard.open(subject, month, by, now)
            card.deduct(
                deduction_id=deduction_id,
                rule=rule,
                points=points,
                occurred_at=request.occurred_at,
                evidence=request.evidence,
                source=request.source,
                department=subject.department,
                window=place.id if place else None,
                staff=staff.id if staff else None,
                by=by,
                at=now,
            )
            cards.append(card)
        deduction = Deduction.record(
            deduction_id=deduction_id, request=request, cards=cards, by=by, at=now
        )
        position = self._commit(deduction, *cards)
        return _answer(deduction_id, cards, position)

    def _first_answer(
        self, deduction_id: UUID, existing: object, request: DeductionRequest
    ) -> DeductionAnswer:
        if not isinstance(existing, Deduction):
            raise ConcurrentChange(f"{deduction_id} is the id of another record")
        existing.answers(request)
        # Each card as it stood right after the deduction: the scores the first answer gave.
        cards = [
            self.repository.get(UUID(entry["card"]), version=entry["version"])
            for entry in existing.cards
        ]
        return _answer(deduction_id, cards, self.recorder.max_notification_id() or 0)

    def revoke_deduction(self, deduction_id: UUID, *, reason: str, by: Actor) -> DeductionAnswer:
        """Withdraw a deduction from every card carrying it (撤销); it stops counting."""
        _require_inspector(by)
        deduction = self._load(
            deduction_id, lambda: DeductionNotFound(f"there is no deduction {deduction_id}")
        )
        if not isinstance(deduction, Deduction):
            raise DeductionNotFound(f"there is no deduction {deduction_id}")
        now = self.time_source.now()
        deduction.revoke(reason=reason, by=by, at=now)
        cards: list[Scorecard] = [self.repository.get(card_id) for card_id in deduction.card_ids]
        for card in cards:
            card.revoke(deduction_id, reason=reason, by=by, at=now)
        position = self._commit(deduction, *cards)
        return _answer(deduction_id, cards, position)

    def scorecard(self, kind: SubjectKind, subject_id: str, month: str) -> CardScore:
        """A window's or staff member's standing in a month (100 before any deduction)."""
        card = self._load_or_none(scorecard_id(kind, subject_id, month))
        if card is None:
            return CardScore(kind.value, subject_id, month, score=FULL_MARKS, deducted=0)
        return CardScore.of(card)


def _require_inspector(actor: Actor) -> None:
    if actor.role is not Role.INSPECTOR:
        raise DeductionsForInspectors("deductions are recorded and revoked by inspectors")


def _answer(deduction_id: UUID, cards: list[Scorecard], position: int) -> DeductionAnswer:
    entry = cards[0].deductions[str(deduction_id)]
    return DeductionAnswer(
        id=deduction_id,
        rule=entry["rule"],
        rule_name=entry["rule_name"],
        points=entry["points"],
        all_remaining=entry["all_remaining"],
        occurred_at=datetime.fromisoformat(entry["occurred_at"]),
        month=cards[0].month,
        revoked=entry["revoked"],
        cards=tuple(CardScore.of(card) for card in cards),
        position=position,
    )
