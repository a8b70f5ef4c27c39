"""A save whose outcome was unknown is settled by reading back, not answered as a conflict."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

import pytest

from application.base import ConcurrentChange
from application.supervision import Supervision
from domain.actor import Actor
from domain.case import Case
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


@pytest.mark.parametrize(
    "rival_command",
    [
        pytest.param(
            lambda case, by, at: case.return_to_sender(reason="不属于本部门", by=by, at=at),
            id="a different command on the same version",
        ),
        pytest.param(
            lambda case, by, at: case.acknowledge(by=by, at=at),
            id="the identical command without a request id, which cannot be told apart",
        ),
    ],
)
def test_a_save_that_lost_to_another_command_is_still_a_conflict(
    supervision: Supervision,
    operator: Actor,
    department_actor: Actor,
    time_source: SettableTimeSource,
    rival_command: Callable[[Case, Actor, datetime], None],
) -> None:
    # given: two commands prepared on the same version, the first one saved
    case = supervision.repository.get(assigned_case(supervision, operator))
    rival = copy.deepcopy(case)
    case.acknowledge(by=department_actor, at=time_source.now())
    rival_command(rival, department_actor, time_source.now())
    supervision._commit(case)

    # then
    with pytest.raises(ConcurrentChange):
        supervision._commit(rival)


def test_saving_nothing_answers_the_current_position(supervision: Supervision) -> None:
    assert supervision._commit() == supervision.recorder.max_notification_id()
