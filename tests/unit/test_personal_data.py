"""Complainants' personal data sealed per case in the events, and erased by destroying a key."""

from __future__ import annotations

import json
from typing import cast
from uuid import UUID, uuid4

import pytest
from eventsourcing.persistence import Mapper, MapperDeserialisationError, StoredEvent

from application.evaluations import BadRatingCasePolicy
from application.personal_data import PersonalDataKeyMissing, is_sealed
from application.supervision import Supervision
from domain.actor import Actor, Role
from domain.case import Case, Channel, Intake, Kind
from domain.errors import Invalid
from domain.evaluation import rating_case_id
from domain.personal_data import (
    ERASED_TEXT,
    UNAVAILABLE_TEXT,
    ErasureForInspectors,
    PersonalDataAlreadyErased,
)
from infrastructure.personal_data_keys import InMemoryPersonalDataKeys, KeyCache
from tests.factories import registered_case
from tests.support import SettableTimeSource

NAME, PHONE, ADDRESS = "王芳", "13812345678", "和平路 8 号"
COMPLAINANT = {"name": NAME, "phone": PHONE, "address": ADDRESS, "anonymous": False}
ERASED = {"erased": True}


@pytest.fixture
def case_id(supervision: Supervision, operator: Actor) -> UUID:
    """A complaint registered with the complainant's name, phone and address."""
    return registered_case(supervision, operator, complainant=COMPLAINANT)


def stored_registration(supervision: Supervision, case_id: UUID) -> StoredEvent:
    return supervision.recorder.select_events(case_id)[0]


def reloaded(supervision: Supervision, case_id: UUID) -> Case:
    """The case replayed from its stored events, past the aggregate cache."""
    case = None
    for event in supervision.events.get(case_id):
        case = event.mutate(case)
    return cast(Case, case)


def keys_of(supervision: Supervision) -> InMemoryPersonalDataKeys:
    return cast(InMemoryPersonalDataKeys, supervision.personal_data_keys)


def test_the_stored_event_holds_no_name_phone_address_or_free_text_but_the_rest_is_readable(
    supervision: Supervision, case_id: UUID
) -> None:
    stored = stored_registration(supervision, case_id)
    state = json.loads(stored.state)

    for secret in (NAME, PHONE, ADDRESS, "窗口人员态度生硬"):
        assert secret.encode() not in stored.state
    for field in ("complainant", "summary", "details"):
        assert is_sealed(state[field])
        assert state[field]["key_id"] == str(case_id)
    assert state["window"] == "W-A01"
    assert state["kind"] == "complaint"


def test_the_sealed_complainant_reads_back_whole(supervision: Supervision, case_id: UUID) -> None:
    assert reloaded(supervision, case_id).complainant == COMPLAINANT


def test_erasing_one_case_leaves_the_other_cases_readable(
    supervision: Supervision, operator: Actor, inspector: Actor
) -> None:
    erased_id = registered_case(supervision, operator, complainant=COMPLAINANT)
    kept_id = registered_case(
        supervision, operator, complainant={**COMPLAINANT, "name": "李雷", "phone": "13900001111"}
    )

    supervision.erase_personal_data(erased_id, reason="本人申请删除（依申请第12号）", by=inspector)

    assert reloaded(supervision, erased_id).complainant == ERASED
    assert reloaded(supervision, kept_id).complainant["name"] == "李雷"
    assert stored_registration(supervision, kept_id).state  # untouched, still loads


def test_a_destroyed_key_alone_makes_the_registration_read_as_erased(
    supervision: Supervision, case_id: UUID
) -> None:
    keys_of(supervision).erase(case_id)

    registration = next(iter(supervision.events.get(case_id)))

    assert registration.complainant == ERASED  # type: ignore[attr-defined]
    assert registration.summary == ERASED  # type: ignore[attr-defined]
    assert registration.details == ERASED  # type: ignore[attr-defined]
    assert reloaded(supervision, case_id).summary == ERASED_TEXT
    assert reloaded(supervision, case_id).kind is Kind.COMPLAINT


def test_a_key_that_cannot_be_found_reads_as_unavailable_not_erased(
    supervision: Supervision, case_id: UUID
) -> None:
    keys_of(supervision).forget(case_id)

    assert reloaded(supervision, case_id).complainant == {"unavailable": True}
    assert reloaded(supervision, case_id).summary == UNAVAILABLE_TEXT


@pytest.mark.parametrize("role", ["operator", "inspector", "department_actor"])
def test_after_erasure_every_role_sees_the_complainant_as_erased(
    supervision: Supervision,
    operator: Actor,
    inspector: Actor,
    role: str,
    request: pytest.FixtureRequest,
    case_id: UUID,
) -> None:
    supervision.assign_case(
        case_id,
        department="real-estate-registration",
        urgent=None,
        final=False,
        note=None,
        by=operator,
    )
    answer = supervision.erase_personal_data(case_id, reason="本人申请", by=inspector)
    viewer: Actor = request.getfixturevalue(role)

    seen = supervision.get_case(case_id, viewer)
    assert answer.complainant == ERASED
    assert (answer.summary, answer.details) == (ERASED_TEXT, ERASED_TEXT)
    assert seen.complainant == ERASED
    assert (seen.summary, seen.details) == (ERASED_TEXT, ERASED_TEXT)
    assert seen.status == "assigned"


def test_the_history_records_who_erased_and_why_and_shows_no_personal_data(
    supervision: Supervision, inspector: Actor, case_id: UUID
) -> None:
    supervision.erase_personal_data(case_id, reason="本人申请删除", by=inspector)
    history = supervision.case_history(case_id, inspector)

    assert history[0].fields["complainant"] == ERASED
    assert history[0].fields["summary"] == history[0].fields["details"] == ERASED
    assert history[-1].type == "PersonalDataErased"
    assert history[-1].reason == "本人申请删除"
    assert history[-1].actor is not None
    assert history[-1].actor["principal"] == inspector.principal


def test_erasing_twice_is_refused(
    supervision: Supervision, inspector: Actor, case_id: UUID
) -> None:
    supervision.erase_personal_data(case_id, reason="本人申请", by=inspector)

    with pytest.raises(PersonalDataAlreadyErased):
        supervision.erase_personal_data(case_id, reason="再次", by=inspector)


def test_an_erasure_interrupted_before_the_key_went_finishes_on_the_next_attempt(
    supervision: Supervision, inspector: Actor, time_source: SettableTimeSource, case_id: UUID
) -> None:
    case = supervision.repository.get(case_id)
    case.erase_personal_data(reason="本人申请", by=inspector, at=time_source.now())
    supervision.save(case)  # the process stopped here, before the key was destroyed

    with pytest.raises(PersonalDataAlreadyErased):
        supervision.erase_personal_data(case_id, reason="再次", by=inspector)

    assert keys_of(supervision).key_for_reading(case_id) is None


@pytest.mark.parametrize("role", ["operator", "department_actor", "admin"])
def test_only_an_inspector_erases_personal_data(
    supervision: Supervision, role: str, request: pytest.FixtureRequest, case_id: UUID
) -> None:
    with pytest.raises(ErasureForInspectors):
        supervision.erase_personal_data(
            case_id, reason="本人申请", by=request.getfixturevalue(role)
        )

    assert reloaded(supervision, case_id).complainant == COMPLAINANT


def test_erasure_needs_a_reason(supervision: Supervision, inspector: Actor, case_id: UUID) -> None:
    with pytest.raises(Invalid):
        supervision.erase_personal_data(case_id, reason="  ", by=inspector)


def test_nothing_personal_can_be_recorded_again_under_an_erased_key() -> None:
    keys = InMemoryPersonalDataKeys()
    key_id = uuid4()
    keys.key_for_writing(key_id)
    keys.erase(key_id)

    with pytest.raises(PersonalDataAlreadyErased):
        keys.key_for_writing(key_id)


def test_events_stored_before_sealing_existed_still_load_and_can_be_erased(
    supervision: Supervision, operator: Actor, inspector: Actor, time_source: SettableTimeSource
) -> None:
    plain = Mapper(transcoder=supervision.mapper.transcoder)  # the mapper of before
    case = Case.register(
        Intake(
            kind=Kind.COMPLAINT,
            channel=Channel.HOTLINE,
            department="real-estate-registration",
            window="W-A01",
            summary="旧工单",
            complainant=COMPLAINANT,
        ),
        case_id=uuid4(),
        tracking_number="HL20261127-9001",
        access_code_hash="hmac-sha256$x$y",
        by=operator,
        at=time_source.now(),
    )
    stored = [plain.to_stored_event(event) for event in case.collect_events()]
    supervision.recorder.insert_events(stored)
    assert NAME.encode() in stored[0].state

    assert supervision.get_case(case.id, operator).complainant == COMPLAINANT
    supervision.erase_personal_data(case.id, reason="本人申请", by=inspector)
    seen = supervision.get_case(case.id, operator)
    assert seen.complainant == ERASED
    assert (seen.summary, seen.details) == (ERASED_TEXT, ERASED_TEXT)
    history = supervision.case_history(case.id, inspector)
    assert history[-1].type == "PersonalDataErased"
    assert history[0].fields["complainant"] == history[0].fields["summary"] == ERASED
    record = supervision.record_history(case.id, inspector).entries[0]
    assert record.fields["complainant"] == record.fields["summary"] == ERASED


def test_a_sealed_value_altered_in_storage_is_refused_not_misread(
    supervision: Supervision, case_id: UUID
) -> None:
    stored = stored_registration(supervision, case_id)
    state = json.loads(stored.state)
    data = bytearray(state["complainant"]["data"].encode())
    data[-3] = ord("A") if data[-3] != ord("A") else ord("B")
    state["complainant"]["data"] = data.decode()
    altered = StoredEvent(
        originator_id=stored.originator_id,
        originator_version=stored.originator_version,
        topic=stored.topic,
        state=json.dumps(state).encode(),
    )

    with pytest.raises(MapperDeserialisationError):
        supervision.mapper.to_domain_event(altered)


def test_a_sealed_value_moved_to_another_case_does_not_open_there(
    supervision: Supervision, operator: Actor
) -> None:
    first = registered_case(supervision, operator, complainant=COMPLAINANT)
    second = registered_case(supervision, operator, complainant={**COMPLAINANT, "name": "李雷"})
    moved = json.loads(stored_registration(supervision, second).state)
    moved["complainant"] = {
        **json.loads(stored_registration(supervision, first).state)["complainant"],
        "key_id": str(second),
    }
    stored = stored_registration(supervision, second)

    with pytest.raises(MapperDeserialisationError):
        supervision.mapper.to_domain_event(
            StoredEvent(stored.originator_id, 1, stored.topic, json.dumps(moved).encode())
        )


def test_the_key_cache_is_bounded_and_forgets_keys_but_not_erasures() -> None:
    now = [0.0]
    cache = KeyCache(maxsize=2, seconds=60, monotonic=lambda: now[0])
    first, second, third = uuid4(), uuid4(), uuid4()
    cache.put(first, b"k" * 32)
    cache.put(second, None)
    cache.get(first)  # used lately: kept
    cache.put(third, b"t" * 32)

    assert len(cache) == 2
    assert cache.get(second) == (False, None)  # least recently used, dropped
    now[0] += 61
    cache.put(second, None)
    now[0] += 61
    assert cache.get(first) == (False, None)  # a key expires
    assert cache.get(second) == (True, None)  # an erasure does not


# A rating's comment ---------------------------------------------------------------------------

PUBLIC = Actor(principal="public", role=Role.PUBLIC)


def rate(supervision: Supervision, rating: int, comment: str | None) -> UUID:
    return supervision.record_evaluation(
        window="W-A01", staff=None, rating=rating, comment=comment, service_item=None, by=PUBLIC
    ).id


@pytest.mark.parametrize("rating", [1, 4])
def test_a_ratings_comment_is_sealed_under_the_evaluations_own_key(
    supervision: Supervision, rating: int
) -> None:
    evaluation_id = rate(supervision, rating, f"{NAME}被窗口人员训斥，电话{PHONE}")

    stored = supervision.recorder.select_events(evaluation_id)[0]
    comment = json.loads(stored.state)["comment"]

    assert NAME.encode() not in stored.state
    assert PHONE.encode() not in stored.state
    assert is_sealed(comment)
    assert comment["key_id"] == str(evaluation_id)
    assert supervision.get_evaluation(evaluation_id).comment == f"{NAME}被窗口人员训斥，电话{PHONE}"


def test_a_rating_without_a_comment_makes_no_key(supervision: Supervision) -> None:
    evaluation_id = rate(supervision, 5, None)

    with pytest.raises(PersonalDataKeyMissing):
        keys_of(supervision).key_for_reading(evaluation_id)
    assert supervision.get_evaluation(evaluation_id).comment is None


def test_erasing_a_bad_ratings_case_erases_the_comment_wherever_it_was_copied(
    supervision: Supervision, inspector: Actor
) -> None:
    # given
    evaluation_id = rate(supervision, 2, f"{NAME}反映窗口人员玩手机")
    BadRatingCasePolicy(supervision).handle(next(iter(supervision.events.get(evaluation_id))))
    case_id = rating_case_id(evaluation_id)
    assert NAME in supervision.get_case(case_id, inspector).summary

    # when
    supervision.erase_personal_data(case_id, reason="评价人申请删除", by=inspector)

    # then
    case = reloaded(supervision, case_id)
    assert (case.summary, case.details) == (ERASED_TEXT, ERASED_TEXT)
    assert supervision.get_evaluation(evaluation_id).comment == ERASED_TEXT
    assert supervision.get_evaluation(evaluation_id).rating == 2
    seen = json.dumps(
        [vars(entry) for entry in supervision.record_history(evaluation_id, inspector).entries],
        ensure_ascii=False,
        default=str,
    )
    assert NAME not in seen


def test_a_bad_rating_whose_comment_cannot_be_read_still_opens_its_case(
    supervision: Supervision, operator: Actor
) -> None:
    # given: the key table was restored from a backup older than the rating
    evaluation_id = rate(supervision, 1, f"{NAME}反映窗口人员态度恶劣")
    keys_of(supervision).forget(evaluation_id)

    # when
    opened = BadRatingCasePolicy(supervision).handle(
        next(iter(supervision.events.get(evaluation_id)))
    )

    # then
    case = supervision.get_case(rating_case_id(evaluation_id), operator)
    assert opened == 1
    assert UNAVAILABLE_TEXT in case.summary
    assert NAME not in case.summary + case.details
