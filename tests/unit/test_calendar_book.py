"""Published calendar years (DESIGN §5.2): the CalendarBook aggregate and the verbs around it.

The 2027 loaded here is made by hand (the library does not know 2027 yet): New Year 1–3 Jan
off, Saturday 9 Jan a make-up working day (补班).
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from application.supervision import Supervision
from domain.actor import Actor, Role
from domain.calendar_book import CALENDAR_BOOK_ID, CalendarBook, InvalidYearSchedule
from tests.factories import assigned_case
from tests.support import SettableTimeSource
from tests.unit.case_story import SOURCE_OF_2027, at, close_of, publish_2027

NEW_YEAR_2027 = [date(2027, 1, 1), date(2027, 1, 2), date(2027, 1, 3)]
MAKE_UP_SATURDAY_2027 = date(2027, 1, 9)
DEEDS = "real-estate-registration"
ZHANG = {"name": "张三", "phone": "13812345678", "address": "解放路 1 号", "anonymous": False}


OPENED_AT = at(11, 20, 9)
PUBLISHED_AT = at(11, 20, 10)


@pytest.fixture
def book() -> CalendarBook:
    book = CalendarBook.open(OPENED_AT)
    book.collect_events()
    return book


@pytest.fixture
def published_book(book: CalendarBook, admin: Actor) -> CalendarBook:
    """The book with the hand-made 2027 published, its events collected."""
    publish(book, admin)
    book.collect_events()
    return book


def publish(
    book: CalendarBook,
    by: Actor,
    *,
    year: int = 2027,
    holidays: list[date] | None = None,
    makeup_workdays: list[date] | None = None,
    source: str = SOURCE_OF_2027,
    when: datetime = PUBLISHED_AT,
) -> bool:
    return book.publish(
        year=year,
        holidays=NEW_YEAR_2027 if holidays is None else holidays,
        makeup_workdays=[MAKE_UP_SATURDAY_2027] if makeup_workdays is None else makeup_workdays,
        source=source,
        by=by,
        at=when,
    )


def recorded(book: CalendarBook) -> list[str]:
    return [type(event).__name__ for event in book.pending_events]


# The aggregate ---------------------------------------------------------------------------------


def test_opening_the_book_records_it_under_its_one_well_known_id() -> None:
    # when
    book = CalendarBook.open(OPENED_AT)

    # then
    assert recorded(book) == ["Opened"]
    assert book.id == CALENDAR_BOOK_ID
    assert book.schedules() == {}


def test_publishing_a_year_records_it(book: CalendarBook, admin: Actor) -> None:
    # when
    changed = publish(book, admin)

    # then
    assert changed is True
    assert recorded(book) == ["YearPublished"]
    (event,) = book.pending_events
    assert isinstance(event, CalendarBook.YearPublished)
    assert event.year == 2027
    assert event.holidays == ["2027-01-01", "2027-01-02", "2027-01-03"]
    assert event.makeup_workdays == ["2027-01-09"]
    assert event.source == SOURCE_OF_2027
    assert event.actor == admin
    assert event.timestamp == PUBLISHED_AT

    schedule = book.schedules()[2027]
    assert schedule.holidays == frozenset(NEW_YEAR_2027)
    assert schedule.makeup_workdays == frozenset({MAKE_UP_SATURDAY_2027})
    assert schedule.provisional is False
    assert schedule.version == f"published ({SOURCE_OF_2027})"


def test_publishing_the_same_schedule_again_records_nothing(
    published_book: CalendarBook, admin: Actor
) -> None:

    # when: the same days, listed in another order and with a repeat
    changed = publish(
        published_book,
        admin,
        holidays=[date(2027, 1, 3), date(2027, 1, 1), date(2027, 1, 2), date(2027, 1, 1)],
        when=at(11, 21, 9),
    )

    # then
    assert changed is False
    assert recorded(published_book) == []


def test_a_changed_schedule_is_recorded_again_and_the_newest_wins(
    published_book: CalendarBook, admin: Actor
) -> None:

    # when: corrected, with Sunday 10 Jan worked instead of Saturday 9 Jan
    changed = publish(
        published_book,
        admin,
        makeup_workdays=[date(2027, 1, 10)],
        source="国办发明电〔2026〕10号",
        when=at(11, 25, 9),
    )

    # then
    assert changed is True
    assert recorded(published_book) == ["YearPublished"]
    schedule = published_book.schedules()[2027]
    assert schedule.makeup_workdays == frozenset({date(2027, 1, 10)})
    assert schedule.version == "published (国办发明电〔2026〕10号)"


def test_years_are_kept_side_by_side(book: CalendarBook, admin: Actor) -> None:
    # when
    publish(book, admin)
    publish(book, admin, year=2028, holidays=[date(2028, 1, 1)], makeup_workdays=[])

    # then
    assert sorted(book.schedules()) == [2027, 2028]


@pytest.mark.parametrize(
    ("holidays", "makeup_workdays"),
    [
        pytest.param([date(2027, 1, 1), date(2026, 12, 31)], [], id="a holiday from another year"),
        pytest.param(NEW_YEAR_2027, [date(2028, 1, 8)], id="a make-up day from another year"),
        pytest.param(NEW_YEAR_2027, [date(2027, 1, 2)], id="a day both off and worked"),
        pytest.param(
            NEW_YEAR_2027, [date(2027, 1, 8)], id="a make-up working day that is a Friday"
        ),
    ],
)
def test_a_schedule_whose_dates_do_not_fit_is_refused_and_records_nothing(
    published_book: CalendarBook, admin: Actor, holidays: list[date], makeup_workdays: list[date]
) -> None:
    # given
    before = published_book.schedules()

    # when
    with pytest.raises(InvalidYearSchedule):
        publish(published_book, admin, holidays=holidays, makeup_workdays=makeup_workdays)

    # then
    assert recorded(published_book) == []
    assert published_book.schedules() == before


# Through the application ------------------------------------------------------------------------


def test_a_published_year_changes_the_applications_calendar(
    supervision: Supervision, admin: Actor
) -> None:
    # given: before publication 2027 is provisional: Saturday 9 Jan is a weekend
    assert supervision.calendar.is_working_day(MAKE_UP_SATURDAY_2027) is False
    assert supervision.calendar.schedule_for(2027).provisional is True

    # when
    published = publish_2027(supervision, admin)

    # then
    assert (published.year, published.recorded) == (2027, True)
    assert published.position == supervision.recorder.max_notification_id()
    calendar = supervision.calendar
    assert calendar.is_working_day(MAKE_UP_SATURDAY_2027) is True
    assert calendar.is_working_day(date(2027, 1, 1)) is False
    assert calendar.is_working_day(date(2027, 1, 4)) is True
    assert calendar.schedule_for(2027).provisional is False
    # the library's years stay as they were
    assert calendar.is_working_day(date(2026, 10, 10)) is True
    assert calendar.is_working_day(date(2026, 10, 5)) is False


def test_publishing_the_same_year_again_through_the_application_records_nothing(
    supervision: Supervision, admin: Actor
) -> None:
    # given
    first = publish_2027(supervision, admin)

    # when
    again = publish_2027(supervision, admin)

    # then
    assert again.recorded is False
    assert again.position == first.position
    assert supervision.recorder.max_notification_id() == first.position


def test_a_refused_schedule_through_the_application_records_nothing(
    supervision: Supervision, admin: Actor
) -> None:
    # given
    before = supervision.recorder.max_notification_id()

    # when
    with pytest.raises(InvalidYearSchedule):
        supervision.publish_calendar_year(
            year=2027,
            holidays=NEW_YEAR_2027,
            makeup_workdays=[date(2027, 1, 8)],
            source=SOURCE_OF_2027,
            by=admin,
        )

    # then
    assert supervision.recorder.max_notification_id() == before
    assert supervision.calendar.schedule_for(2027).provisional is True


def test_the_case_clock_runs_end_to_end_on_the_store(
    supervision: Supervision, time_source: SettableTimeSource, operator: Actor, inspector: Actor
) -> None:
    # given: assigned Fri 27 Nov 10:00, to be acknowledged by Mon 30 Nov 17:30
    case_id = assigned_case(supervision, operator)

    # when
    time_source.set(at(11, 30, 17, 29))
    early = supervision.observe_case_clock(case_id)
    time_source.set(at(11, 30, 17, 31))
    due = supervision.observe_case_clock(case_id)
    time_source.set(at(12, 1, 9))
    again = supervision.observe_case_clock(case_id)

    # then
    assert (early, due, again) == (0, 1, 0)
    history = supervision.case_history(case_id, inspector)
    last = history[-1]
    assert last.type == "AcknowledgeDeadlineMissed"
    assert last.at == at(11, 30, 17, 31)
    assert last.actor is not None
    assert (last.actor["principal"], last.actor["role"]) == ("system", Role.SYSTEM.value)
    assert [e.type for e in history] == ["Registered", "Assigned", "AcknowledgeDeadlineMissed"]


def test_provisional_deadlines_are_recomputed_end_to_end_once_the_year_is_published(
    supervision: Supervision,
    time_source: SettableTimeSource,
    operator: Actor,
    inspector: Actor,
    admin: Actor,
) -> None:
    # given: a complaint assigned Mon 28 Dec 10:00; 15 working days from Tue 29 Dec run into an
    # unpublished 2027: 29–31 Dec, 4–8, 11–15, 18, 19 Jan → Tue 19 Jan provisionally
    time_source.set(at(12, 28, 10))
    case_id = assigned_case(supervision, operator)
    before = supervision.get_case(case_id, inspector)
    assert before.deadline is not None
    assert (before.deadline.due_at, before.deadline.provisional) == (
        close_of(1, 19, year=2027),
        True,
    )
    time_source.set(at(12, 28, 11))
    publish_2027(supervision, admin)

    # when
    changed = supervision.recompute_case_deadlines(case_id)
    again = supervision.recompute_case_deadlines(case_id)

    # then: 29–31 Dec, 4–8 Jan, Sat 9 Jan (补班), 11–15, 18 Jan → Mon 18 Jan
    assert (changed, again) == (True, False)
    after = supervision.get_case(case_id, inspector)
    assert after.deadline is not None
    assert (after.deadline.due_at, after.deadline.provisional) == (
        close_of(1, 18, year=2027),
        False,
    )
    assert after.acknowledge_deadline == before.acknowledge_deadline
    history = supervision.case_history(case_id, inspector)
    assert [e.type for e in history][-1] == "DeadlinesRecomputed"
    assert history[-1].actor is not None
    assert history[-1].actor["role"] == Role.SYSTEM.value
    assert history[-1].at == at(12, 28, 11)


def test_recomputing_a_case_before_the_year_is_published_records_nothing(
    supervision: Supervision, time_source: SettableTimeSource, operator: Actor
) -> None:
    # given
    time_source.set(at(12, 28, 10))
    case_id = assigned_case(supervision, operator)
    before = supervision.recorder.max_notification_id()

    # when
    changed = supervision.recompute_case_deadlines(case_id)

    # then
    assert changed is False
    assert supervision.recorder.max_notification_id() == before
