"""New records arriving while a save runs are numbered in turn and saved together."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

import pytest

from application.views import RegisteredCase
from domain.errors import Invalid
from tests.factories import OPERATOR, registration
from tests.support import SettableTimeSource, in_memory_supervision

ARRIVING_DURING_FIRST_SAVE = 7


def test_registrations_arriving_during_a_save_share_the_next_save_with_gapless_numbers() -> None:
    supervision = in_memory_supervision(SettableTimeSource())
    saves: list[int] = []
    first_save_started = threading.Event()
    others_queued = threading.Event()
    commit = supervision._commit

    def counting_commit(*aggregates: Any) -> int:
        saves.append(len(aggregates))
        if len(saves) == 1:
            first_save_started.set()
            others_queued.wait()  # the others arrive while this save is under way
        return commit(*aggregates)

    supervision._commit = counting_commit  # type: ignore[method-assign]

    def arrive(n: int) -> RegisteredCase:
        if n > 0:
            first_save_started.wait()
        return registration(supervision, OPERATOR, summary=f"排队 {n}")

    with ThreadPoolExecutor(max_workers=ARRIVING_DURING_FIRST_SAVE + 1) as pool:
        futures = [pool.submit(arrive, n) for n in range(ARRIVING_DURING_FIRST_SAVE + 1)]
        first_save_started.wait()
        for _ in range(3000):  # until the others wait in the queue (a hang guard, not a timing)
            if len(supervision._queue) == ARRIVING_DURING_FIRST_SAVE:
                break
            threading.Event().wait(0.01)
        others_queued.set()
        registered = [future.result() for future in futures]

    numbers = sorted(case.case.tracking_number for case in registered)
    assert numbers == [f"HL20261127-{n:04d}" for n in range(1, ARRIVING_DURING_FIRST_SAVE + 2)]
    # The first case and its sequence, then the seven others and the sequence in one save.
    assert saves == [2, ARRIVING_DURING_FIRST_SAVE + 1]
    assert registered[0].case.tracking_number == "HL20261127-0001"


def test_a_record_refused_by_its_own_rules_fails_alone_and_takes_no_number() -> None:
    supervision = in_memory_supervision(SettableTimeSource())
    first = registration(supervision, OPERATOR, summary="排队 0")

    def refuse(number: str, now: datetime) -> Any:
        raise Invalid(f"{number} is refused by the record's own rules")

    with pytest.raises(Invalid):
        supervision._save_numbered(refuse, prefix="hotline", by=OPERATOR)
    following = registration(supervision, OPERATOR, summary="排队 1")

    assert first.case.tracking_number == "HL20261127-0001"
    assert following.case.tracking_number == "HL20261127-0002"
