"""A client's bad ratings of one window on one office day go to one case (好差评, issue 12).

The first opens the case, later ones are added to it, every rating still counts; a rating
recorded before clients were known opens a case of its own, as it always did.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest
from eventsourcing.persistence import StoredEvent

from application.evaluations import BadRatingCasePolicy, EvaluationView
from application.projections.audit_events import audit_row
from application.supervision import Supervision
from domain.actor import Actor, Role
from domain.case import (
    MAX_BAD_RATINGS,
    BadRatingAlreadyAdded,
    BadRatingsFull,
    Case,
    CaseMerged,
    Channel,
    Kind,
    Status,
)
from domain.evaluation import Evaluation, client_rating_case_id, rating_case_id
from domain.personal_data import ERASED_TEXT, PersonalDataAlreadyErased
from tests.factories import answer, registered_case
from tests.support import SettableTimeSource
from tests.unit.case_story import Given, at, refused

PUBLIC = Actor(principal="public", role=Role.PUBLIC)
SYSTEM = Actor.system()
WINDOW = "W-A01"
OTHER_WINDOW = "W-A02"
ALICE = "a1" * 16  # keyed digests of two clients' networks
BOB = "b2" * 16
RATED_AT = at(11, 27, 11, 0)


def add(case: Case, evaluation_id: UUID | None = None, **overrides: object) -> UUID:
    evaluation_id = evaluation_id or uuid4()
    fields: dict[str, object] = {
        "evaluation_id": evaluation_id,
        "window": WINDOW,
        "rating": 1,
        "comment": "等了两个小时没人理",
        "rated_at": RATED_AT,
        "by": SYSTEM,
        "at": RATED_AT + timedelta(seconds=5),
        **overrides,
    }
    case.add_bad_rating(**fields)  # type: ignore[arg-type]
    return evaluation_id


# The case: Case.add_bad_rating ----------------------------------------------------------------


def test_a_bad_rating_added_to_a_case_is_on_its_record(given: Given) -> None:
    # given
    case = given.assigned()

    # when
    evaluation_id = add(case)

    # then
    assert [type(e).__name__ for e in case.collect_events()] == ["BadRatingAdded"]
    (entry,) = case.bad_ratings
    assert entry["evaluation"] == str(evaluation_id)
    assert (entry["window"], entry["rating"]) == (WINDOW, 1)
    assert entry["comment"] == "等了两个小时没人理"
    assert entry["rated_at"] == RATED_AT.isoformat()
    assert case.holds_bad_rating(evaluation_id)
    assert case.status is Status.ASSIGNED, "a rating moves nothing on"


def test_the_same_rating_is_added_to_a_case_once(given: Given) -> None:
    case = given.assigned()
    evaluation_id = add(case)
    case.collect_events()

    with refused(BadRatingAlreadyAdded, case):
        add(case, evaluation_id)


def test_a_closed_case_takes_a_bad_rating_onto_its_record_without_reopening(
    given: Given,
) -> None:
    case = given.closed()

    add(case)

    assert [type(e).__name__ for e in case.collect_events()] == ["BadRatingAdded"]
    assert case.status is Status.CLOSED
    assert len(case.bad_ratings) == 1


def test_a_merged_case_takes_no_bad_rating(given: Given) -> None:
    case, first = given.assigned(), given.assigned()
    case.merge_into(first, by=given.operator, at=RATED_AT)
    case.collect_events()

    with refused(CaseMerged, case):
        add(case)


def test_a_case_holds_at_most_so_many_bad_ratings(given: Given) -> None:
    case = given.assigned()
    for _ in range(MAX_BAD_RATINGS):
        add(case)
    case.collect_events()

    with refused(BadRatingsFull, case):
        add(case)


def test_a_case_whose_personal_data_was_erased_takes_no_raters_words(given: Given) -> None:
    case = given.assigned()
    case.erase_personal_data(reason="当事人申请删除", by=given.inspector, at=RATED_AT)
    case.collect_events()

    with refused(PersonalDataAlreadyErased, case):
        add(case)


# The rating: which case it goes to ------------------------------------------------------------


def rated(
    client: str | None, *, at: datetime = RATED_AT, rating: int = 1, **overrides: object
) -> Evaluation:
    fields: dict[str, object] = {
        "evaluation_id": uuid4(),
        "window": WINDOW,
        "department": "real-estate-registration",
        "staff": None,
        "rating": rating,
        "comment": None,
        "service_item": None,
        "client": client,
        "by": PUBLIC,
        "at": at,
        **overrides,
    }
    return Evaluation.rate(**fields)  # type: ignore[arg-type]


def test_a_clients_bad_ratings_of_a_window_on_one_office_day_go_to_one_case() -> None:
    morning, afternoon = rated(ALICE, at=at(11, 27, 9, 5)), rated(ALICE, at=at(11, 27, 17, 20))

    assert (
        morning.case_id
        == afternoon.case_id
        == client_rating_case_id(WINDOW, ALICE, RATED_AT.date())
    )


def test_the_office_day_is_the_day_in_shanghai_not_in_utc() -> None:
    # 07:59 and 08:01 in Shanghai are on two UTC days, but on one office day.
    before_utc_midnight = rated(ALICE, at=at(11, 27, 7, 59))
    after_utc_midnight = rated(ALICE, at=at(11, 27, 8, 1).astimezone(UTC))
    # 23:59 and 00:01 in Shanghai are two office days.
    late = rated(ALICE, at=at(11, 27, 23, 59))
    early = rated(ALICE, at=at(11, 28, 0, 1))

    assert before_utc_midnight.case_id == after_utc_midnight.case_id
    assert late.case_id != early.case_id


@pytest.mark.parametrize(
    "other",
    [
        {"client": BOB},
        {"window": OTHER_WINDOW},
        {"at": at(11, 30, 11, 0)},
    ],
    ids=["another client", "another window", "another office day"],
)
def test_another_client_window_or_office_day_goes_to_another_case(other: dict[str, object]) -> None:
    client = other.pop("client", ALICE)
    assert rated(client, **other).case_id != rated(ALICE).case_id  # type: ignore[arg-type]


def test_a_rating_of_an_unknown_client_goes_to_a_case_of_its_own() -> None:
    evaluation = rated(None)

    assert evaluation.client is None
    assert evaluation.case_id == rating_case_id(evaluation.id)


def test_a_good_rating_goes_to_no_case() -> None:
    assert rated(ALICE, rating=3).case_id is None


# The policy on the in-memory store --------------------------------------------------------------


def rate(
    supervision: Supervision, client: str | None, rating: int = 1, **overrides: object
) -> EvaluationView:
    fields: dict[str, object] = {
        "window": WINDOW,
        "staff": None,
        "rating": rating,
        "comment": "态度恶劣",
        "service_item": None,
        "by": PUBLIC,
        "client": client,
        **overrides,
    }
    return supervision.record_evaluation(**fields)  # type: ignore[arg-type]


def rated_event(supervision: Supervision, evaluation_id: UUID) -> Evaluation.Rated:
    (event,) = supervision.repository.event_store.get(evaluation_id)
    assert isinstance(event, Evaluation.Rated)
    return event


def handle(supervision: Supervision, *views: EvaluationView) -> list[int]:
    """What the policy records for each rating, as the worker would run it."""
    policy = BadRatingCasePolicy(supervision)
    return [policy.handle(rated_event(supervision, view.id)) for view in views]


def rating_cases(supervision: Supervision) -> list[Case]:
    """Every case of channel `rating`, in the order they were registered."""
    registered = supervision.recorder.select_notifications(
        start=1, limit=10_000, topics=[Case.Registered.TOPIC]
    )
    cases = [supervision.repository.get(n.originator_id) for n in registered]
    return [case for case in cases if case.channel is Channel.RATING]


def test_sixty_bad_ratings_from_one_client_for_one_window_in_a_day_make_one_case(
    supervision: Supervision, time_source: SettableTimeSource, operator: Actor
) -> None:
    # given: a burst of sixty 1★ ratings from one client, a second apart
    views = []
    for _ in range(60):
        views.append(rate(supervision, ALICE))
        time_source.advance(seconds=1)

    # when
    recorded = handle(supervision, *views)

    # then: one case, assigned to the window's department, holding every rating
    assert recorded == [1] * 60
    (case,) = rating_cases(supervision)
    assert case.id == client_rating_case_id(WINDOW, ALICE, RATED_AT.date())
    assert (case.kind, case.channel, case.status) == (
        Kind.COMPLAINT,
        Channel.RATING,
        Status.ASSIGNED,
    )
    assert case.assigned_department == "real-estate-registration"
    assert [entry["evaluation"] for entry in case.bad_ratings] == [str(v.id) for v in views]
    assert "同一来源当日" in case.details
    assert all(view.opens_case for view in views), "the rater is told the same every time"


def test_another_clients_bad_rating_of_the_window_opens_a_second_case(
    supervision: Supervision, operator: Actor
) -> None:
    handle(supervision, rate(supervision, ALICE), rate(supervision, ALICE))

    handle(supervision, rate(supervision, BOB))

    cases = rating_cases(supervision)
    assert len(cases) == 2
    assert sorted(len(case.bad_ratings) for case in cases) == [1, 2]


def test_the_next_office_day_a_clients_bad_rating_opens_a_new_case(
    supervision: Supervision, time_source: SettableTimeSource, operator: Actor
) -> None:
    handle(supervision, rate(supervision, ALICE))
    time_source.set(at(11, 28, 0, 1))

    handle(supervision, rate(supervision, ALICE))

    cases = rating_cases(supervision)
    assert [case.id for case in cases] == [
        client_rating_case_id(WINDOW, ALICE, at(11, 27, 0).date()),
        client_rating_case_id(WINDOW, ALICE, at(11, 28, 0).date()),
    ]


def test_a_replayed_policy_records_nothing_twice(supervision: Supervision) -> None:
    # given: the policy handled three ratings, and the worker died before its position moved
    views = [rate(supervision, ALICE) for _ in range(3)]
    handle(supervision, *views)
    head = supervision.recorder.max_notification_id()

    # when
    again = handle(supervision, *views)

    # then
    assert again == [0, 0, 0]
    assert supervision.recorder.max_notification_id() == head


def test_a_rating_added_after_a_crash_between_opening_and_adding_is_added_once(
    supervision: Supervision,
) -> None:
    # given: the case was opened for the first rating, but the rating not yet added to it
    view = rate(supervision, ALICE)
    evaluation = supervision.repository.get(view.id)
    supervision._open_rating_case(evaluation, evaluation.case_id)
    assert supervision.repository.get(evaluation.case_id).bad_ratings == []

    # when
    recorded = handle(supervision, view)

    # then
    case = supervision.repository.get(evaluation.case_id)
    assert recorded == [1]
    assert [entry["evaluation"] for entry in case.bad_ratings] == [str(view.id)]


def test_a_later_bad_rating_goes_onto_a_closed_case_without_reopening_it(
    supervision: Supervision, operator: Actor, department_actor: Actor
) -> None:
    # given: the day's case was answered and closed
    first = rate(supervision, ALICE)
    handle(supervision, first)
    case_id = supervision.repository.get(first.id).case_id
    supervision.acknowledge_case(case_id, department_actor)
    answer(supervision, case_id, department_actor)
    supervision.close_case(case_id, operator)

    # when
    later = rate(supervision, ALICE)
    recorded = handle(supervision, later)

    # then
    case = supervision.repository.get(case_id)
    assert recorded == [1]
    assert case.status is Status.CLOSED
    assert [entry["evaluation"] for entry in case.bad_ratings] == [str(first.id), str(later.id)]


def test_a_later_bad_rating_goes_to_the_case_the_days_case_was_merged_into(
    supervision: Supervision, operator: Actor
) -> None:
    # given: the day's case was merged into a hotline complaint about the same window
    first = rate(supervision, ALICE)
    handle(supervision, first)
    days_case = supervision.repository.get(first.id).case_id
    hotline = registered_case(supervision, operator, window=WINDOW, summary="窗口人员态度恶劣")
    supervision.merge_case(days_case, into=hotline, by=operator)

    # when
    later = rate(supervision, ALICE)
    recorded = handle(supervision, later, first)

    # then
    assert recorded == [1, 0]
    target = supervision.repository.get(hotline)
    assert [entry["evaluation"] for entry in target.bad_ratings] == [str(later.id)]
    assert len(supervision.repository.get(days_case).bad_ratings) == 1


def test_ratings_past_what_a_case_holds_count_but_are_not_added(
    supervision: Supervision, operator: Actor
) -> None:
    views = [rate(supervision, ALICE) for _ in range(MAX_BAD_RATINGS + 1)]

    recorded = handle(supervision, *views)

    assert recorded == [1] * MAX_BAD_RATINGS + [0]
    (case,) = rating_cases(supervision)
    assert len(case.bad_ratings) == MAX_BAD_RATINGS
    assert supervision.get_evaluation(views[-1].id).rating == 1, "the rating is kept"


def test_a_case_shows_its_bad_ratings_to_those_who_may_read_it(
    supervision: Supervision, operator: Actor, department_actor: Actor
) -> None:
    views = [rate(supervision, ALICE, comment=f"第{n}次差评") for n in range(3)]
    handle(supervision, *views)
    case_id = supervision.repository.get(views[0].id).case_id

    shown = supervision.get_case(case_id, department_actor)

    assert [entry["comment"] for entry in shown.bad_ratings] == [
        "第0次差评",
        "第1次差评",
        "第2次差评",
    ]
    assert all("client" not in entry for entry in shown.bad_ratings)


# Ratings recorded before clients were -----------------------------------------------------------


def as_recorded_before_clients(supervision: Supervision, evaluation: Evaluation) -> StoredEvent:
    """The rating's event as version 1 stored it: no `client`, no class version."""
    (event,) = evaluation.collect_events()
    stored = supervision.mapper.to_stored_event(event)
    state = supervision.mapper.transcoder.decode(stored.state)
    del state["client"], state["class_version"]
    return StoredEvent(
        originator_id=stored.originator_id,
        originator_version=stored.originator_version,
        topic=stored.topic,
        state=supervision.mapper.transcoder.encode(state),
    )


def test_an_old_rating_event_loads_with_no_client(supervision: Supervision) -> None:
    old = as_recorded_before_clients(supervision, rated(None))

    event = supervision.mapper.to_domain_event(old)

    assert isinstance(event, Evaluation.Rated)
    assert event.client is None
    assert event.rating == 1


def test_old_bad_ratings_without_a_client_still_open_one_case_each_holding_it_alone(
    supervision: Supervision, operator: Actor
) -> None:
    # given: two bad ratings of one window on one day, stored before clients were recorded
    olds = [as_recorded_before_clients(supervision, rated(None)) for _ in range(2)]
    supervision.recorder.insert_events(olds)
    policy = BadRatingCasePolicy(supervision)

    # when
    recorded = [policy.handle(supervision.mapper.to_domain_event(old)) for old in olds]

    # then: a case each, under the ids they always had, each holding its own rating alone
    assert recorded == [1, 1]
    cases = rating_cases(supervision)
    assert sorted(case.id for case in cases) == sorted(
        rating_case_id(old.originator_id)
        for old in olds  # type: ignore[arg-type]
    )
    assert sorted([entry["evaluation"] for entry in case.bad_ratings] for case in cases) == sorted(
        [str(old.originator_id)] for old in olds
    )


def test_the_audit_feed_carries_neither_the_raters_client_nor_their_words(
    supervision: Supervision,
) -> None:
    view = rate(supervision, ALICE)
    handle(supervision, view)
    case_id = supervision.repository.get(view.id).case_id
    *_, added = supervision.repository.event_store.get(case_id)

    rated_row = audit_row(
        rated_event(supervision, view.id), position=1, topic=Evaluation.Rated.TOPIC
    )
    added_row = audit_row(added, position=2, topic=Case.BadRatingAdded.TOPIC)

    assert "client" not in rated_row["changes"]
    assert ALICE not in json.dumps(rated_row["changes"])
    assert "comment" not in added_row["changes"]
    assert added_row["window_ids"] == [WINDOW]


def test_the_raters_words_on_a_case_are_erased_with_its_personal_data(
    supervision: Supervision, inspector: Actor
) -> None:
    # given: a rating on the day's case, whose personal data is then erased
    first = rate(supervision, ALICE, comment="窗口的张三态度恶劣，电话13812345678")
    handle(supervision, first)
    case_id = supervision.repository.get(first.id).case_id
    supervision.erase_personal_data(case_id, reason="当事人申请删除", by=inspector)

    # when: the same client rates the window badly again that day
    later = rate(supervision, ALICE)
    recorded = handle(supervision, later)

    # then: the first comment reads erased, and nothing more is recorded on the case
    case = supervision.repository.get(case_id)
    assert recorded == [0]
    (entry,) = case.bad_ratings
    assert entry["comment"] == ERASED_TEXT
    (added,) = [
        record
        for record in supervision.recorder.select_events(case_id)
        if record.topic == Case.BadRatingAdded.TOPIC
    ]
    assert b"13812345678" not in added.state, "the comment is stored sealed"


def test_erasing_a_rating_case_erases_the_words_of_every_rating_it_holds_and_takes_no_more(
    supervision: Supervision, inspector: Actor
) -> None:
    # given: two bad ratings of one client that went to one case
    first, second = rate(supervision, ALICE, comment="李雷说等了两小时"), rate(supervision, ALICE)
    handle(supervision, first, second)
    (case,) = rating_cases(supervision)

    # when
    supervision.erase_personal_data(case.id, reason="评价人申请删除", by=inspector)
    later = rate(supervision, ALICE, comment="又来了")
    recorded = handle(supervision, later)

    # then: both ratings' own words are gone, the later rating is kept but not added
    assert [supervision.get_evaluation(v.id).comment for v in (first, second)] == [
        ERASED_TEXT,
        ERASED_TEXT,
    ]
    assert supervision.get_evaluation(later.id).comment == "又来了"
    assert recorded == [0]
    erased = supervision.repository.get(case.id)
    assert [entry["comment"] for entry in erased.bad_ratings] == [ERASED_TEXT, ERASED_TEXT]
