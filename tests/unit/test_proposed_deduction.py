"""A substantiated result may propose a deduction (§6); an inspector confirms or dismisses it."""

from __future__ import annotations

import json
from uuid import UUID

import pytest

from application.proposals import _request, proposed_deduction_id
from application.supervision import Supervision
from domain.actor import Actor
from domain.case import (
    Case,
    CaseNotAcknowledged,
    DeductionNotProposable,
    Kind,
    NoProposedDeduction,
    Outcome,
    ProposalStatus,
    ReasonRequired,
)
from domain.scorecard import SubjectKind
from infrastructure.conduct_file import default_conduct_rules
from tests.factories import assigned_case
from tests.unit.case_story import ANSWERED_AT, Given, at, refused

PROPOSAL = {"rule": "harsh_attitude", "staff": None, "window": None, "points": None}


def post(given: Given, case: Case, outcome: Outcome, proposal: dict | None) -> None:
    case.post_result(
        outcome=outcome,
        actions="已对窗口人员批评教育",
        answer="经核实情况属实，已整改",
        by=given.department,
        at=ANSWERED_AT,
        proposed_deduction=proposal,
    )


# The case -----------------------------------------------------------------------------------


def test_a_substantiated_result_proposes_a_deduction_defaulting_to_the_cases_staff_and_window(
    given: Given,
) -> None:
    # given
    case = given.acknowledged()

    # when
    post(given, case, Outcome.SUBSTANTIATED, PROPOSAL)

    # then
    (event,) = case.pending_events
    assert isinstance(event, Case.ResultPosted)
    assert event.proposed_deduction == {
        "rule": "harsh_attitude",
        "staff": "S0001",
        "window": "W-A01",
        "points": None,
    }
    assert case.proposed_deduction is not None
    assert case.proposed_deduction["status"] == ProposalStatus.PROPOSED.value
    assert case.result == {
        "outcome": "substantiated",
        "actions": "已对窗口人员批评教育",
        "answer": "经核实情况属实，已整改",
    }


def test_a_result_without_a_proposal_proposes_nothing(given: Given) -> None:
    case = given.answered()
    assert case.proposed_deduction is None
    assert case.pending_proposal is None


@pytest.mark.parametrize(
    "outcome", [Outcome.PARTLY_SUBSTANTIATED, Outcome.UNSUBSTANTIATED, Outcome.RESOLVED]
)
def test_only_a_substantiated_result_may_propose_a_deduction(
    given: Given, outcome: Outcome
) -> None:
    case = given.acknowledged()
    with refused(DeductionNotProposable, case):
        post(given, case, outcome, PROPOSAL)


def test_a_suggestion_cannot_propose_a_deduction(given: Given) -> None:
    case = given.acknowledged(Kind.SUGGESTION)
    with refused(DeductionNotProposable, case):
        post(given, case, Outcome.SUBSTANTIATED, PROPOSAL)


def test_a_proposal_names_a_rule(given: Given) -> None:
    case = given.acknowledged()
    with refused(DeductionNotProposable, case):
        post(given, case, Outcome.SUBSTANTIATED, {**PROPOSAL, "rule": " "})


def test_a_proposal_still_needs_an_acknowledged_case(given: Given) -> None:
    case = given.assigned()
    with refused(CaseNotAcknowledged, case):
        post(given, case, Outcome.SUBSTANTIATED, PROPOSAL)


def test_an_inspector_dismisses_a_proposal_with_a_reason(given: Given) -> None:
    # given
    case = given.acknowledged()
    post(given, case, Outcome.SUBSTANTIATED, PROPOSAL)
    case.collect_events()

    # when
    case.dismiss_proposed_deduction(reason="情节轻微", by=given.inspector, at=at(12, 4, 9))

    # then
    assert [type(e).__name__ for e in case.pending_events] == ["ProposedDeductionDismissed"]
    assert case.proposed_deduction is not None
    assert case.proposed_deduction["status"] == "dismissed"
    assert case.proposed_deduction["reason"] == "情节轻微"


def test_dismissing_needs_a_reason_and_a_pending_proposal(given: Given) -> None:
    case = given.acknowledged()
    post(given, case, Outcome.SUBSTANTIATED, PROPOSAL)
    case.collect_events()
    with refused(ReasonRequired, case):
        case.dismiss_proposed_deduction(reason=" ", by=given.inspector, at=at(12, 4, 9))

    case.dismiss_proposed_deduction(reason="情节轻微", by=given.inspector, at=at(12, 4, 9))
    case.collect_events()
    with refused(NoProposedDeduction, case):
        case.dismiss_proposed_deduction(reason="再次", by=given.inspector, at=at(12, 4, 10))


def test_nothing_to_confirm_without_a_proposal(given: Given) -> None:
    case = given.answered()
    with refused(NoProposedDeduction, case):
        case.confirm_proposed_deduction(
            deduction_id=proposed_deduction_id(case.id, 1), by=given.inspector, at=at(12, 4, 9)
        )


def test_a_result_stored_before_proposals_existed_still_loads(
    supervision: Supervision, given: Given
) -> None:
    # given: a ResultPosted event as version 1 stored it, without the field
    case = given.acknowledged()
    post(given, case, Outcome.SUBSTANTIATED, None)
    (event,) = case.pending_events
    mapper = supervision.mapper
    stored = mapper.to_stored_event(event)
    state = json.loads(stored.state)
    assert state.pop("class_version") == 2
    assert state.pop("proposed_deduction") is None
    old = type(stored)(
        originator_id=stored.originator_id,
        originator_version=stored.originator_version,
        topic=stored.topic,
        state=json.dumps(state).encode(),
    )

    # when
    loaded = mapper.to_domain_event(old)

    # then
    assert isinstance(loaded, Case.ResultPosted)
    assert loaded.outcome == "substantiated"
    assert loaded.proposed_deduction is None
    assert "proposed_deduction" in vars(loaded)


# The application: confirming records the deduction on the scorecards ------------------------


def answer_proposing_a_deduction(
    supervision: Supervision, case_id: UUID, by: Actor, answer: str
) -> None:
    """The department finds the complaint substantiated and proposes the PROPOSAL deduction."""
    supervision.post_result(
        case_id,
        outcome=Outcome.SUBSTANTIATED,
        actions="批评教育",
        answer=answer,
        by=by,
        proposed_deduction=dict(PROPOSAL),
    )


@pytest.fixture
def answered_with_proposal(
    supervision: Supervision, operator: Actor, department_actor: Actor, admin: Actor
) -> Case:
    supervision.load_conduct_rules(default_conduct_rules(), admin)
    case_id = assigned_case(supervision, operator, summary="态度生硬")
    supervision.acknowledge_case(case_id, department_actor)
    answer_proposing_a_deduction(supervision, case_id, department_actor, "属实，已整改")
    return supervision._case(case_id)


def test_confirming_a_proposal_records_the_deduction_on_the_window_scorecard(
    supervision: Supervision, answered_with_proposal: Case, inspector: Actor
) -> None:
    # when
    view = supervision.confirm_proposed_deduction(answered_with_proposal.id, inspector)

    # then
    assert view.proposed_deduction is not None
    assert view.proposed_deduction["status"] == "confirmed"
    deduction_id = proposed_deduction_id(
        answered_with_proposal.id, view.proposed_deduction["result_version"]
    )
    assert view.proposed_deduction["deduction_id"] == str(deduction_id)
    month = answered_with_proposal.created_on.strftime("%Y-%m")
    card = supervision.scorecard(SubjectKind.WINDOW, "W-A01", month)
    assert card.score == 95  # harsh_attitude: 5 points


def test_a_confirmation_retried_after_the_deduction_was_recorded_records_it_once(
    supervision: Supervision, answered_with_proposal: Case, inspector: Actor
) -> None:
    # given: the deduction was recorded, then the process stopped before the case said so
    proposal = answered_with_proposal.proposal_to_decide()
    supervision.record_deduction(
        _request(answered_with_proposal, proposal),
        inspector,
        deduction_id=proposed_deduction_id(
            answered_with_proposal.id, int(proposal["result_version"])
        ),
    )

    # when
    supervision.confirm_proposed_deduction(answered_with_proposal.id, inspector)

    # then
    month = answered_with_proposal.created_on.strftime("%Y-%m")
    assert supervision.scorecard(SubjectKind.WINDOW, "W-A01", month).score == 95


def test_a_reopened_case_answered_again_may_propose_a_second_deduction(
    supervision: Supervision,
    answered_with_proposal: Case,
    inspector: Actor,
    operator: Actor,
    department_actor: Actor,
) -> None:
    # given: the first proposal was confirmed, then the case reopened and answered again
    case_id = answered_with_proposal.id
    first = supervision.confirm_proposed_deduction(case_id, inspector)
    supervision.reopen_case(case_id, reason="投诉人不满意", by=operator)
    answer_proposing_a_deduction(supervision, case_id, department_actor, "属实，已再次整改")

    # when
    second = supervision.confirm_proposed_deduction(case_id, inspector)

    # then
    assert first.proposed_deduction is not None
    assert second.proposed_deduction is not None
    assert first.proposed_deduction["deduction_id"] != second.proposed_deduction["deduction_id"]
    month = answered_with_proposal.created_on.strftime("%Y-%m")
    assert supervision.scorecard(SubjectKind.WINDOW, "W-A01", month).score == 90
