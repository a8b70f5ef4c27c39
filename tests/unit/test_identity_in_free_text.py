"""Free text (details, notes, answers) tells a viewer no more of the complainant than the
complainant field does, wherever staff typed the identity in."""

from __future__ import annotations

from domain.actor import Actor, Role
from domain.privacy import identity_stand_ins, with_stand_ins

DEPARTMENT = Actor("clerk-1", Role.DEPARTMENT, department="taxation")
OPERATOR = Actor("operator-1", Role.OPERATOR)
REPORTER = {"name": "王小明", "phone": "13812345678", "address": "幸福路 8 号"}


def test_a_report_hides_the_reporters_name_phone_and_address_from_the_department() -> None:
    stand_ins = identity_stand_ins(DEPARTMENT, "report", REPORTER)

    told = with_stand_ins("举报人王小明（13812345678，住幸福路 8 号）称窗口收费", stand_ins)

    assert told == "举报人***（***，住***）称窗口收费"


def test_a_complaint_shows_the_department_the_name_and_a_masked_phone() -> None:
    stand_ins = identity_stand_ins(DEPARTMENT, "complaint", REPORTER)

    told = with_stand_ins(["回访王小明 138-1234-5678 未接", {"note": "13812345678"}], stand_ins)

    assert told == ["回访王小明 138****5678 未接", {"note": "138****5678"}]


def test_a_phone_typed_with_spaces_is_hidden_too() -> None:
    stand_ins = identity_stand_ins(DEPARTMENT, "report", REPORTER)

    assert with_stand_ins("电话 138 1234 5678", stand_ins) == "电话 ***"


def test_operators_read_free_text_as_it_was_written() -> None:
    stand_ins = identity_stand_ins(OPERATOR, "report", REPORTER)

    assert not stand_ins
    assert with_stand_ins("举报人王小明", stand_ins) == "举报人王小明"


def test_erased_personal_data_leaves_nothing_to_stand_in_for() -> None:
    assert not identity_stand_ins(DEPARTMENT, "report", {"erased": True})
