"""The directory of the service centre: departments, their windows and the staff on each post."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any, Literal
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from domain.actor import Actor
from domain.calendar import OFFICE_TZ
from domain.errors import Forbidden, Invalid, NotFound

DIRECTORY_ID: UUID = uuid5(NAMESPACE_URL, "oversight:directory")

Post = Literal["A", "B"]
POSTS: tuple[Post, ...] = ("A", "B")

# An entry's fields by name, kept primitive so snapshots of the directory need no transcoding.
Record = dict[str, Any]
Changes = dict[str, str | bool | None]


@dataclass(frozen=True)
class Department:
    """A department with windows in the hall (e.g. 税务局)."""

    id: str
    name: str
    name_en: str
    active: bool = True
    # 承接部门: in a file, the department that takes over this one's open work as it is
    # retired (机构改革); on record, the department a retired one went to.
    successor: str | None = None
    # The department's superior (上级主管部门), which reads its boards and takes escalations.
    superior: str | None = None
    # Where notifications to the department go (§17): an e-mail address, a group-robot
    # webhook URL (WeCom, DingTalk), either, both or neither.
    email: str | None = None
    webhook: str | None = None


@dataclass(frozen=True)
class Window:
    """A service window, run by one department, in one service zone of the hall."""

    id: str
    name: str
    department: str
    zone: str
    active: bool = True


@dataclass(frozen=True)
class StaffMember:
    """A member of staff: on a window's A (main) or B (backup) post, or in the back office."""

    id: str
    name: str
    department: str
    window: str | None = None
    post: Post | None = None
    active: bool = True


@dataclass(frozen=True)
class DirectorySpec:
    """The directory as it should be: every active department, window and staff member."""

    departments: tuple[Department, ...] = ()
    windows: tuple[Window, ...] = ()
    staff: tuple[StaffMember, ...] = ()


class InvalidDirectorySpec(Invalid):
    """A directory spec that cannot be recorded as it stands."""

    code = "invalid_directory"


class UnknownDepartment(InvalidDirectorySpec):
    """A window or staff member names a department the spec does not list."""

    code = "unknown_department"


class UnknownWindow(InvalidDirectorySpec):
    """A staff member names a window the spec does not list."""

    code = "unknown_window"


class WindowNotInDepartment(InvalidDirectorySpec):
    """A staff member sits at a window run by another department."""

    code = "window_not_in_department"


class DuplicateDirectoryId(InvalidDirectorySpec):
    """Two entries of the same kind share an id."""

    code = "duplicate_directory_id"


class InvalidPost(InvalidDirectorySpec):
    """A post other than A or B, or a post without a window."""

    code = "invalid_post"


class PostHeldTwice(InvalidDirectorySpec):
    """Two staff members on the same post of the same window."""

    code = "post_held_twice"


class EmptyName(InvalidDirectorySpec):
    """An id, name or zone that is empty."""

    code = "empty_name"


class InactiveEntryInSpec(InvalidDirectorySpec):
    """A spec lists what should be active; leaving an entry out is how it is retired."""

    code = "inactive_entry_in_spec"


class UnknownSuccessor(InvalidDirectorySpec):
    """A retiring department names a successor the file does not keep active."""

    code = "unknown_successor"


class SuccessorRetiring(InvalidDirectorySpec):
    """A retiring department names a successor that is itself being retired."""

    code = "successor_retiring"


class SuccessorCycle(InvalidDirectorySpec):
    """Retiring departments name each other (or themselves) as successors."""

    code = "successor_cycle"


class EntryOfRetiringDepartment(InvalidDirectorySpec):
    """A window or staff member left with a department the file retires."""

    code = "entry_of_retiring_department"


class DepartmentOutOfService(Forbidden):
    """The accounts and tokens of a retired department no longer act for it."""

    code = "department_retired"


@dataclass(frozen=True)
class Leaving:
    """What an import would take out of service (DESIGN §15, reorganisation)."""

    # department id -> its successor, or None for a department simply left out of the file
    departments: dict[str, str | None]
    windows: frozenset[str]
    staff: frozenset[str]
    # window id -> the department that runs it after the import, for the windows kept
    window_departments: dict[str, str]

    def __bool__(self) -> bool:
        return bool(self.departments or self.windows or self.staff)


class UnknownSuperior(InvalidDirectorySpec):
    """A department names a superior the spec does not list."""

    code = "unknown_superior"


class SuperiorCycle(InvalidDirectorySpec):
    """Superiors that lead back to where they started (A → B → A)."""

    code = "superior_cycle"


class DepartmentNotFound(NotFound):
    """The directory never listed a department with this id."""

    code = "department_not_found"


class UnknownStaff(Invalid):
    """A case names a staff member the directory does not list as active."""

    code = "unknown_staff"


class StaffNotAtWindow(Invalid):
    """A case names a staff member and a window they do not work at."""

    code = "staff_not_at_window"


@dataclass(frozen=True)
class Routing:
    """Where a case about a window or staff member goes by default (§5, routing)."""

    department: str | None
    window: str | None
    staff: str | None


class Directory(Aggregate):
    """The one directory of the centre, with the history of who held which post when."""

    TOPIC = "oversight:Directory"

    class Event(Aggregate.Event):
        TOPIC = "oversight:Directory.Event"
        actor: Actor

    class Created(Event, Aggregate.Created):
        TOPIC = "oversight:Directory.Created"

    class DepartmentAdded(Event):
        TOPIC = "oversight:Directory.DepartmentAdded"
        department_id: str
        name: str
        name_en: str
        # Events recorded before superiors (or contacts) existed read the class default.
        superior: str | None = None
        email: str | None = None
        webhook: str | None = None

        def apply(self, directory: Directory) -> None:
            directory._departments[self.department_id] = {
                "name": self.name,
                "name_en": self.name_en,
                "active": True,
                "superior": self.superior,
                "email": self.email,
                "webhook": self.webhook,
            }

    class DepartmentChanged(Event):
        TOPIC = "oversight:Directory.DepartmentChanged"
        department_id: str
        changes: Changes

        def apply(self, directory: Directory) -> None:
            directory._departments[self.department_id].update(self.changes)
            if self.changes.get("active") is True:
                # Back in service: a successor it once went to is no longer its successor.
                directory._departments[self.department_id].pop("successor", None)

    class DepartmentRetired(Event):
        TOPIC = "oversight:Directory.DepartmentRetired"
        department_id: str
        # The department that took its open work over (机构改革); None for events recorded
        # before there were successors, and for a department simply left out of a file.
        successor: str | None = None

        def apply(self, directory: Directory) -> None:
            directory._departments[self.department_id]["active"] = False
            if self.successor is not None:
                directory._departments[self.department_id]["successor"] = self.successor

    class WindowOpened(Event):
        TOPIC = "oversight:Directory.WindowOpened"
        window_id: str
        name: str
        department: str
        zone: str

        def apply(self, directory: Directory) -> None:
            directory._windows[self.window_id] = {
                "name": self.name,
                "department": self.department,
                "zone": self.zone,
                "active": True,
            }

    class WindowChanged(Event):
        TOPIC = "oversight:Directory.WindowChanged"
        window_id: str
        changes: Changes

        def apply(self, directory: Directory) -> None:
            directory._windows[self.window_id].update(self.changes)

    class WindowClosed(Event):
        TOPIC = "oversight:Directory.WindowClosed"
        window_id: str

        def apply(self, directory: Directory) -> None:
            directory._windows[self.window_id]["active"] = False

    class StaffJoined(Event):
        TOPIC = "oversight:Directory.StaffJoined"
        staff_id: str
        name: str
        department: str
        window: str | None
        post: str | None

        def apply(self, directory: Directory) -> None:
            directory._replace_staff_record(
                self.staff_id,
                {
                    "name": self.name,
                    "department": self.department,
                    "window": self.window,
                    "post": self.post,
                    "active": True,
                },
                self.timestamp,
            )

    class StaffChanged(Event):
        TOPIC = "oversight:Directory.StaffChanged"
        staff_id: str
        changes: Changes

        def apply(self, directory: Directory) -> None:
            record = {**directory._staff[self.staff_id], **self.changes}
            directory._replace_staff_record(self.staff_id, record, self.timestamp)

    class StaffLeft(Event):
        TOPIC = "oversight:Directory.StaffLeft"
        staff_id: str

        def apply(self, directory: Directory) -> None:
            record = {**directory._staff[self.staff_id], "active": False}
            directory._replace_staff_record(self.staff_id, record, self.timestamp)

    def __init__(self) -> None:
        self._departments: dict[str, Record] = {}
        self._windows: dict[str, Record] = {}
        self._staff: dict[str, Record] = {}
        # window id -> post -> [[local day (ISO), holder or None], ...], one entry per change day
        self._post_history: dict[str, dict[str, list[list[str | None]]]] = {}

    @classmethod
    def create(cls, actor: Actor, at: datetime) -> Directory:
        """Start the centre's one directory, empty."""
        return cls._create(cls.Created, id=DIRECTORY_ID, actor=actor, timestamp=at)

    def reconcile(self, spec: DirectorySpec, actor: Actor, at: datetime) -> int:
        """Record the events that turn the directory into `spec`; answer how many."""
        _check_spec(spec)
        version_before = self.version
        successors = _successors(spec)
        kinds = (
            (
                self._departments,
                _continuing(spec),
                "department_id",
                self.DepartmentAdded,
                self.DepartmentChanged,
                self.DepartmentRetired,
            ),
            (
                self._windows,
                spec.windows,
                "window_id",
                self.WindowOpened,
                self.WindowChanged,
                self.WindowClosed,
            ),
            (
                self._staff,
                spec.staff,
                "staff_id",
                self.StaffJoined,
                self.StaffChanged,
                self.StaffLeft,
            ),
        )
        for current, wanted, id_field, added, changed, _ in kinds:
            self._add_or_change(current, wanted, id_field, added, changed, actor, at)
        # Removals run the other way round, so nothing active ever points at a retired entry.
        for current, wanted, id_field, _, _, removed in reversed(kinds):
            self._remove_missing(current, wanted, id_field, removed, actor, at, successors)
        return self.version - version_before

    def leaving(self, spec: DirectorySpec) -> Leaving:
        """What importing `spec` would take out of service: each department retired (and its
        successor), each window closed, each staff member gone. Refuses a spec that breaks a
        rule, as `reconcile` would."""
        _check_spec(spec)
        successors = _successors(spec)
        kept = {department.id for department in _continuing(spec)}
        window_ids = {window.id for window in spec.windows}
        staff_ids = {member.id for member in spec.staff}
        return Leaving(
            departments={
                key: successors.get(key) for key, _ in _active(self._departments) if key not in kept
            },
            windows=frozenset(key for key, _ in _active(self._windows) if key not in window_ids),
            staff=frozenset(key for key, _ in _active(self._staff) if key not in staff_ids),
            window_departments={window.id: window.department for window in spec.windows},
        )

    def require_in_service(self, department_id: str | None) -> None:
        """Refuse to act for a department the directory retired (机构改革); a department it
        never listed is left to the checks that know what it is for."""
        department = self.department(department_id) if department_id is not None else None
        if department is not None and not department.active:
            went_to = f"; its work went to {department.successor}" if department.successor else ""
            raise DepartmentOutOfService(f"department {department_id} was retired{went_to}")

    @property
    def department_names(self) -> dict[str, str]:
        """The name of every department ever listed, retired ones too: what past work names."""
        return {key: record["name"] for key, record in sorted(self._departments.items())}

    @property
    def retired_departments(self) -> tuple[Department, ...]:
        """The departments retired, with the successor each went to (if any), by id."""
        return tuple(
            Department(id=key, **record)
            for key, record in sorted(self._departments.items())
            if not record["active"]
        )

    @property
    def departments(self) -> tuple[Department, ...]:
        """The active departments, by id."""
        return tuple(Department(id=key, **record) for key, record in _active(self._departments))

    @property
    def windows(self) -> tuple[Window, ...]:
        """The open windows, by id."""
        return tuple(Window(id=key, **record) for key, record in _active(self._windows))

    @property
    def staff(self) -> tuple[StaffMember, ...]:
        """The staff currently in the centre, by id."""
        return tuple(StaffMember(id=key, **record) for key, record in _active(self._staff))

    def department(self, department_id: str) -> Department | None:
        """The department with this id, retired or not; None if it was never listed."""
        record = self._departments.get(department_id)
        return None if record is None else Department(id=department_id, **record)

    def superior_of(self, department_id: str) -> str | None:
        """The active superior of a department (上级主管部门), or None when it has none."""
        record = self._departments.get(department_id)
        superior = None if record is None else record.get("superior")
        if superior is None or not self._departments.get(superior, {}).get("active"):
            return None
        return str(superior)

    def subordinates_of(self, department_id: str) -> tuple[str, ...]:
        """The active departments below this one, directly or through others, by id."""
        below: list[str] = []
        reached = {department_id}
        frontier = [department_id]
        while frontier:
            above = frontier.pop()
            for key, record in _active(self._departments):
                if record.get("superior") == above and key not in reached:
                    reached.add(key)
                    below.append(key)
                    frontier.append(key)
        return tuple(sorted(below))

    def window(self, window_id: str) -> Window | None:
        """The window with this id, closed or not; None if it was never listed."""
        record = self._windows.get(window_id)
        return None if record is None else Window(id=window_id, **record)

    def staff_member(self, staff_id: str) -> StaffMember | None:
        """The staff member with this id, gone or not; None if they were never listed."""
        record = self._staff.get(staff_id)
        return None if record is None else StaffMember(id=staff_id, **record)

    def window_department(self, window_id: str) -> str | None:
        """The id of the department that runs (or last ran) this window."""
        record = self._windows.get(window_id)
        return None if record is None else record["department"]

    def active_department(self, department_id: str) -> Department:
        """The active department with this id, or a named error."""
        department = self.department(department_id)
        if department is None or not department.active:
            raise UnknownDepartment(f"there is no department {department_id!r}")
        return department

    def route(
        self, department_id: str | None, window_id: str | None, staff_id: str | None
    ) -> Routing:
        """Check the window and staff a case names, and default its department from them."""
        window = self.window(window_id) if window_id else None
        if window_id and (window is None or not window.active):
            raise UnknownWindow(f"there is no window {window_id!r}")
        staff = self.staff_member(staff_id) if staff_id else None
        if staff_id and (staff is None or not staff.active):
            raise UnknownStaff(f"there is no staff member {staff_id!r}")
        if window and staff and staff.window != window.id:
            raise StaffNotAtWindow(f"staff member {staff.id} does not work at window {window.id}")
        department_id = department_id or (window.department if window else None)
        department_id = department_id or (staff.department if staff else None)
        if department_id is not None:
            self.active_department(department_id)
        return Routing(department=department_id, window=window_id, staff=staff_id)

    def staff_on_post(self, window_id: str, post: str, day: date) -> str | None:
        """Who held this post at the end of `day` (centre time), or None if nobody did."""
        holder: str | None = None
        for change_day, holder_from_then in self._post_history.get(window_id, {}).get(post, []):
            if change_day > day.isoformat():
                break
            holder = holder_from_then
        return holder

    def _add_or_change(
        self,
        current: dict[str, Record],
        wanted: tuple[Any, ...],
        id_field: str,
        added: type[Directory.Event],
        changed: type[Directory.Event],
        actor: Actor,
        at: datetime,
    ) -> None:
        for entry in wanted:
            fields = _fields_of(entry)
            record = current.get(entry.id)
            if record is None:
                self.trigger_event(
                    added, **{id_field: entry.id}, **fields, actor=actor, timestamp=at
                )
                continue
            changes: Changes = {name: v for name, v in fields.items() if record.get(name) != v}
            if not record["active"]:
                changes["active"] = True
            if changes:
                self.trigger_event(
                    changed, **{id_field: entry.id}, changes=changes, actor=actor, timestamp=at
                )

    def _remove_missing(
        self,
        current: dict[str, Record],
        wanted: tuple[Any, ...],
        id_field: str,
        removed: type[Directory.Event],
        actor: Actor,
        at: datetime,
        successors: dict[str, str],
    ) -> None:
        wanted_ids = {entry.id for entry in wanted}
        for key, _ in _active(current):
            if key not in wanted_ids:
                # Only departments have successors: a retiring one names its own.
                handed = {"successor": successors[key]} if key in successors else {}
                self.trigger_event(removed, **{id_field: key}, **handed, actor=actor, timestamp=at)

    def _replace_staff_record(self, staff_id: str, record: Record, at: datetime) -> None:
        post_before = _post_of(self._staff.get(staff_id))
        post_after = _post_of(record)
        self._staff[staff_id] = record
        if post_before == post_after:
            return
        # Someone else may already have taken over the old post earlier in the same reconcile.
        if post_before is not None and self._current_holder(*post_before) == staff_id:
            self._record_post_holder(*post_before, None, at)
        if post_after is not None:
            self._record_post_holder(*post_after, staff_id, at)

    def _current_holder(self, window_id: str, post: str) -> str | None:
        history = self._post_history.get(window_id, {}).get(post, [])
        return history[-1][1] if history else None

    def _record_post_holder(
        self, window_id: str, post: str, holder: str | None, at: datetime
    ) -> None:
        day = _centre_day(at).isoformat()
        history = self._post_history.setdefault(window_id, {}).setdefault(post, [])
        # The question is asked per day, so only the last holder of each day is kept.
        if history and history[-1][0] == day:
            history.pop()
        if (history[-1][1] if history else None) != holder:
            history.append([day, holder])


def _check_spec(spec: DirectorySpec) -> None:
    """Refuse a spec that breaks a rule, before anything of it is recorded."""
    for kind, entries in (
        ("department", spec.departments),
        ("window", spec.windows),
        ("staff member", spec.staff),
    ):
        _check_entries(kind, entries)
    _check_successors(spec)
    retiring = _successors(spec)
    department_ids = {department.id for department in _continuing(spec)}
    windows_by_id = {window.id: window for window in spec.windows}
    for entry in (*spec.windows, *spec.staff):
        if entry.department in retiring:
            raise EntryOfRetiringDepartment(
                f"{entry.id!r} still belongs to {entry.department!r}, which the file retires "
                f"into {retiring[entry.department]!r}: move it to a department kept, or leave "
                "it out"
            )
    for window in spec.windows:
        if window.department not in department_ids:
            raise UnknownDepartment(
                f"window {window.id!r} names unknown department {window.department!r}"
            )
    holders: dict[tuple[str, str], str] = {}
    for member in spec.staff:
        if member.department not in department_ids:
            raise UnknownDepartment(
                f"staff member {member.id!r} names unknown department {member.department!r}"
            )
        if member.post is not None and member.post not in POSTS:
            raise InvalidPost(
                f"staff member {member.id!r} has post {member.post!r}; a post is A or B"
            )
        if member.window is None:
            if member.post is not None:
                raise InvalidPost(
                    f"staff member {member.id!r} has post {member.post} but no window"
                )
            continue
        window = windows_by_id.get(member.window)
        if window is None:
            raise UnknownWindow(
                f"staff member {member.id!r} names unknown window {member.window!r}"
            )
        if window.department != member.department:
            raise WindowNotInDepartment(
                f"staff member {member.id!r} of {member.department!r} sits at window "
                f"{window.id!r} of {window.department!r}"
            )
        if member.post is not None:
            other = holders.setdefault((member.window, member.post), member.id)
            if other != member.id:
                raise PostHeldTwice(
                    f"staff members {other!r} and {member.id!r} both hold post "
                    f"{member.post} of window {member.window!r}"
                )
    _check_superiors(spec.departments)


def _check_superiors(departments: tuple[Department, ...]) -> None:
    """Refuse a superior the spec does not list, and any chain of superiors that loops."""
    superiors = {d.id: d.superior for d in departments}
    for department in departments:
        if department.superior is not None and department.superior not in superiors:
            raise UnknownSuperior(
                f"department {department.id!r} names unknown superior {department.superior!r}"
            )
    for start in superiors:
        chain = [start]
        while (above := superiors[chain[-1]]) is not None:
            if above in chain:
                looped = " → ".join([*chain[chain.index(above) :], above])
                raise SuperiorCycle(f"superiors form a cycle: {looped}")
            chain.append(above)


def _check_entries(kind: str, entries: Iterable[Department | Window | StaffMember]) -> None:
    seen: set[str] = set()
    for entry in entries:
        for name, value in asdict(entry).items():
            if isinstance(value, str) and not value.strip():
                raise EmptyName(f"{kind} {entry.id!r} has an empty {name}")
        if entry.id in seen:
            raise DuplicateDirectoryId(f"{kind} id {entry.id!r} is listed twice")
        seen.add(entry.id)
        if not entry.active:
            raise InactiveEntryInSpec(
                f"{kind} {entry.id!r} is marked inactive; leave it out of the spec instead"
            )


def _fields_of(entry: Department | Window | StaffMember) -> Record:
    fields = asdict(entry)
    del fields["id"], fields["active"]
    fields.pop("successor", None)  # a retirement is its own event, not a change of fields
    return fields


def _successors(spec: DirectorySpec) -> dict[str, str]:
    """Each department the spec retires, and the successor it names."""
    return {d.id: d.successor for d in spec.departments if d.successor is not None}


def _continuing(spec: DirectorySpec) -> tuple[Department, ...]:
    """The departments the spec keeps in service."""
    return tuple(d for d in spec.departments if d.successor is None)


def _check_successors(spec: DirectorySpec) -> None:
    """Every successor is a department the spec keeps: never unknown, retiring or circular."""
    successors = _successors(spec)
    listed = {department.id for department in spec.departments}
    for department_id, successor in successors.items():
        chain = [department_id]
        while chain[-1] in successors and successors[chain[-1]] not in chain:
            chain.append(successors[chain[-1]])
        if chain[-1] in successors:
            named = " → ".join([*chain, successors[chain[-1]]])
            raise SuccessorCycle(f"the successors go round in a circle: {named}")
        if successor not in listed:
            raise UnknownSuccessor(
                f"department {department_id!r} names successor {successor!r}, which the file "
                "does not list"
            )
        if successor in successors:
            raise SuccessorRetiring(
                f"department {department_id!r} names successor {successor!r}, which the file "
                f"retires too (into {successors[successor]!r}); name the department that stays"
            )


def _active(records: dict[str, Record]) -> list[tuple[str, Record]]:
    return sorted((key, record) for key, record in records.items() if record["active"])


def _post_of(record: Record | None) -> tuple[str, str] | None:
    if record is None or not record["active"] or record["window"] is None:
        return None
    if record["post"] is None:
        return None
    return record["window"], record["post"]


def _centre_day(at: datetime) -> date:
    # A naive timestamp is taken as already in centre time.
    return at.date() if at.tzinfo is None else at.astimezone(OFFICE_TZ).date()
