"""A save whose outcome was unknown is settled by reading back, not answered as a conflict."""

from __future__ import annotations

import copy
from dataclasses import replace

import pytest

from application.base import ConcurrentChange
from application.supervision import Supervision
from domain.actor import Actor
from tests.factories import assigned_case
from tests.support import SettableTimeSource


def test_a_retried_save_that_had_already_committed_answers_success_and_records_nothing_more(
    supervision: Supervision,
    operator: Actor,
    department_actor: Actor,
    time_source: SettableTimeSource,
) -> None:
    # given: the same command prepared twice, as a retry after a dropped connection would be
    case = supervision.repository.get(assigned_case(supervision, operator))
    retry = copy.deepcopy(case)
    clerk = replace(department_actor, request_id="req-7f3a")
    case.acknowledge(by=clerk, at=time_source.now())
    retry.acknowledge(by=clerk, at=time_source.now())
    first = supervision._commit(case)

    # when: the retry hits the version the first attempt already wrote
    second = supervision._commit(retry)

    # then
    assert second >= first
    assert supervision.recorder.max_notification_id() == first
    assert len(list(supervision.repository.event_store.get(case.id))) == case.version


def test_a_real_concurrent_change_is_still_a_conflict(
    supervision: Supervision,
    operator: Actor,
    department_actor: Actor,
    time_source: SettableTimeSource,
) -> None:
    # given: two different commands on the same version
    case = supervision.repository.get(assigned_case(supervision, operator))
    other = copy.deepcopy(case)
    case.acknowledge(by=department_actor, at=time_source.now())
    other.return_to_sender(reason="不属于本部门", by=department_actor, at=time_source.now())
    supervision._commit(case)

    # then
    with pytest.raises(ConcurrentChange):
        supervision._commit(other)


def test_identical_commands_without_a_request_id_cannot_be_told_apart_and_stay_a_conflict(
    supervision: Supervision,
    operator: Actor,
    department_actor: Actor,
    time_source: SettableTimeSource,
) -> None:
    case = supervision.repository.get(assigned_case(supervision, operator))
    twin = copy.deepcopy(case)
    case.acknowledge(by=department_actor, at=time_source.now())
    twin.acknowledge(by=department_actor, at=time_source.now())
    supervision._commit(case)

    with pytest.raises(ConcurrentChange):
        supervision._commit(twin)


def test_saving_nothing_answers_the_current_position(supervision: Supervision) -> None:
    assert supervision._commit() == supervision.recorder.max_notification_id()
