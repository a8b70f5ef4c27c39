"""The conduct catalogue: the rules of conduct a deduction names, with their default points (§6)."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from domain.actor import Actor
from domain.errors import Invalid

CONDUCT_CATALOGUE_ID: UUID = uuid5(NAMESPACE_URL, "oversight:conduct-catalogue")

FULL_MARKS = 100
MIN_POINTS = 1
RULE_CODE = re.compile(r"^[a-z][a-z0-9_]{0,49}$")


class AppliesTo(StrEnum):
    """Whose scorecard a rule costs points on (适用对象)."""

    STAFF = "staff"
    WINDOW = "window"
    BOTH = "both"


@dataclass(frozen=True)
class ConductRule:
    """One rule of conduct (扣分事项): what breaking it costs, and whom.

    A rule with `all_remaining` (吃拿卡要) takes every point left: it is recorded as 100
    points, which the floor at zero (扣完为止) turns into "whatever is left".
    """

    code: str
    name_zh: str
    name_en: str
    points: int
    applies_to: AppliesTo
    all_remaining: bool = False
    active: bool = True

    @property
    def charges_staff(self) -> bool:
        return self.applies_to in (AppliesTo.STAFF, AppliesTo.BOTH)

    @property
    def charges_window(self) -> bool:
        return self.applies_to in (AppliesTo.WINDOW, AppliesTo.BOTH)


class InvalidConductCatalogue(Invalid):
    """A catalogue that cannot be recorded as it stands."""

    code = "invalid_conduct_catalogue"


class UnknownRule(Invalid):
    """A deduction names a rule the catalogue does not list (or no longer does)."""

    code = "unknown_rule"


# A rule's fields by name, kept primitive so the catalogue's state needs no transcoding.
Record = dict[str, Any]


class ConductCatalogue(Aggregate):
    """The one conduct catalogue of the centre, loaded from a file and changed by reloading."""

    TOPIC = "oversight:ConductCatalogue"

    class Event(Aggregate.Event):
        TOPIC = "oversight:ConductCatalogue.Event"
        actor: Actor

    class Opened(Event, Aggregate.Created):
        TOPIC = "oversight:ConductCatalogue.Opened"

    class RuleAdded(Event):
        TOPIC = "oversight:ConductCatalogue.RuleAdded"
        code: str
        name_zh: str
        name_en: str
        points: int
        applies_to: str
        all_remaining: bool

        def apply(self, catalogue: ConductCatalogue) -> None:
            catalogue._rules[self.code] = {
                "name_zh": self.name_zh,
                "name_en": self.name_en,
                "points": self.points,
                "applies_to": self.applies_to,
                "all_remaining": self.all_remaining,
                "active": True,
            }

    class RuleChanged(Event):
        TOPIC = "oversight:ConductCatalogue.RuleChanged"
        code: str
        changes: dict[str, Any]

        def apply(self, catalogue: ConductCatalogue) -> None:
            catalogue._rules[self.code].update(self.changes)

    class RuleRetired(Event):
        TOPIC = "oversight:ConductCatalogue.RuleRetired"
        code: str

        def apply(self, catalogue: ConductCatalogue) -> None:
            catalogue._rules[self.code]["active"] = False

    def __init__(self) -> None:
        self._rules: dict[str, Record] = {}

    @classmethod
    def open(cls, actor: Actor, at: datetime) -> ConductCatalogue:
        """Start the centre's one catalogue, empty."""
        return cls._create(cls.Opened, id=CONDUCT_CATALOGUE_ID, actor=actor, timestamp=at)

    def reconcile(self, rules: tuple[ConductRule, ...], actor: Actor, at: datetime) -> int:
        """Record the events that turn the catalogue into `rules`; answer how many."""
        check_rules(rules)
        version_before = self.version
        for rule in rules:
            fields = _fields_of(rule)
            record = self._rules.get(rule.code)
            if record is None:
                self.trigger_event(
                    self.RuleAdded, code=rule.code, **fields, actor=actor, timestamp=at
                )
                continue
            changes = {name: value for name, value in fields.items() if record[name] != value}
            if not record["active"]:
                changes["active"] = True
            if changes:
                self.trigger_event(
                    self.RuleChanged, code=rule.code, changes=changes, actor=actor, timestamp=at
                )
        wanted = {rule.code for rule in rules}
        for code in sorted(self._rules):
            if self._rules[code]["active"] and code not in wanted:
                self.trigger_event(self.RuleRetired, code=code, actor=actor, timestamp=at)
        return self.version - version_before

    @property
    def rules(self) -> tuple[ConductRule, ...]:
        """The rules in force, in the order they were first listed."""
        return tuple(
            _rule(code, record) for code, record in self._rules.items() if record["active"]
        )

    def rule(self, code: str) -> ConductRule:
        """The rule in force with this code, or a named error."""
        record = self._rules.get(code)
        if record is None or not record["active"]:
            raise UnknownRule(f"the conduct catalogue has no rule {code!r}")
        return _rule(code, record)


def check_rules(rules: tuple[ConductRule, ...]) -> None:
    """Refuse a catalogue that breaks a rule, before anything of it is recorded."""
    seen: set[str] = set()
    for rule in rules:
        for name in ("code", "name_zh", "name_en"):
            if not getattr(rule, name).strip():
                raise InvalidConductCatalogue(f"rule {rule.code!r} has an empty {name}")
        if not RULE_CODE.match(rule.code):
            raise InvalidConductCatalogue(
                f"rule code {rule.code!r} is not lower-case letters, digits and underscores"
            )
        if rule.code in seen:
            raise InvalidConductCatalogue(f"rule {rule.code!r} is listed twice")
        seen.add(rule.code)
        if not MIN_POINTS <= rule.points <= FULL_MARKS:
            raise InvalidConductCatalogue(
                f"rule {rule.code!r} costs {rule.points} points; a rule costs 1 to 100"
            )
        if rule.all_remaining and rule.points != FULL_MARKS:
            raise InvalidConductCatalogue(
                f"rule {rule.code!r} takes all remaining points, so its points are 100"
            )
        if not rule.active:
            raise InvalidConductCatalogue(
                f"rule {rule.code!r} is marked inactive; leave it out of the catalogue instead"
            )


def _fields_of(rule: ConductRule) -> Record:
    fields = asdict(rule)
    del fields["code"], fields["active"]
    fields["applies_to"] = rule.applies_to.value
    return fields


def _rule(code: str, record: Record) -> ConductRule:
    return ConductRule(
        code=code,
        name_zh=record["name_zh"],
        name_en=record["name_en"],
        points=record["points"],
        applies_to=AppliesTo(record["applies_to"]),
        all_remaining=record["all_remaining"],
        active=record["active"],
    )
