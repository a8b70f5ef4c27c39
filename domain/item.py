"""The item catalogue (事项清单, DESIGN §16): the services the hall's windows deliver, each with
the one-time written notice (一次性告知) of what to bring.

One aggregate holds the whole catalogue, as the directory does: an import is reconciled
against it, so that each item's history is a sequence of events. A new code is listed, a
changed item is revised (the event names the fields that changed), and an item the file no
longer holds is withdrawn, never deleted: cases and ratings that named it keep their meaning.
An item listed again after its withdrawal is revised back into service.

An item names no person: the catalogue is public, its pages and notices printed for anyone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from domain.actor import Actor
from domain.errors import Invalid, NotFound
from domain.text import require_storable

CATALOGUE_ID: UUID = uuid5(NAMESPACE_URL, "oversight:item-catalogue")

CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"
MAX_CODE = 64
MAX_NAME = 100
MAX_LEGAL_BASIS = 2_000
MAX_NOTES = 500
MAX_MATERIALS = 50
MAX_MATERIAL_COUNT = 99
# The longest time limit an item may promise: a year of working days (about 250) and more.
MAX_PROMISED_WORKING_DAYS = 365

Record = dict[str, Any]


class Frequency(StrEnum):
    """How often the hall delivers an item (办件频度)."""

    HIGH = "high"
    LOW = "low"


class MaterialForm(StrEnum):
    """Whether a material is brought as the original or as a copy (原件 / 复印件)."""

    ORIGINAL = "original"
    COPY = "copy"


class ItemNotFound(NotFound):
    """No item of the catalogue has this code."""

    code = "item_not_found"


class InvalidItem(Invalid):
    """An item the catalogue cannot hold as it stands."""

    code = "invalid_item"


class ItemCodeInvalid(InvalidItem):
    """An item's code: letters, digits, dot, dash and underscore, at most 64."""

    code = "item_code_invalid"


class ItemTextInvalid(InvalidItem):
    """An item's name and texts: present where required, within their lengths, storable."""

    code = "item_text_invalid"


class ItemFrequencyInvalid(InvalidItem):
    """An item's frequency is `high` or `low`."""

    code = "item_frequency_invalid"


class PromisedDaysInvalid(InvalidItem):
    """An item promises a whole number of working days, from 0 (on the spot) to 365."""

    code = "promised_days_invalid"


class MaterialInvalid(InvalidItem):
    """A material: a name, original or copy, a count from 1 to 99, notes within their length."""

    code = "material_invalid"


class ItemDepartmentUnknown(InvalidItem):
    """An item's department is an active department of the directory."""

    code = "item_department_unknown"


class ItemWindowUnknown(InvalidItem):
    """An item's windows are active windows of the directory."""

    code = "item_window_unknown"


class ItemZoneUnknown(InvalidItem):
    """An item's zone is a zone of the hall (one of the directory's windows is in it)."""

    code = "item_zone_unknown"


class DuplicateItemCode(InvalidItem):
    """A catalogue holds each code once."""

    code = "duplicate_item_code"


class UnknownItem(Invalid):
    """A case or a rating names an item the catalogue does not hold in service."""

    code = "unknown_item"


@dataclass(frozen=True)
class Material:
    """One material to bring (申请材料): its name, original or copy, how many, and notes."""

    name: str
    form: MaterialForm
    count: int = 1
    notes: str = ""


@dataclass(frozen=True)
class ItemSpec:
    """An item as a catalogue file describes it."""

    code: str
    name: str
    department: str
    windows: tuple[str, ...]
    zone: str
    frequency: Frequency
    at_most_one_trip: bool
    promised_working_days: int
    materials: tuple[Material, ...] = ()
    legal_basis: str = ""
    # Invented for the sample catalogue (示例数据), not a real centre's items.
    sample: bool = False

    def record(self) -> Record:
        """The item's fields as primitives, as events and snapshots hold them."""
        fields = asdict(self)
        fields["windows"] = list(self.windows)
        fields["frequency"] = Frequency(self.frequency).value
        fields["materials"] = [
            {**asdict(material), "form": MaterialForm(material.form).value}
            for material in self.materials
        ]
        return fields


def _text(value: str, what: str, *, maximum: int, required: bool = True) -> None:
    if required and not value.strip():
        raise ItemTextInvalid(f"{what} is required")
    if len(value) > maximum:
        raise ItemTextInvalid(f"{what} is at most {maximum} characters")
    require_storable(value, ItemTextInvalid, what)


def check_item(spec: ItemSpec) -> None:
    """Refuse an item whose own fields break a rule (the directory is checked elsewhere)."""
    if not isinstance(spec.code, str) or not re.fullmatch(CODE_PATTERN, spec.code):
        raise ItemCodeInvalid(
            f"code {spec.code!r}: letters, digits, '.', '-' and '_', at most {MAX_CODE}"
        )
    _text(spec.name, "name", maximum=MAX_NAME)
    _text(spec.department, "department", maximum=MAX_CODE)
    _text(spec.zone, "zone", maximum=MAX_NAME)
    _text(spec.legal_basis, "legal_basis", maximum=MAX_LEGAL_BASIS, required=False)
    for window in spec.windows:
        _text(window, "a window", maximum=MAX_CODE)
    if spec.frequency not in {f.value for f in Frequency}:
        raise ItemFrequencyInvalid(f"frequency {spec.frequency!r}: 'high' or 'low'")
    days = spec.promised_working_days
    if isinstance(days, bool) or not isinstance(days, int):
        raise PromisedDaysInvalid("promised_working_days must be a whole number")
    if not 0 <= days <= MAX_PROMISED_WORKING_DAYS:
        raise PromisedDaysInvalid(
            f"promised_working_days {days}: from 0 to {MAX_PROMISED_WORKING_DAYS}"
        )
    if len(spec.materials) > MAX_MATERIALS:
        raise MaterialInvalid(f"at most {MAX_MATERIALS} materials")
    for number, material in enumerate(spec.materials, start=1):
        _check_material(material, number)


def _check_material(material: Material, number: int) -> None:
    where = f"material {number}"
    try:
        _text(material.name, f"{where}: name", maximum=MAX_NAME)
        _text(material.notes, f"{where}: notes", maximum=MAX_NOTES, required=False)
    except ItemTextInvalid as refused:
        raise MaterialInvalid(refused.message) from None
    if material.form not in {f.value for f in MaterialForm}:
        raise MaterialInvalid(f"{where}: form {material.form!r}: 'original' or 'copy'")
    count = material.count
    if (
        isinstance(count, bool)
        or not isinstance(count, int)
        or not 1 <= count <= MAX_MATERIAL_COUNT
    ):
        raise MaterialInvalid(f"{where}: count {count!r}: from 1 to {MAX_MATERIAL_COUNT}")


def check_codes_unique(specs: Iterable[ItemSpec]) -> None:
    """Refuse a catalogue naming one code twice."""
    seen: set[str] = set()
    for spec in specs:
        if spec.code in seen:
            raise DuplicateItemCode(f"code {spec.code!r} appears more than once")
        seen.add(spec.code)


class ItemCatalogue(Aggregate):
    """The catalogue of service items, reconciled with each import."""

    TOPIC = "oversight:ItemCatalogue"

    class Event(Aggregate.Event):
        TOPIC = "oversight:ItemCatalogue.Event"
        actor: Actor

    class Started(Event, Aggregate.Created):
        TOPIC = "oversight:ItemCatalogue.Started"

    class ItemListed(Event):
        """A new item entered the catalogue (新增事项)."""

        TOPIC = "oversight:ItemCatalogue.ItemListed"
        code: str
        item: Record

        def apply(self, catalogue: ItemCatalogue) -> None:
            catalogue.items[self.code] = {**self.item, "withdrawn": False}

    class ItemRevised(Event):
        """An item changed (变更事项); `changed` names its fields that did, and `item` is the
        item as it now stands. An item withdrawn before is back in service."""

        TOPIC = "oversight:ItemCatalogue.ItemRevised"
        code: str
        item: Record
        changed: list[str]

        def apply(self, catalogue: ItemCatalogue) -> None:
            catalogue.items[self.code] = {**self.item, "withdrawn": False}

    class ItemWithdrawn(Event):
        """An item left the catalogue (取消事项): kept on record, marked withdrawn."""

        TOPIC = "oversight:ItemCatalogue.ItemWithdrawn"
        code: str

        def apply(self, catalogue: ItemCatalogue) -> None:
            catalogue.items[self.code] = {**catalogue.items[self.code], "withdrawn": True}

    def __init__(self, actor: Actor) -> None:
        self.items: dict[str, Record] = {}

    @classmethod
    def start(cls, by: Actor, at: datetime) -> ItemCatalogue:
        """An empty catalogue, before the first import."""
        return cls._create(cls.Started, id=CATALOGUE_ID, actor=by, timestamp=at)

    def reconcile(self, specs: Iterable[ItemSpec], by: Actor, at: datetime) -> int:
        """Record what changed between the catalogue and `specs`: new items listed, changed
        ones revised, missing ones withdrawn; answer how many events that took."""
        specs = list(specs)
        for spec in specs:
            check_item(spec)
        check_codes_unique(specs)
        changes = 0
        for spec in specs:
            record = spec.record()
            held = self.items.get(spec.code)
            if held is None:
                self.trigger_event(
                    self.ItemListed, code=spec.code, item=record, actor=by, timestamp=at
                )
            else:
                changed = [field for field, value in record.items() if held.get(field) != value] + (
                    ["withdrawn"] if held["withdrawn"] else []
                )
                if not changed:
                    continue
                self.trigger_event(
                    self.ItemRevised,
                    code=spec.code,
                    item=record,
                    changed=changed,
                    actor=by,
                    timestamp=at,
                )
            changes += 1
        kept = {spec.code for spec in specs}
        for code, held in list(self.items.items()):
            if code not in kept and not held["withdrawn"]:
                self.trigger_event(self.ItemWithdrawn, code=code, actor=by, timestamp=at)
                changes += 1
        return changes

    def item(self, code: str) -> Record | None:
        """An item in service by its code (None: unknown or withdrawn)."""
        found = self.items.get(code)
        return found if found is not None and not found["withdrawn"] else None

    def require_item(self, code: str) -> Record:
        """An item in service by its code; `unknown_item` when there is none."""
        found = self.item(code)
        if found is None:
            raise UnknownItem(f"the item catalogue holds no item {code!r} in service")
        return found
