"""Ratings (好差评): the Evaluation aggregate, and the case a bad rating opens exactly once."""

from __future__ import annotations

from uuid import uuid4

import pytest

from application.evaluations import BadRatingCasePolicy
from application.supervision import Supervision
from domain.actor import Actor, Role
from domain.case import Case, Channel, Kind, Status
from domain.directory import StaffNotAtWindow, UnknownStaff, UnknownWindow
from domain.evaluation import Evaluation, RatingOutOfRange, rating_case_id
from tests.unit.case_story import at

PUBLIC = Actor(principal="public", role=Role.PUBLIC)
RATED_AT = at(11, 27, 11, 0)


def rate(rating: int, **overrides: object) -> Evaluation:
    fields: dict[str, object] = {
        "evaluation_id": uuid4(),
        "window": "W-A01",
        "department": "real-estate-registration",
        "staff": None,
        "rating": rating,
        "comment": "等了两个小时",
        "service_item": "不动产抵押登记",
        "client": None,
        "by": PUBLIC,
        "at": RATED_AT,
        **overrides,
    }
    return Evaluation.rate(**fields)  # type: ignore[arg-type]


# The aggregate ---------------------------------------------------------------------------


@pytest.mark.parametrize("rating", [1, 2, 3, 4, 5])
def test_a_rating_from_1_to_5_is_recorded(rating: int) -> None:
    evaluation = rate(rating)

    assert [type(e).__name__ for e in evaluation.pending_events] == ["Rated"]
    assert evaluation.rating == rating
    assert evaluation.window == "W-A01"
    assert evaluation.rated_by == PUBLIC


@pytest.mark.parametrize("rating", [0, 6, -1, True])
def test_a_rating_outside_1_to_5_is_refused(rating: int) -> None:
    with pytest.raises(RatingOutOfRange):
        rate(rating)


@pytest.mark.parametrize(("rating", "opens"), [(1, True), (2, True), (3, False), (5, False)])
def test_only_a_rating_of_1_or_2_opens_a_case(rating: int, opens: bool) -> None:
    evaluation = rate(rating)

    assert evaluation.opens_case is opens
    assert evaluation.case_id == (rating_case_id(evaluation.id) if opens else None)


def test_the_case_of_a_rating_has_the_same_id_every_time() -> None:
    evaluation_id = uuid4()
    assert rating_case_id(evaluation_id) == rating_case_id(evaluation_id)
    assert rating_case_id(evaluation_id) != rating_case_id(uuid4())


def test_an_empty_comment_is_recorded_as_none() -> None:
    assert rate(4, comment="   ").comment is None


# The application: rating, and the policy ----------------------------------------------------


def test_the_public_rates_an_encounter_at_a_window(supervision: Supervision) -> None:
    view = supervision.record_evaluation(
        window="W-A01", staff=None, rating=5, comment=None, service_item=None, by=PUBLIC
    )

    assert view.department == "real-estate-registration"
    assert view.rating_label == "非常满意"
    assert view.opens_case is False


@pytest.mark.parametrize(
    ("window", "staff", "error"),
    [
        ("W-NOPE", None, UnknownWindow),
        ("W-A01", "S-NOPE", UnknownStaff),
    ],
)
def test_a_rating_of_an_unknown_window_or_staff_member_is_refused(
    supervision: Supervision, window: str, staff: str | None, error: type[Exception]
) -> None:
    with pytest.raises(error):
        supervision.record_evaluation(
            window=window, staff=staff, rating=1, comment=None, service_item=None, by=PUBLIC
        )


def test_a_rating_of_a_staff_member_at_another_window_is_refused(
    supervision: Supervision,
) -> None:
    elsewhere = next(s for s in supervision.list_staff() if s.window not in (None, "W-A01"))
    with pytest.raises(StaffNotAtWindow):
        supervision.record_evaluation(
            window="W-A01", staff=elsewhere.id, rating=1, comment=None, service_item=None, by=PUBLIC
        )


def _rated_event(supervision: Supervision, evaluation_id: object) -> Evaluation.Rated:
    (event,) = supervision.repository.event_store.get(evaluation_id)  # type: ignore[arg-type]
    assert isinstance(event, Evaluation.Rated)
    return event


def test_a_bad_rating_opens_an_assigned_complaint_of_channel_rating(
    supervision: Supervision,
) -> None:
    # given
    view = supervision.record_evaluation(
        window="W-A01", staff=None, rating=1, comment="态度恶劣", service_item=None, by=PUBLIC
    )

    # when
    opened = BadRatingCasePolicy(supervision).handle(_rated_event(supervision, view.id))

    # then
    assert opened == 1
    case = supervision.repository.get(rating_case_id(view.id))
    assert isinstance(case, Case)
    assert (case.kind, case.channel) == (Kind.COMPLAINT, Channel.RATING)
    assert case.status is Status.ASSIGNED
    assert case.assigned_department == "real-estate-registration"
    assert case.window == "W-A01"
    assert case.registered_by == Actor.system()
    assert case.tracking_number.startswith("RT")
    assert "态度恶劣" in case.summary
    assert case.complainant["anonymous"] is True


def test_handling_the_same_bad_rating_again_opens_nothing_more(supervision: Supervision) -> None:
    # given: the case was opened, and the worker stopped before it moved its position on
    view = supervision.record_evaluation(
        window="W-A01", staff=None, rating=2, comment=None, service_item=None, by=PUBLIC
    )
    policy = BadRatingCasePolicy(supervision)
    event = _rated_event(supervision, view.id)
    policy.handle(event)
    head = supervision.recorder.max_notification_id()

    # when
    again = policy.handle(event)

    # then
    assert again == 0
    assert supervision.recorder.max_notification_id() == head


def test_a_good_rating_opens_no_case(supervision: Supervision) -> None:
    view = supervision.record_evaluation(
        window="W-A01", staff=None, rating=3, comment=None, service_item=None, by=PUBLIC
    )
    head = supervision.recorder.max_notification_id()

    assert BadRatingCasePolicy(supervision).handle(_rated_event(supervision, view.id)) == 0
    assert supervision.recorder.max_notification_id() == head
