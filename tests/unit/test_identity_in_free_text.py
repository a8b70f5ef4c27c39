"""Free text (summary, details, notes, answers) tells a viewer no more of the complainant than
the complainant field does, wherever staff typed the identity in; a department sees a
complainant's surname only, and every phone number masked (DESIGN §3)."""

from __future__ import annotations

import pytest

from domain.actor import Actor, Role
from domain.privacy import identity_stand_ins, mask_name, with_stand_ins
from tests.factories import OPERATOR

DEPARTMENT = Actor("clerk-1", Role.DEPARTMENT, department="taxation")
REPORTER = {"name": "王小明", "phone": "13812345678", "address": "幸福路 8 号"}
SIMA = {"name": "司马光华", "phone": "13812340000", "address": None}


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        pytest.param("张三", "张**", id="two characters"),
        pytest.param("张三丰", "张**", id="three characters: the length is not told"),
        pytest.param("司马光华", "司**", id="compound surname: its first character only"),
        pytest.param(" 欧阳娜娜 ", "欧**", id="spaces around"),
        pytest.param("王", "王**", id="a surname alone"),
        pytest.param("", "", id="empty"),
        pytest.param(None, None, id="none given"),
    ],
)
def test_a_name_keeps_its_first_character_and_a_fixed_mask(
    name: str | None, masked: str | None
) -> None:
    assert mask_name(name) == masked


def test_a_report_hides_the_reporters_name_phone_and_address_from_the_department() -> None:
    stand_ins = identity_stand_ins(DEPARTMENT, "report", REPORTER)

    told = with_stand_ins("举报人王小明（13812345678，住幸福路 8 号）称窗口收费", stand_ins)

    assert told == "举报人***（***，住***）称窗口收费"


def test_a_report_quoting_a_compound_surname_shows_the_department_neither_name_nor_phone() -> None:
    stand_ins = identity_stand_ins(DEPARTMENT, "report", SIMA)

    told = with_stand_ins("举报人司马光华（13812340000）反映窗口吃拿卡要", stand_ins)

    assert told == "举报人***（***）反映窗口吃拿卡要"


def test_a_complaint_shows_the_department_the_surname_and_a_masked_phone() -> None:
    stand_ins = identity_stand_ins(DEPARTMENT, "complaint", REPORTER)

    told = with_stand_ins(["回访王小明 138-1234-5678 未接", {"note": "13812345678"}], stand_ins)

    assert told == ["回访王** 138****5678 未接", {"note": "138****5678"}]


def test_a_phone_typed_with_spaces_is_hidden_too() -> None:
    stand_ins = identity_stand_ins(DEPARTMENT, "report", REPORTER)

    assert with_stand_ins("电话 138 1234 5678", stand_ins) == "电话 ***"


def test_any_other_mobile_number_reaches_a_department_masked_and_never_in_a_report() -> None:
    text = "另一联系人 139 8765 4321，工单 HL20261127-0042，评价编号 12345678-1398-4123-5678"

    in_complaint = with_stand_ins(text, identity_stand_ins(DEPARTMENT, "complaint", REPORTER))
    in_report = with_stand_ins(text, identity_stand_ins(DEPARTMENT, "report", REPORTER))

    assert in_complaint == text.replace("139 8765 4321", "139****4321")
    assert in_report == text.replace("139 8765 4321", "***")


def test_operators_read_free_text_as_it_was_written() -> None:
    stand_ins = identity_stand_ins(OPERATOR, "report", REPORTER)

    assert not stand_ins
    assert with_stand_ins("举报人王小明 13812345678", stand_ins) == "举报人王小明 13812345678"


def test_erased_personal_data_leaves_only_phone_numbers_to_mask() -> None:
    stand_ins = identity_stand_ins(DEPARTMENT, "complaint", {"erased": True})

    assert with_stand_ins("王小明反映窗口态度差", stand_ins) == "王小明反映窗口态度差"
    assert with_stand_ins("回电13812345678", stand_ins) == "回电138****5678"
