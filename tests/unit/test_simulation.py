"""The simulation on the in-memory event store: what the demo campaign (`oversight demo`)
records, in what order of time, and that the same seed records the same campaign; and that
the benchmarks' fills record cases of the same kind."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest

from application.supervision import Supervision
from domain.calendar import WorkingCalendar
from domain.case import Case, Channel, Kind
from domain.directory import Directory
from domain.evaluation import Evaluation, opens_case
from domain.rectification import RectificationOrder
from domain.scorecard import Deduction, Scorecard
from domain.visit import Visit
from infrastructure.calendar_source import known_schedules, load_deadline_policy
from infrastructure.directory_file import sample_directory
from infrastructure.personal_data_keys import InMemoryPersonalDataKeys
from infrastructure.secrets import RandomSecrets
from interfaces.bootstrap import sample_campaign
from simulation.campaign import CampaignReport, StoreHoldsCases
from simulation.fills import FILLED_ACCESS_CODE, RealisticFill
from simulation.mixes import CATEGORY_MIX, CHANNEL_MIX
from simulation.texts import SUMMARIES
from simulation.time_source import SimulatedTimeSource, campaign_start
from tests.factories import registered_case
from tests.support import (
    CAMPAIGN_END,
    DIRECTORY_ADMIN,
    TEST_ACCESS_CODE_KEY,
    SettableTimeSource,
    in_memory_supervision,
)

# What DESIGN §4–§7 says happens to cases, orders, scorecards and ratings. The calendar's
# events are left out: its years come from the library, and a campaign publishes none.
DESIGNED_EVENTS = {
    Visit.Recorded,
    Visit.FindingRecorded,
    Case.Registered,
    Case.Assigned,
    Case.Acknowledged,
    Case.Returned,
    Case.ClockStopped,
    Case.ClockResumed,
    Case.ExtensionRequested,
    Case.ExtensionGranted,
    Case.ExtensionRefused,
    Case.Reminded,
    Case.AcknowledgeDeadlineMissed,
    Case.DeadlineMissed,
    Case.Supervised,
    Case.PublicNoticeFlagged,
    Case.ResultPosted,
    Case.ProposedDeductionConfirmed,
    Case.ProposedDeductionDismissed,
    Case.CallbackRecorded,
    Case.Closed,
    Case.Reopened,
    Case.Merged,
    Case.DuplicateAttached,
    Case.NoteAdded,
    Case.PersonalDataErased,
    RectificationOrder.Issued,
    RectificationOrder.Acknowledged,
    RectificationOrder.ExtensionRequested,
    RectificationOrder.ExtensionGranted,
    RectificationOrder.ExtensionRefused,
    RectificationOrder.DeadlineMissed,
    RectificationOrder.Supervised,
    RectificationOrder.RectificationReported,
    RectificationOrder.Accepted,
    RectificationOrder.Rejected,
    Scorecard.DeductionRecorded,
    Scorecard.DeductionRevoked,
    Deduction.Recorded,
    Deduction.Revoked,
    Evaluation.Rated,
    Directory.DepartmentAdded,
    Directory.WindowOpened,
    Directory.StaffJoined,
}


def cached_in_memory_supervision(time_source: SimulatedTimeSource) -> Supervision:
    """The application on the in-memory store, with the aggregate cache PostgreSQL runs with.

    Every registration, assignment and rating reads the directory: the cache keeps a
    campaign of a few hundred cases to seconds.
    """
    return Supervision(
        time_source=time_source,
        ids=uuid4,
        secrets=RandomSecrets(TEST_ACCESS_CODE_KEY),
        calendar=WorkingCalendar(known_schedules()),
        policy=load_deadline_policy(),
        env={
            "PERSISTENCE_MODULE": "eventsourcing.popo",
            "AGGREGATE_CACHE_MAXSIZE": "1000",
            "AGGREGATE_CACHE_FASTFORWARD": "y",
        },
        personal_data_keys=InMemoryPersonalDataKeys(),
    )


def run_campaign(days: int, scale: float, seed: int = 7) -> tuple[Supervision, CampaignReport]:
    time_source = SimulatedTimeSource(campaign_start(CAMPAIGN_END, days))
    supervision = cached_in_memory_supervision(time_source)
    return supervision, sample_campaign(
        supervision, time_source, until=CAMPAIGN_END, scale=scale, seed=seed
    ).run()


def recorded(supervision: Supervision) -> Iterator[Any]:
    """Every event in the order of the notification log."""
    position = 0
    while page := supervision.recorder.select_notifications(
        position, 500, inclusive_of_start=False
    ):
        yield from (supervision.mapper.to_domain_event(n) for n in page)
        position = page[-1].id


@pytest.fixture(scope="module")
def busy_campaign() -> tuple[Supervision, CampaignReport]:
    """Two months at a quarter of the demo's volume: enough for the rare steps to happen
    (with this seed, every kind of event the design names at least twice)."""
    return run_campaign(days=60, scale=0.25)


@pytest.fixture(scope="module")
def busy_log(busy_campaign: tuple[Supervision, CampaignReport]) -> list[Any]:
    """Every event the busy campaign recorded, in the order of the notification log."""
    supervision, _ = busy_campaign
    return list(recorded(supervision))


@pytest.fixture(scope="module")
def busy_report(busy_campaign: tuple[Supervision, CampaignReport]) -> CampaignReport:
    """What the busy campaign reported it did."""
    _, report = busy_campaign
    return report


@pytest.mark.slow
def test_a_campaign_records_every_kind_of_event_the_design_names(busy_log: list[Any]) -> None:
    topics = Counter(event.__class__.TOPIC for event in busy_log)

    missing = sorted(cls.TOPIC for cls in DESIGNED_EVENTS if not topics[cls.TOPIC])
    assert missing == []


@pytest.mark.slow
def test_its_report_counts_what_the_log_holds(
    busy_log: list[Any], busy_report: CampaignReport
) -> None:
    assert busy_report.events == len(busy_log)
    assert busy_report.cases == sum(isinstance(e, Case.Registered) for e in busy_log)
    assert busy_report.ratings == sum(isinstance(e, Evaluation.Rated) for e in busy_log)
    assert busy_report.deductions == sum(isinstance(e, Deduction.Recorded) for e in busy_log)
    assert busy_report.orders == sum(isinstance(e, RectificationOrder.Issued) for e in busy_log)
    assert busy_report.public_query is not None


@pytest.mark.slow
def test_the_cases_mix_as_at_a_service_centre(busy_log: list[Any]) -> None:
    registered = [e for e in busy_log if isinstance(e, Case.Registered)]
    kinds = Counter(e.kind for e in registered)
    channels = Counter(e.channel for e in registered)

    assert kinds.most_common(1)[0][0] == Kind.COMPLAINT.value
    assert set(kinds) == {kind.value for kind in Kind}
    assert set(channels) == {channel.value for channel in Channel}
    assert 0 < sum(e.urgent for e in registered) < len(registered) / 10


@pytest.mark.slow
def test_every_bad_rating_opens_one_case_and_no_other_rating_does(
    busy_log: list[Any], busy_report: CampaignReport
) -> None:
    bad_ratings = sum(isinstance(e, Evaluation.Rated) and opens_case(e.rating) for e in busy_log)
    rating_cases = sum(
        isinstance(e, Case.Registered) and e.channel == Channel.RATING.value for e in busy_log
    )

    assert bad_ratings > 0
    assert rating_cases == bad_ratings == busy_report.rating_cases


@pytest.mark.slow
def test_the_log_runs_in_the_order_of_time_within_the_campaign(
    busy_log: list[Any], busy_report: CampaignReport
) -> None:
    moments = [event.timestamp for event in busy_log]

    assert moments == sorted(moments)
    assert busy_report.start <= moments[0]
    assert moments[-1] <= busy_report.end


@pytest.mark.slow
def test_the_clock_records_each_missed_deadline_at_the_moment_it_passes(
    busy_log: list[Any],
) -> None:
    missed = [
        event
        for event in busy_log
        if isinstance(
            event,
            Case.DeadlineMissed
            | Case.AcknowledgeDeadlineMissed
            | RectificationOrder.DeadlineMissed
            | RectificationOrder.AcknowledgeDeadlineMissed,
        )
    ]

    assert missed
    assert [event.timestamp for event in missed] == [event.due_at for event in missed]


@pytest.mark.slow
def test_some_departments_lose_points_while_others_keep_full_marks(
    busy_campaign: tuple[Supervision, CampaignReport], busy_log: list[Any]
) -> None:
    supervision, _ = busy_campaign
    windows = {window.id: window.department for window in supervision.list_windows()}
    deducted = Counter(e.department for e in busy_log if isinstance(e, Scorecard.DeductionRecorded))

    assert 0 < len(deducted) < len(set(windows.values()))
    assert deducted.most_common(1)[0][1] >= 3 * min(deducted.values())


def test_the_same_seed_records_the_same_campaign() -> None:
    first, _ = run_campaign(days=12, scale=0.05, seed=11)
    second, _ = run_campaign(days=12, scale=0.05, seed=11)
    other, _ = run_campaign(days=12, scale=0.05, seed=12)

    assert _story(first) == _story(second)
    assert _story(first) != _story(other)


def _story(supervision: Supervision) -> list[tuple[str, datetime, str | None]]:
    """What happened when, without the ids and access codes the application draws itself."""
    return [
        (type(e).__name__, e.timestamp, getattr(e, "tracking_number", None))
        for e in recorded(supervision)
    ]


def test_the_volume_grows_with_the_scale() -> None:
    _, small = run_campaign(days=10, scale=0.05)
    _, large = run_campaign(days=10, scale=0.2)

    assert small.cases > 0
    assert 2.5 < large.cases / small.cases < 6
    assert 2.5 < large.ratings / small.ratings < 6


def test_a_campaign_ends_at_its_end_with_work_still_open() -> None:
    supervision, report = run_campaign(days=8, scale=0.05)
    events = list(recorded(supervision))
    closed = {e.originator_id for e in events if isinstance(e, Case.Closed | Case.Merged)}
    cases = {e.originator_id for e in events if isinstance(e, Case.Registered)}

    assert supervision.time_source.now() == CAMPAIGN_END == report.end
    assert report.last_day == CAMPAIGN_END.date()
    assert report.first_day == CAMPAIGN_END.date() - timedelta(days=7)
    assert cases - closed  # as on any real afternoon, cases are still being handled


def test_a_campaign_refuses_a_store_that_holds_cases() -> None:
    time_source = SimulatedTimeSource(campaign_start(CAMPAIGN_END, 3))
    supervision = cached_in_memory_supervision(time_source)
    supervision.import_directory(sample_directory(), DIRECTORY_ADMIN)
    registered_case(supervision)
    campaign = sample_campaign(supervision, time_source, until=CAMPAIGN_END, scale=0.05)

    with pytest.raises(StoreHoldsCases):
        campaign.run()


def test_simulated_time_never_goes_back() -> None:
    time_source = SimulatedTimeSource(CAMPAIGN_END)

    with pytest.raises(ValueError, match="not going back"):
        time_source.advance_to(CAMPAIGN_END - timedelta(seconds=1))


# The benchmarks' fills ---------------------------------------------------------------------


def realistic_fill(events: int, backlog: int) -> Supervision:
    supervision = in_memory_supervision(SettableTimeSource())
    fill = RealisticFill(
        supervision,
        start=CAMPAIGN_END - timedelta(days=30),
        spacing=timedelta(minutes=10),
        wave=100,
        backlog=backlog,
    )
    fill.until(events)
    return supervision


@pytest.fixture(scope="module")
def filled() -> Supervision:
    return realistic_fill(events=4_000, backlog=150)


def test_a_realistic_fill_registers_cases_of_the_demos_kinds_channels_and_topics(
    filled: Supervision,
) -> None:
    registered = [e for e in recorded(filled) if isinstance(e, Case.Registered)]

    assert {e.kind for e in registered} == {kind.value for kind in Kind}
    assert {e.channel for e in registered} == {channel.value for channel in CHANNEL_MIX}
    assert all(e.category in CATEGORY_MIX[Kind(e.kind)] for e in registered)
    assert all(e.summary in SUMMARIES[Kind(e.kind), e.category] for e in registered)


def test_a_realistic_fill_leaves_cases_in_every_state_and_open_work_within_its_backlog(
    filled: Supervision,
) -> None:
    events = list(recorded(filled))
    registered = {e.originator_id for e in events if isinstance(e, Case.Registered)}
    still_open = [case for case in map(filled.repository.get, registered) if case.is_open]
    kinds = {type(e) for e in events}

    assert 0 < len(still_open) <= 150 < len(registered)
    assert {
        Case.Assigned,
        Case.Acknowledged,
        Case.Returned,
        Case.ClockStopped,
        Case.ExtensionRequested,
        Case.ResultPosted,
        Case.CallbackRecorded,
        Case.Reopened,
    } <= kinds


def test_every_filled_case_opens_to_the_fills_access_code(filled: Supervision) -> None:
    hashes = {e.access_code_hash for e in recorded(filled) if isinstance(e, Case.Registered)}

    assert all(filled.secrets.access_code_matches(FILLED_ACCESS_CODE, h) for h in hashes)


def test_a_fill_with_a_short_backlog_settles_each_case_after_its_last_step() -> None:
    supervision = realistic_fill(events=2_000, backlog=20)

    last_act: dict[UUID, datetime] = {}
    for event in recorded(supervision):
        if isinstance(event, Case.Event):
            assert last_act.get(event.originator_id, event.timestamp) <= event.timestamp
            last_act[event.originator_id] = event.timestamp
