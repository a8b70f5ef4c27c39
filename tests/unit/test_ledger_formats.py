"""The ledger's byte layout and the checkpoint format, pinned: ledgers and checkpoints already
written, and verifiers outside the service, depend on them staying exactly as they are."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import pytest

from domain.calendar import OFFICE_TZ
from infrastructure.ledger.chain import GENESIS, chained, event_hash, gap_hash, seal
from infrastructure.ledger.checkpoints import NotACheckpoint, SignedCheckpoint, Statement
from infrastructure.signing import SigningKey

ORIGINATOR = UUID("12345678-1234-5678-1234-567812345678").bytes

STATEMENT = Statement.of_head(
    number=2,
    position=41,
    chain_hash=bytes(range(32)),
    at=datetime(2026, 11, 27, 10, 0, tzinfo=OFFICE_TZ),
    previous=bytes(32),
    key_id="0123456789abcdef",
    log="oversight_events",
)


def test_the_hashes_of_the_chain_are_those_of_ledgers_already_written() -> None:
    event = event_hash(7, ORIGINATOR, 3, b"oversight:Case.Closed", b'{"a":1}')
    chain = chained(GENESIS, event)

    assert event.hex() == "e42c10ddedd34e0050bcf90090bb6875bd2c260d1babd27033c4b63f88583b02"
    assert event_hash(8, ORIGINATOR, 1, None, None).hex() == (
        "000666d7fd6420e71fa9b4b82111472ceb6317804b7afcc24ca14778eef54b81"
    )
    assert gap_hash(2, 3).hex() == (
        "6d36d673a4a52a10985332b24b2ee2acbd62dd958ecaf97a4b45d26e7f057d22"
    )
    assert chain.hex() == "277ca8e894371477c57ef07a1b0395c71cca7c1ab493d0a46540825828474016"
    assert seal(bytes(32), 7, chain).hex() == (
        "23c6a340b3c66c3883f6114005184b5a5398a708aa2b746211ef9282b5487ecf"
    )


def test_a_checkpoint_signs_compact_json_with_sorted_keys_and_the_time_in_utc() -> None:
    assert STATEMENT.text() == (
        '{"chain_hash":"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",'
        '"format":"oversight-ledger-checkpoint/1","key_id":"0123456789abcdef",'
        '"log":"oversight_events","made_at":"2026-11-27T02:00:00+00:00","number":2,'
        '"position":41,"previous":"0000000000000000000000000000000000000000000000000000000000000000"}'
    )
    assert Statement.parse(STATEMENT.text()) == STATEMENT


def test_an_export_writes_out_the_fields_of_the_signed_statement() -> None:
    key = SigningKey.generate()
    signed = SignedCheckpoint.sign(STATEMENT, key)

    exported = signed.exported(key.public).as_export()

    assert {name: exported[name] for name in STATEMENT.fields()} == {
        "number": 2,
        "position": 41,
        "chain_hash": bytes(range(32)).hex(),
        "made_at": "2026-11-27T02:00:00+00:00",
        "previous": "00" * 32,
        "key_id": "0123456789abcdef",
    }
    assert SignedCheckpoint.from_export(exported) == (signed, STATEMENT)
    assert signed.signed_by(key.public)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("position", 42),
        ("made_at", "2026-11-28T02:00:00+00:00"),
        ("previous", None),
        ("chain_hash", "ab" * 32),
    ],
)
def test_an_export_whose_written_out_field_differs_from_its_statement_is_refused(
    name: str, value: object
) -> None:
    key = SigningKey.generate()
    exported = SignedCheckpoint.sign(STATEMENT, key).exported(key.public).as_export()

    with pytest.raises(NotACheckpoint, match=f"`{name}`.*it was altered"):
        SignedCheckpoint.from_export({**exported, name: value})


@pytest.mark.parametrize(
    "text",
    [
        "",
        "[]",
        '{"format":"oversight-ledger-checkpoint/2"}',
        STATEMENT.text().replace('"number":2', '"number":"two"'),
        STATEMENT.text().replace(',"log":"oversight_events"', ""),
        STATEMENT.text().replace('"chain_hash":"00', '"chain_hash":"zz'),
    ],
)
def test_a_text_that_is_not_a_checkpoint_statement_is_refused(text: str) -> None:
    with pytest.raises(NotACheckpoint):
        Statement.parse(text)
