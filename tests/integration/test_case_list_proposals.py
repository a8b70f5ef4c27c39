"""The case_list columns of the inspector's queue (migration 0020), projected on real
PostgreSQL: a deduction proposed with a result and its decision, and extension requests."""

from __future__ import annotations

from typing import Any

from interfaces.bootstrap import Container
from tests.e2e.test_discipline_http import rules  # noqa: F401 (a fixture)
from tests.factories import INSPECTOR, case_asking_extension, case_proposing_deduction
from tests.integration.read_side import case_row
from tests.integration.test_projections import runner

PROPOSAL_COLUMNS = (
    "proposal_status",
    "proposal_rule",
    "proposal_staff",
    "proposal_window",
    "proposal_points",
)


def projected(container: Container) -> None:
    with runner(container) as projection:
        projection.run_until_caught_up()


def proposal_of(database_url: str, case_id: Any) -> tuple[Any, ...]:
    row = case_row(database_url, case_id)
    return tuple(row[column] for column in PROPOSAL_COLUMNS)


def test_a_result_proposing_a_deduction_is_projected_as_proposed_with_its_rule_and_window(
    container: Container, database_url: str
) -> None:
    # given
    case_id = case_proposing_deduction(container.supervision)

    # when
    projected(container)

    # then
    assert proposal_of(database_url, case_id) == (
        "proposed",
        "harsh_attitude",
        None,
        "W-A01",
        None,
    )


def test_confirming_and_dismissing_are_projected_as_the_proposals_standing(
    container: Container,
    database_url: str,
    rules: None,  # noqa: F811 (the fixture imported)
) -> None:
    # given
    confirmed = case_proposing_deduction(container.supervision)
    dismissed = case_proposing_deduction(container.supervision)
    container.supervision.confirm_proposed_deduction(confirmed, INSPECTOR)
    container.supervision.dismiss_proposed_deduction(dismissed, reason="情节轻微", by=INSPECTOR)

    # when
    projected(container)

    # then
    assert proposal_of(database_url, confirmed)[0] == "confirmed"
    assert proposal_of(database_url, dismissed)[0] == "dismissed"
    assert proposal_of(database_url, dismissed)[1] == "harsh_attitude"  # what was proposed


def test_a_case_without_a_proposal_has_none(container: Container, database_url: str) -> None:
    # given
    case_id = case_asking_extension(container.supervision)

    # when
    projected(container)

    # then
    assert proposal_of(database_url, case_id) == (None,) * len(PROPOSAL_COLUMNS)
    assert case_row(database_url, case_id)["extension_requested"] is True


def test_a_refused_extension_no_longer_awaits_a_decision(
    container: Container, database_url: str
) -> None:
    # given
    case_id = case_asking_extension(container.supervision)
    container.supervision.refuse_extension(case_id, reason="理由不充分", by=INSPECTOR)

    # when
    projected(container)

    # then
    assert case_row(database_url, case_id)["extension_requested"] is False
