"""Reminders by hand (人工催办, §15): an operator or an inspector reminds the department
handling a case or a rectification order, with a message; one event shared by both tasks,
distinct from the clock's own `Reminded`.

The default stories are those of `case_story` and `order_story`: a complaint assigned on
Friday 27 November 2026 at 10:30 to the deeds office, an order issued to it at the same time.
"""

from __future__ import annotations

import pytest

from application.projections.hand_reminders import case_reminders, order_reminders
from application.supervision import Supervision
from domain.actor import Actor, Role
from domain.case import Case, CaseClosed, CaseMerged, CaseNotAssigned, CaseStatusForbids
from domain.rectification import OrderClosed, OrderStatusForbids, RectificationOrder
from domain.task import (
    MAX_REMINDER_MESSAGE_LENGTH,
    ReminderMessageRequired,
    ReminderMessageTooLong,
    ReminderNotAllowed,
)
from tests.factories import assigned_case, issued_order
from tests.unit.case_story import ACKNOWLEDGED_AT, Given, at, recorded, refused
from tests.unit.order_story import GivenOrder

SOON = at(11, 27, 11, 0)
LATER = at(12, 1, 9, 0)
MESSAGE = "请尽快联系诉求人并反馈办理进展"
DEEDS = "real-estate-registration"


@pytest.fixture
def given_order(given: Given) -> GivenOrder:
    """Orders issued by the inspector of the cases' stories to the same department."""
    return GivenOrder.beside(given)


# Cases ---------------------------------------------------------------------------------------


def test_an_operator_reminds_the_department_holding_an_assigned_case(given: Given) -> None:
    # given
    case = given.assigned()

    # when
    case.remind(message=MESSAGE, by=given.operator, at=SOON)

    # then
    assert recorded(case) == ["RemindedByHand"]
    (event,) = case.pending_events
    assert isinstance(event, Case.RemindedByHand)
    assert event.TOPIC == "oversight:Case.RemindedByHand"
    assert (event.message, event.department, event.actor) == (MESSAGE, DEEDS, given.operator)
    assert case.hand_reminders == [
        {
            "at": SOON.isoformat(),
            "message": MESSAGE,
            "department": DEEDS,
            "role": "operator",
            "name": None,
        }
    ]


def test_an_inspector_reminds_a_case_in_progress_as_often_as_needed(given: Given) -> None:
    case = given.acknowledged()

    case.remind(message=MESSAGE, by=given.inspector, at=LATER)
    case.remind(message="再次催办", by=given.inspector, at=at(12, 2, 9, 0))

    assert recorded(case) == ["RemindedByHand", "RemindedByHand"]
    assert [r["message"] for r in case.hand_reminders] == [MESSAGE, "再次催办"]


def test_a_hand_reminder_is_not_the_clocks_own_reminder(given: Given) -> None:
    case = given.acknowledged()

    case.remind(message=MESSAGE, by=given.operator, at=LATER)

    assert case.reminded_for is None
    assert Case.RemindedByHand is not Case.Reminded
    assert not issubclass(Case.RemindedByHand, Case.Reminded)


def test_reminding_after_a_missed_deadline_records_the_miss_first(given: Given) -> None:
    # given: the acknowledge deadline (Mon 30 Nov 17:30) passed unseen by the clock
    case = given.assigned()

    case.remind(message=MESSAGE, by=given.operator, at=LATER)

    assert recorded(case) == ["AcknowledgeDeadlineMissed", "RemindedByHand"]


def test_a_department_may_not_remind(given: Given) -> None:
    case = given.acknowledged()
    with refused(ReminderNotAllowed, case):
        case.remind(message=MESSAGE, by=given.department, at=LATER)


def test_a_closed_case_is_not_reminded(given: Given) -> None:
    case = given.closed()
    with refused(CaseClosed, case):
        case.remind(message=MESSAGE, by=given.operator, at=at(12, 5, 10, 0))


def test_a_merged_case_is_not_reminded(given: Given) -> None:
    first, duplicate = given.registered(), given.assigned()
    duplicate.merge_into(first, by=given.operator, at=ACKNOWLEDGED_AT)
    duplicate.collect_events()
    with refused(CaseMerged, duplicate):
        duplicate.remind(message=MESSAGE, by=given.operator, at=LATER)


def test_a_case_with_no_department_is_not_reminded(given: Given) -> None:
    case = given.registered()
    with refused(CaseNotAssigned, case):
        case.remind(message=MESSAGE, by=given.operator, at=SOON)


def test_an_answered_case_waits_for_the_centre_not_the_department(given: Given) -> None:
    case = given.answered()
    with refused(CaseStatusForbids, case):
        case.remind(message=MESSAGE, by=given.operator, at=at(12, 3, 17, 0))


@pytest.mark.parametrize("message", ["", "   ", "\n\t"])
def test_a_reminder_without_words_is_refused(given: Given, message: str) -> None:
    case = given.assigned()
    with refused(ReminderMessageRequired, case):
        case.remind(message=message, by=given.operator, at=SOON)


def test_a_reminder_longer_than_2000_characters_is_refused(given: Given) -> None:
    case = given.assigned()
    with refused(ReminderMessageTooLong, case):
        case.remind(message="催" * (MAX_REMINDER_MESSAGE_LENGTH + 1), by=given.operator, at=SOON)


# Rectification orders ------------------------------------------------------------------------


def test_an_order_shares_the_reminder_under_its_own_topic(given_order: GivenOrder) -> None:
    order = given_order.issued()
    operator = Actor("operator-wang", Role.OPERATOR)

    order.remind(message=MESSAGE, by=operator, at=SOON)

    (event,) = order.pending_events
    assert isinstance(event, RectificationOrder.RemindedByHand)
    assert event.TOPIC == "oversight:RectificationOrder.RemindedByHand"
    assert event.department == DEEDS
    assert [r["role"] for r in order.hand_reminders] == ["operator"]


def test_a_closed_order_is_not_reminded(given_order: GivenOrder) -> None:
    order = given_order.reported()
    order.accept(note=None, by=given_order.inspector, at=LATER)
    order.collect_events()
    with refused(OrderClosed, order):
        order.remind(message=MESSAGE, by=given_order.inspector, at=LATER)


def test_a_reported_order_waits_for_verification_not_a_reminder(given_order: GivenOrder) -> None:
    order = given_order.reported()
    with refused(OrderStatusForbids, order):
        order.remind(message=MESSAGE, by=given_order.inspector, at=LATER)


# The application and the read tables' projection ---------------------------------------------


def test_the_verbs_answer_the_task_with_its_reminders(
    supervision: Supervision, operator: Actor, inspector: Actor
) -> None:
    case_id = assigned_case(supervision, operator)
    order_id = issued_order(supervision, inspector)

    case = supervision.remind_case(case_id, message=MESSAGE, by=operator)
    order = supervision.remind_order(order_id, message=MESSAGE, by=inspector)

    assert [r["message"] for r in case.reminders] == [MESSAGE]
    assert [r["role"] for r in order.reminders] == ["inspector"]
    assert case.position is not None
    assert order.position is not None


def test_the_case_and_order_pages_timelines_quote_each_reminders_message(
    supervision: Supervision, operator: Actor, inspector: Actor, department_actor: Actor
) -> None:
    case_id = assigned_case(supervision, operator)
    order_id = issued_order(supervision, inspector)
    supervision.remind_case(case_id, message=MESSAGE, by=operator)
    supervision.remind_order(order_id, message="请按期整改", by=operator)

    on_case = supervision.case_file(case_id, department_actor).timeline[-1]
    on_order = supervision.order_file(order_id, inspector).timeline[-1]

    assert (on_case.event, on_case.text) == ("Case.RemindedByHand", MESSAGE)
    assert (on_order.event, on_order.text) == ("RectificationOrder.RemindedByHand", "请按期整改")


def test_each_reminder_becomes_one_row_naming_the_department_reminded(
    supervision: Supervision, operator: Actor, inspector: Actor
) -> None:
    case_id = assigned_case(supervision, operator)
    supervision.remind_case(case_id, message=MESSAGE, by=operator)
    supervision.remind_case(case_id, message="再次催办", by=inspector)
    projection = case_reminders()
    rows = {}

    for position, event in enumerate(supervision.repository.event_store.get(case_id), start=1):
        if event.TOPIC.startswith(projection.topic_prefix):
            key = projection.key_of(event)
            rows[key] = projection.project(rows.get(key), event, position)

    assert [(r["department"], r["message"], r["sent_by_role"]) for r in rows.values()] == [
        (DEEDS, MESSAGE, "operator"),
        (DEEDS, "再次催办", "inspector"),
    ]
    assert order_reminders().topic_prefix == "oversight:RectificationOrder.RemindedByHand"
