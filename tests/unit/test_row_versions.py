"""The versions a projection batch makes of its rows (§14): one per event that changes a row,
each valid from its event to the next change of the row."""

from __future__ import annotations

from typing import Any

from infrastructure.projection_runner import _Versions

CASE, OTHER = "case-1", "case-2"


def row(**fields: Any) -> dict[str, Any]:
    return {"id": CASE, "status": "assigned", "summary": "窗口无人", **fields}


def test_a_row_changed_by_every_event_has_a_version_each_ending_at_the_next() -> None:
    versions = _Versions({CASE: row()})

    versions.seen(CASE, 11, row(status="in_progress"))
    versions.seen(CASE, 12, row(status="answered"))
    versions.seen(CASE, 15, row(status="closed"))

    assert versions.first_change_positions() == {CASE: 11}
    assert versions.rows() == [
        {**row(status="in_progress"), "valid_from": 11, "valid_to": 12},
        {**row(status="answered"), "valid_from": 12, "valid_to": 15},
        {**row(status="closed"), "valid_from": 15, "valid_to": None},
    ]


def test_an_event_that_leaves_the_row_as_it_stands_makes_no_version() -> None:
    versions = _Versions({CASE: row()})

    versions.seen(CASE, 11, row())

    assert versions.first_change_positions() == {}
    assert versions.rows() == []


def test_an_event_that_leaves_the_row_as_the_batch_changed_it_makes_no_version() -> None:
    versions = _Versions({CASE: row()})

    versions.seen(CASE, 11, row(status="in_progress"))
    versions.seen(CASE, 12, row(status="in_progress"))
    versions.seen(CASE, 13, row(status="answered"))

    assert versions.rows() == [
        {**row(status="in_progress"), "valid_from": 11, "valid_to": 13},
        {**row(status="answered"), "valid_from": 13, "valid_to": None},
    ]


def test_a_row_the_batch_makes_has_its_first_version_from_the_event_that_made_it() -> None:
    versions = _Versions({})

    versions.seen(CASE, 7, row())

    assert versions.first_change_positions() == {CASE: 7}
    assert versions.rows() == [{**row(), "valid_from": 7, "valid_to": None}]


def test_a_row_that_goes_away_ends_its_version_and_makes_none_for_its_absence() -> None:
    versions = _Versions({CASE: row()})

    versions.seen(CASE, 11, row(status="in_progress"))
    versions.seen(CASE, 12, None)

    assert versions.first_change_positions() == {CASE: 11}
    assert versions.rows() == [{**row(status="in_progress"), "valid_from": 11, "valid_to": 12}]


def test_a_standing_row_that_goes_away_is_ended_where_it_went() -> None:
    versions = _Versions({CASE: row()})

    versions.seen(CASE, 12, None)

    assert versions.first_change_positions() == {CASE: 12}
    assert versions.rows() == []


def test_the_rows_of_a_batch_keep_their_versions_apart() -> None:
    versions = _Versions({CASE: row()})

    versions.seen(CASE, 11, row(status="in_progress"))
    versions.seen(OTHER, 12, row(id=OTHER))
    versions.seen(CASE, 13, row(status="answered"))
    versions.seen(OTHER, 14, row(id=OTHER, status="in_progress"))

    assert versions.first_change_positions() == {CASE: 11, OTHER: 12}
    assert versions.rows() == [
        {**row(status="in_progress"), "valid_from": 11, "valid_to": 13},
        {**row(id=OTHER), "valid_from": 12, "valid_to": 14},
        {**row(status="answered"), "valid_from": 13, "valid_to": None},
        {**row(id=OTHER, status="in_progress"), "valid_from": 14, "valid_to": None},
    ]


def test_a_row_a_projection_changes_in_place_is_compared_with_the_row_as_it_stood() -> None:
    standing = row()
    versions = _Versions({CASE: standing})

    standing["status"] = "in_progress"  # the projection changed the row it was given
    versions.seen(CASE, 11, standing)

    assert versions.rows() == [{**row(status="in_progress"), "valid_from": 11, "valid_to": None}]


def test_a_version_holds_text_as_the_row_is_stored_and_a_change_it_cannot_show_is_none() -> None:
    versions = _Versions({CASE: row(summary="窗口\ufffd无人")})  # as stored, NUL replaced

    versions.seen(CASE, 11, row(summary="窗口\x00无人"))
    versions.seen(CASE, 12, row(summary="窗口\x00无人", status="in_progress"))

    assert versions.rows() == [
        {**row(summary="窗口\ufffd无人", status="in_progress"), "valid_from": 12, "valid_to": None}
    ]


def test_an_erasure_is_kept_where_the_batch_first_erased_the_row() -> None:
    versions = _Versions({CASE: row()})

    versions.seen(CASE, 11, row(status="in_progress"))
    versions.seen(CASE, 12, row(summary="（已删除个人信息）"), erases=True)
    versions.seen(OTHER, 13, row(id=OTHER))

    assert versions.erasures() == {CASE: 12}
