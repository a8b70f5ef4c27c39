"""The audit trail without a database: feed rows, record histories, labels, keys and hashes."""

from __future__ import annotations

import base64
import importlib
import json
import pkgutil
import stat
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from eventsourcing.domain import Aggregate

import domain
from application.audit import AuditForInspectors, RecordNotFound
from application.projections.audit_events import (
    audit_row,
    inherited_subjects,
    personal_strings,
    record_type_of,
    subject_links,
)
from application.supervision import Supervision
from domain.access import token_id
from domain.actor import Actor, Role
from domain.calendar import OFFICE_TZ
from domain.directory import DIRECTORY_ID
from domain.labels import LABELS, label
from domain.scorecard import SourceType, SubjectKind, scorecard_id
from infrastructure.conduct_file import default_conduct_rules
from infrastructure.ledger.chain import (
    GENESIS,
    chained,
    entries,
    event_hash,
    gap_hash,
    seal,
)
from infrastructure.signing import (
    PublicKey,
    SigningKey,
    SigningKeyError,
    decode_signing_key,
    read_or_create_signing_key,
)
from tests.factories import a_complaint, a_deduction, registration
from tests.support import DIRECTORY_ADMIN

COMPLAINANT = {
    "name": "王芳",
    "phone": "13812345678",
    "address": "人民路18号3单元",
    "anonymous": False,
}
# A complaint whose summary and details repeat the complainant's name, phone and address.
TELLING_COMPLAINT = a_complaint(
    staff="S0001",
    summary="王芳反映窗口人员态度生硬，请回电13812345678",
    details="住在人民路18号3单元",
    complainant=COMPLAINANT,
)


def rows_of(app: Supervision, record_id: Any) -> list[dict[str, Any]]:
    stored = app.recorder.select_events(record_id)
    events = list(app.repository.event_store.get(record_id))
    personal: set[str] = set()
    inherited = None
    rows = []
    for record, event in zip(stored, events, strict=True):
        if record.originator_version == 1:
            personal = personal_strings(event)
            inherited = inherited_subjects(event)
        rows.append(
            audit_row(event, position=0, topic=record.topic, inherited=inherited, personal=personal)
        )
    return rows


# Rows of the feed ---------------------------------------------------------------------------


def test_a_feed_row_never_holds_the_complainants_name_phone_or_address(
    supervision: Supervision, operator: Actor, department_actor: Actor
) -> None:
    case = registration(supervision, operator, **TELLING_COMPLAINT).case
    supervision.assign_case(
        case.id,
        department=department_actor.department or "",
        urgent=None,
        final=False,
        note="请尽快联系王芳",
        by=operator,
    )
    supervision.add_case_note(
        case.id, text="已致电13812345678，王芳表示满意", public=False, by=operator
    )

    text = json.dumps(rows_of(supervision, case.id), ensure_ascii=False, default=str)

    for secret in ("王芳", "13812345678", "人民路18号"):
        assert secret not in text
    # The summary and details are personal data (sealed with the complainant): left out.
    assert "反映窗口人员态度生硬" not in text
    assert "请尽快联系***" in text
    assert "access_code_hash" not in text


def test_a_feed_row_says_who_when_why_and_what_it_concerns(
    supervision: Supervision, operator: Actor
) -> None:
    case = registration(supervision, operator, **TELLING_COMPLAINT).case
    supervision.add_case_note(case.id, text="跟进", public=True, by=operator)

    registered, noted = rows_of(supervision, case.id)

    assert registered["event_type"] == "Case.Registered"
    assert registered["record_type"] == "Case"
    assert registered["actor_principal"] == operator.principal
    assert registered["actor_role"] == "operator"
    assert registered["staff_ids"] == ["S0001"]
    assert registered["window_ids"] == ["W-A01"]
    assert registered["department_ids"] == ["real-estate-registration"]
    # Later events of the case concern the same staff member and window.
    assert (noted["staff_ids"], noted["window_ids"]) == (["S0001"], ["W-A01"])
    assert noted["changes"] == {"text": "跟进", "public": True}


def test_a_reason_is_lifted_into_its_own_column(
    supervision: Supervision, operator: Actor, department_actor: Actor
) -> None:
    case = registration(supervision, operator, **TELLING_COMPLAINT).case
    supervision.assign_case(
        case.id,
        department="real-estate-registration",
        urgent=None,
        final=False,
        note=None,
        by=operator,
    )
    supervision.return_case(case.id, reason="不属于本部门职责", by=department_actor)

    returned = rows_of(supervision, case.id)[-1]

    assert returned["event_type"] == "Case.Returned"
    assert returned["reason"] == "不属于本部门职责"
    assert returned["actor_department"] == "real-estate-registration"


def test_directory_and_scorecard_events_name_the_staff_member_they_concern(
    supervision: Supervision, inspector: Actor
) -> None:
    supervision.load_conduct_rules(default_conduct_rules(), DIRECTORY_ADMIN)
    supervision.record_deduction(
        a_deduction(
            rule="harsh_attitude",
            occurred_at=datetime(2026, 11, 3, 10, 15, tzinfo=OFFICE_TZ),
            evidence="暗访录像",
            source_type=SourceType.UNANNOUNCED_VISIT,
        ),
        inspector,
    )

    card = rows_of(supervision, scorecard_id(SubjectKind.STAFF, "S0001", "2026-11"))
    directory = rows_of(supervision, DIRECTORY_ID)
    joined = next(r for r in directory if r["changes"].get("staff_id") == "S0001")

    assert [r["event_type"] for r in card] == ["Scorecard.Opened", "Scorecard.DeductionRecorded"]
    assert all(r["staff_ids"] == ["S0001"] for r in card)
    assert joined["event_type"] == "Directory.StaffJoined"
    assert joined["staff_ids"] == ["S0001"]
    # The directory is about everyone: its events do not all concern S0001.
    assert any(r["staff_ids"] != ["S0001"] for r in directory)
    assert ("staff", "S0001", 0) in list(subject_links(joined))


def test_a_record_type_comes_from_the_stable_topic() -> None:
    assert record_type_of("oversight:RectificationOrder.Issued") == "RectificationOrder"
    assert record_type_of("oversight:Case.Acknowledged") == "Case"


# Labels --------------------------------------------------------------------------------------


def _event_types() -> set[str]:
    found: set[str] = set()
    for module in pkgutil.iter_modules(domain.__path__):
        loaded = importlib.import_module(f"domain.{module.name}")
        for value in vars(loaded).values():
            if isinstance(value, type) and issubclass(value, Aggregate):
                for member in vars(value).values():
                    topic = getattr(member, "TOPIC", "")
                    if (
                        isinstance(member, type)
                        and issubclass(member, Aggregate.Event)
                        and topic.startswith("oversight:")
                        and not topic.endswith(".Event")
                    ):
                        found.add(topic.removeprefix("oversight:"))
    return found


def test_every_event_type_has_a_chinese_label() -> None:
    types = _event_types()

    assert "Case.Acknowledged" in types
    assert sorted(types - LABELS["event"].keys()) == []
    assert label("event", "Case.Acknowledged") == "签收"


# A record's history -------------------------------------------------------------------------


def test_an_inspector_reads_the_history_of_any_record(
    supervision: Supervision, operator: Actor, inspector: Actor
) -> None:
    case = registration(supervision, operator, **TELLING_COMPLAINT).case

    history = supervision.record_history(case.id, inspector)
    directory = supervision.record_history(DIRECTORY_ID, inspector)

    assert (history.type, [e.type for e in history.entries]) == ("Case", ["Case.Registered"])
    registered = history.entries[0]
    assert registered.label == "登记"
    assert registered.actor is not None
    assert registered.actor["principal"] == operator.principal
    assert registered.fields["complainant"]["name"] == "王芳"  # inspectors see it (§3)
    assert "access_code_hash" not in registered.fields
    assert directory.type == "Directory"
    assert len(directory.entries) > 100


def test_a_token_digest_never_appears_in_a_history(
    supervision: Supervision, inspector: Actor
) -> None:
    issued = supervision.issue_token(
        role=Role.OPERATOR, department=None, name="话务员", by=DIRECTORY_ADMIN
    )
    record = token_id(supervision.secrets.token_digest(issued.token))

    (entry,) = supervision.record_history(record, inspector).entries

    assert entry.type == "AccessToken.Issued"
    assert "digest" not in entry.fields


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.DEPARTMENT, Role.ADMIN])
def test_only_inspectors_read_a_records_history(supervision: Supervision, role: Role) -> None:
    viewer = Actor("someone", role, department="taxation" if role is Role.DEPARTMENT else None)

    with pytest.raises(AuditForInspectors):
        supervision.record_history(DIRECTORY_ID, viewer)


def test_an_unknown_record_has_no_history(supervision: Supervision, inspector: Actor) -> None:
    with pytest.raises(RecordNotFound):
        supervision.record_history(uuid4(), inspector)


# Keys and hashes -----------------------------------------------------------------------------


def test_a_signing_key_is_base64_of_exactly_32_bytes() -> None:
    seed = bytes(range(32))

    assert decode_signing_key(base64.b64encode(seed).decode()) == seed
    assert decode_signing_key(base64.urlsafe_b64encode(seed).decode().rstrip("=")) == seed
    for bad in ("", "not base64!", base64.b64encode(bytes(31)).decode()):
        with pytest.raises(SigningKeyError):
            decode_signing_key(bad)


def test_a_signing_key_is_made_once_in_the_data_folder_readable_by_its_owner_only(
    tmp_path: Path,
) -> None:
    first = read_or_create_signing_key(tmp_path / "data")
    second = read_or_create_signing_key(tmp_path / "data")

    assert first == second
    assert len(first) == 32
    mode = stat.S_IMODE((tmp_path / "data" / "signing.key").stat().st_mode)
    assert mode == 0o600


def test_a_signature_verifies_with_the_public_key_only() -> None:
    key, other = SigningKey.generate(), SigningKey.generate()
    signature = key.sign(b"statement")

    public = PublicKey.from_base64(key.public.base64)
    assert public.verifies(signature, b"statement")
    assert not public.verifies(signature, b"statement!")
    assert not other.public.verifies(signature, b"statement")
    assert public.pem.startswith("-----BEGIN PUBLIC KEY-----")
    assert key.key_id != other.key_id


def test_every_stored_byte_and_the_position_go_into_an_events_hash() -> None:
    originator = uuid4().bytes
    base = event_hash(7, originator, 3, b"oversight:Case.Closed", b'{"a":1}')

    variants = [
        event_hash(8, originator, 3, b"oversight:Case.Closed", b'{"a":1}'),
        event_hash(7, uuid4().bytes, 3, b"oversight:Case.Closed", b'{"a":1}'),
        event_hash(7, originator, 4, b"oversight:Case.Closed", b'{"a":1}'),
        event_hash(7, originator, 3, b"oversight:Case.Closes", b'{"a":1}'),
        event_hash(7, originator, 3, b"oversight:Case.Closed", b'{"a":2}'),
        # The topic's length is hashed too, so bytes cannot move from topic to state.
        event_hash(7, originator, 3, b"oversight:Case.Close", b'd{"a":1}'),
        event_hash(7, originator, 3, b"oversight:Case.Closed", None),
    ]

    assert len({base, *variants}) == len(variants) + 1


def test_skipped_positions_become_one_gap_entry_in_the_chain() -> None:
    originator = uuid4().bytes
    rows = [(1, originator, 1, b"t", b"s"), (4, originator, 2, b"t", b"s")]

    chain_entries = list(entries(rows, 1))

    assert [(e.position, e.through, e.gap) for e in chain_entries] == [
        (1, 1, False),
        (2, 3, True),
        (4, 4, False),
    ]
    assert chain_entries[1].hash == gap_hash(2, 3)
    assert chained(GENESIS, chain_entries[0].hash) != chained(GENESIS, chain_entries[2].hash)


def test_a_seal_depends_on_the_key_the_position_and_the_chain() -> None:
    key = SigningKey.generate().seal_key
    chain = chained(GENESIS, b"x" * 32)

    assert seal(key, 5, chain) == seal(key, 5, chain)
    assert seal(key, 5, chain) != seal(key, 6, chain)
    assert seal(key, 5, chain) != seal(SigningKey.generate().seal_key, 5, chain)


def test_complainant_strings_to_mask_come_from_the_creating_event(
    supervision: Supervision, operator: Actor
) -> None:
    spaced_phone = {**COMPLAINANT, "phone": "138 1234 5678"}
    case = registration(
        supervision, operator, **{**TELLING_COMPLAINT, "complainant": spaced_phone}
    ).case
    (registered,) = supervision.repository.event_store.get(case.id)

    assert personal_strings(registered) >= {"王芳", "138 1234 5678", "13812345678"}
