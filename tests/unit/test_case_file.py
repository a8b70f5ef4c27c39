"""The case page's reading (`case_file`): the case, the actions open to the viewer, and a
timeline that names the person who acted and masks what the viewer may not read."""

from __future__ import annotations

from application.supervision import Supervision
from domain.actor import Actor, Role
from domain.case import CaseAction
from tests.factories import assigned_case

LI = Actor("account-li", Role.OPERATOR, name="李小红")


def test_the_timeline_names_the_person_who_acted_and_their_role(
    supervision: Supervision, department_actor: Actor
) -> None:
    case_id = assigned_case(supervision, LI)

    timeline = supervision.case_file(case_id, department_actor).timeline

    assert [(s.event, s.actor_name, s.actor_role) for s in timeline] == [
        ("Case.Registered", "李小红", "operator"),
        ("Case.Assigned", "李小红", "operator"),
    ]


def test_an_internal_note_is_marked_and_a_public_one_is_not(
    supervision: Supervision, operator: Actor
) -> None:
    case_id = assigned_case(supervision, operator)
    supervision.add_case_note(case_id, text="内部核查中", public=False, by=operator)
    supervision.add_case_note(case_id, text="已联系窗口", public=True, by=operator)

    notes = [s for s in supervision.case_file(case_id, operator).timeline if s.text]

    assert [(s.text, s.internal) for s in notes] == [("内部核查中", True), ("已联系窗口", False)]


def test_a_department_reads_the_complainants_phone_masked_in_the_timeline(
    supervision: Supervision, operator: Actor, department_actor: Actor
) -> None:
    case_id = assigned_case(supervision, operator)
    supervision.add_case_note(case_id, text="已致电 13812345678", public=False, by=operator)

    seen_by_department = supervision.case_file(case_id, department_actor).timeline[-1].text
    seen_by_operator = supervision.case_file(case_id, operator).timeline[-1].text

    assert seen_by_department == "已致电 138****5678"
    assert seen_by_operator == "已致电 13812345678"


def test_the_actions_are_the_viewers_own(
    supervision: Supervision, operator: Actor, department_actor: Actor
) -> None:
    case_id = assigned_case(supervision, operator)

    assert supervision.case_file(case_id, department_actor).actions == (
        CaseAction.ACKNOWLEDGE,
        CaseAction.RETURN,
    )
    assert supervision.case_file(case_id, operator).actions == (
        CaseAction.ASSIGN,
        CaseAction.MERGE,
        CaseAction.REMIND,
    )
