"""Verbs on cases: one method per thing a person does to a case (§5)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, is_dataclass, replace
from datetime import datetime
from typing import Any
from uuid import UUID

from application.items import ItemVerbs
from application.numbering import NumberingVerbs
from application.views import CaseFile, CaseView, HistoryEntry, RegisteredCase, TimelineStep
from domain.actor import Actor, Role
from domain.case import (
    Case,
    CaseAction,
    CaseNotFound,
    Intake,
    NotAssignedDepartment,
    Outcome,
    Satisfaction,
)
from domain.errors import Forbidden
from domain.personal_data import with_personal_fields_erased
from domain.privacy import identity_stand_ins, with_stand_ins

_EVENT_BOOKKEEPING = {"originator_id", "originator_version", "timestamp", "originator_topic"}
_REASON_FIELDS = ("reason", "reasons", "note")
# What a timeline step quotes as its "why": a reason, a note's or a callback's words, an answer.
_TIMELINE_TEXT_FIELDS = (*_REASON_FIELDS, "text", "comment", "answer", "message")


class HistoryForInspectors(Forbidden):
    """The full history holds complainants' identities as recorded: inspectors read it (§3)."""

    code = "history_for_inspectors"


class CaseVerbs(ItemVerbs, NumberingVerbs):
    """Register, route, handle, answer, call back and close cases."""

    # Reading ----------------------------------------------------------------

    def _case(self, case_id: UUID) -> Case:
        return self._load_as(case_id, Case, lambda: CaseNotFound(f"there is no case {case_id}"))

    def _readable_case(self, case_id: UUID, viewer: Actor) -> Case:
        return self._readable(
            self._case(case_id),
            viewer,
            lambda: NotAssignedDepartment("this case is not assigned to your department"),
        )

    def get_case(self, case_id: UUID, viewer: Actor) -> CaseView:
        """One case as the viewer may see it."""
        case = self._readable_case(case_id, viewer)
        return CaseView.of(case, viewer, position=None)

    def case_history(self, case_id: UUID, viewer: Actor) -> list[HistoryEntry]:
        """Every event of a case, with actor, time, reason and request id (inspectors only)."""
        require_history_reader(viewer)
        erased = self._case(case_id).personal_data_erased
        return [history_entry(event, erased) for event in self.repository.event_store.get(case_id)]

    def case_file(self, case_id: UUID, viewer: Actor) -> CaseFile:
        """The case page's reading: the case as the viewer may see it, the actions open to
        them now, and the timeline, its words masked as the case's are for this viewer."""
        case = self._readable_case(case_id, viewer)
        now = self.time_source.now()
        events = self.repository.event_store.get(case_id)
        return self._case_file(case, viewer, events, case.actions_open_to(viewer, now), now)

    def _case_file(
        self,
        case: Case,
        viewer: Actor,
        events: Iterable[Any],
        actions: tuple[CaseAction, ...],
        at: datetime,
    ) -> CaseFile:
        """The case page's reading of `case` with its `events` so far: their timeline, its
        words masked for this viewer, and the time left at `at`."""
        stand_ins = identity_stand_ins(viewer, case.kind.value, case.complainant)
        timeline = []
        for event in events:
            step = timeline_step(event, history_entry(event, case.personal_data_erased))
            timeline.append(
                replace(
                    step,
                    text=with_stand_ins(step.text, stand_ins) if step.text else None,
                    internal=isinstance(event, Case.NoteAdded) and not event.public,
                )
            )
        acknowledge_left, left = case.working_seconds_left(self.calendar, at)
        return CaseFile(
            case=CaseView.of(case, viewer, position=None),
            actions=actions,
            timeline=timeline,
            acknowledge_seconds_left=acknowledge_left,
            seconds_left=left,
        )

    def _answer(self, case: Case, by: Actor, *others: Any) -> CaseView:
        position = self._commit(case, *others)
        return CaseView.of(case, by, position)

    def _on_case(
        self, case_id: UUID, by: Actor, verb: Callable[..., None], **arguments: Any
    ) -> CaseView:
        """Load the case, run the verb on it by `by` now, save it and answer."""
        case = self._case(case_id)
        verb(case, **arguments, by=by, at=self.time_source.now())
        return self._answer(case, by)

    # Registration and routing ------------------------------------------------

    def register_case(self, intake: Intake, *, by: Actor) -> RegisteredCase:
        """Register a case and give the citizen a tracking number and an access code; the
        service item it names must be in the catalogue's service (`unknown_item`)."""
        routing = self.directory().route(intake.department, intake.window, intake.staff)
        self.require_item(intake.item)
        access_code = self.secrets.new_access_code()
        routed = replace(
            intake, department=routing.department, window=routing.window, staff=routing.staff
        )
        case, position = self._register(routed, case_id=self.ids(), access_code=access_code, by=by)
        return RegisteredCase(CaseView.of(case, by, position), access_code)

    def _register(
        self,
        intake: Intake,
        *,
        case_id: UUID,
        access_code: str,
        by: Actor,
        assign_to: str | None = None,
    ) -> tuple[Case, int]:
        """Register (and, given `assign_to`, assign) a case under the day's next number, in
        one save. A case id taken already raises AlreadyRecorded."""
        access_code_hash = self.secrets.hash_access_code(access_code)

        def make(number: str, now: datetime) -> Case:
            case = Case.register(
                intake,
                case_id=case_id,
                tracking_number=number,
                access_code_hash=access_code_hash,
                by=by,
                at=now,
                access_code=access_code,
            )
            if assign_to is not None:
                case.assign(
                    department=assign_to,
                    urgent=None,
                    final=False,
                    note=None,
                    policy=self.policy,
                    calendar=self.calendar,
                    by=by,
                    at=now,
                )
            return case

        if intake.complainant:
            # Made now, so the numbering turn (one at a time) holds no round trip for it.
            self.personal_data_keys.key_for_writing(case_id)
        return self._save_numbered(make, prefix=intake.channel.value, by=by)

    def assign_case(
        self,
        case_id: UUID,
        *,
        department: str,
        urgent: bool | None,
        final: bool,
        note: str | None,
        by: Actor,
    ) -> CaseView:
        """Hand a case to a department with its deadlines (派单); `final` arbitrates (审定)."""
        self.directory().active_department(department)
        return self._on_case(
            case_id,
            by,
            Case.assign,
            department=department,
            urgent=urgent,
            final=final,
            note=note,
            policy=self.policy,
            calendar=self.calendar,
        )

    # The department's handling -------------------------------------------------

    def acknowledge_case(self, case_id: UUID, by: Actor) -> CaseView:
        """The assigned department takes the case (签收)."""
        return self._on_case(case_id, by, Case.acknowledge)

    def return_case(self, case_id: UUID, *, reason: str, by: Actor) -> CaseView:
        """The department hands the case back as not theirs (退单)."""
        return self._on_case(case_id, by, Case.return_to_sender, reason=reason)

    def stop_case_clock(self, case_id: UUID, *, reason: str, by: Actor) -> CaseView:
        """Stop the case's clock while waiting on someone else (挂起)."""
        return self._on_case(case_id, by, Case.stop_clock, reason=reason)

    def resume_case_clock(self, case_id: UUID, by: Actor) -> CaseView:
        """Restart the case's clock; the stopped working time is added back."""
        return self._on_case(
            case_id, by, Case.resume_clock, policy=self.policy, calendar=self.calendar
        )

    def request_extension(
        self, case_id: UUID, *, working_days: int, reason: str, by: Actor
    ) -> CaseView:
        """Ask for more working days before the deadline passes (申请延期)."""
        return self._on_case(
            case_id, by, Case.request_extension, working_days=working_days, reason=reason
        )

    def grant_extension(self, case_id: UUID, by: Actor) -> CaseView:
        """An inspector grants the requested extension."""
        return self._on_case(
            case_id, by, Case.grant_extension, policy=self.policy, calendar=self.calendar
        )

    def refuse_extension(self, case_id: UUID, *, reason: str, by: Actor) -> CaseView:
        """An inspector refuses the requested extension."""
        return self._on_case(case_id, by, Case.refuse_extension, reason=reason)

    def post_result(
        self,
        case_id: UUID,
        *,
        outcome: Outcome,
        actions: str,
        answer: str,
        by: Actor,
        proposed_deduction: dict[str, Any] | None = None,
    ) -> CaseView:
        """The department posts its findings, actions and answer (答复), and may propose a
        deduction when it finds the complaint substantiated (an inspector decides on it)."""
        case = self._case(case_id)
        if proposed_deduction is not None:
            self.directory().route(
                None, proposed_deduction.get("window"), proposed_deduction.get("staff")
            )
        case.post_result(
            outcome=outcome,
            actions=actions,
            answer=answer,
            by=by,
            at=self.time_source.now(),
            proposed_deduction=proposed_deduction,
        )
        return self._answer(case, by)

    # The centre's follow-up ------------------------------------------------------

    def record_callback(
        self,
        case_id: UUID,
        *,
        reached: bool,
        satisfaction: Satisfaction | None,
        comment: str | None,
        by: Actor,
    ) -> CaseView:
        """Record the callback to the complainant (回访)."""
        return self._on_case(
            case_id,
            by,
            Case.record_callback,
            reached=reached,
            satisfaction=satisfaction,
            comment=comment,
        )

    def close_case(self, case_id: UUID, by: Actor) -> CaseView:
        """Close an answered case (办结)."""
        return self._on_case(case_id, by, Case.close)

    def reopen_case(self, case_id: UUID, *, reason: str, by: Actor) -> CaseView:
        """Send the case back to its department with a new deadline (重办)."""
        return self._on_case(
            case_id, by, Case.reopen, reason=reason, policy=self.policy, calendar=self.calendar
        )

    def merge_case(self, case_id: UUID, *, into: UUID, by: Actor) -> CaseView:
        """Merge a duplicate into the first case about the same facts (重复件)."""
        case = self._case(case_id)
        target = case if into == case_id else self._case(into)
        case.merge_into(target, by=by, at=self.time_source.now())
        return self._answer(case, by, target)

    def add_case_note(self, case_id: UUID, *, text: str, public: bool, by: Actor) -> CaseView:
        """Add a public or internal note to a case."""
        return self._on_case(case_id, by, Case.add_note, text=text, public=public)

    def supervise_case(self, case_id: UUID, *, note: str, by: Actor) -> CaseView:
        """An inspector escalates an overdue case (督办)."""
        return self._on_case(case_id, by, Case.supervise, note=note)

    def remind_case(self, case_id: UUID, *, message: str, by: Actor) -> CaseView:
        """An operator or inspector reminds the handling department by hand (人工催办)."""
        return self._on_case(case_id, by, Case.remind, message=message)


def require_history_reader(viewer: Actor) -> None:
    """Refuse anyone but an inspector a record's full event history."""
    if viewer.role is not Role.INSPECTOR:
        raise HistoryForInspectors("the full event history is for discipline inspectors")


def history_entry(event: Any, personal_data_erased: bool = False) -> HistoryEntry:
    """One event of any record, in words an inspector can read."""
    actor = getattr(event, "actor", None)
    fields = {
        name: _plain(value)
        for name, value in vars(event).items()
        if name not in _EVENT_BOOKKEEPING and name != "actor"
    }
    if personal_data_erased:
        fields = with_personal_fields_erased(type(event), fields)
    fields.pop("access_code_hash", None)
    fields.pop("notification", None)  # the access code kept for the registration SMS
    reason = next((fields[name] for name in _REASON_FIELDS if fields.get(name)), None)
    return HistoryEntry(
        version=event.originator_version,
        type=type(event).__name__,
        at=event.timestamp,
        actor=actor.as_dict() if actor else None,
        reason=reason,
        request_id=actor.request_id if actor else None,
        fields=fields,
    )


def timeline_step(
    event: Any, entry: HistoryEntry, text_fields: tuple[str, ...] = _TIMELINE_TEXT_FIELDS
) -> TimelineStep:
    """One event as a record's page tells it: what, when, who, and the first of
    `text_fields` it carries as its "why"."""
    text = next((entry.fields[f] for f in text_fields if entry.fields.get(f)), None)
    return TimelineStep(
        event=event.TOPIC.removeprefix("oversight:"),
        at=entry.at,
        actor_name=(entry.actor or {}).get("name"),
        actor_role=(entry.actor or {}).get("role"),
        text=text if isinstance(text, str) else None,
    )


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if hasattr(value, "as_dict"):
        return value.as_dict()
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    return value
