"""The conduct catalogue: shipped as data, recorded as events, reconciled on each load."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from application.supervision import Supervision
from domain.calendar import OFFICE_TZ
from domain.conduct import (
    AppliesTo,
    ConductCatalogue,
    ConductRule,
    InvalidConductCatalogue,
    UnknownRule,
)
from infrastructure.conduct_file import ConductFileError, default_conduct_rules, read_conduct_file
from tests.factories import a_deduction
from tests.unit.actors import ADMIN, INSPECTOR

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=OFFICE_TZ)

LATE = ConductRule("lateness", "迟到早退", "Late", 2, AppliesTo.STAFF)
RUDE = ConductRule("rude", "态度生硬", "Rude", 5, AppliesTo.BOTH)


def _catalogue(*rules: ConductRule) -> ConductCatalogue:
    catalogue = ConductCatalogue.open(ADMIN, T0)
    catalogue.reconcile(rules, ADMIN, T0)
    return catalogue


def test_the_default_catalogue_covers_the_norms_the_centre_enforces() -> None:
    rules = {rule.name_zh: rule for rule in default_conduct_rules()}

    for norm in (
        "迟到早退",
        "脱岗/离岗",
        "上班玩手机/游戏",
        "未按规定着装/佩戴工牌",
        "态度生硬/言语粗暴",
        "与群众争吵",
        "未履行一次性告知",
        "推诿扯皮",
        "超时办理",
        "被有效投诉",
        "吃拿卡要",
        "窗口无人/空岗",
        "不执行首问负责制",
    ):
        assert norm in rules, norm
    assert rules["吃拿卡要"].all_remaining is True
    assert rules["吃拿卡要"].points == 100
    assert rules["窗口无人/空岗"].applies_to is AppliesTo.WINDOW
    assert rules["迟到早退"].applies_to is AppliesTo.STAFF
    assert sum(rule.all_remaining for rule in rules.values()) == 1


def test_loading_the_same_catalogue_twice_records_nothing_the_second_time() -> None:
    catalogue = _catalogue(LATE, RUDE)
    version = catalogue.version

    recorded = catalogue.reconcile((LATE, RUDE), ADMIN, T0)

    assert recorded == 0
    assert catalogue.version == version


def test_a_changed_catalogue_records_the_changes_and_retires_what_was_left_out() -> None:
    catalogue = _catalogue(LATE, RUDE)

    recorded = catalogue.reconcile((replace(LATE, points=3),), ADMIN, T0)

    assert recorded == 2
    assert [type(e).__name__ for e in catalogue.collect_events()][-2:] == [
        "RuleChanged",
        "RuleRetired",
    ]
    assert catalogue.rule("lateness").points == 3
    with pytest.raises(UnknownRule):
        catalogue.rule("rude")


def test_a_retired_rule_comes_back_when_it_is_listed_again() -> None:
    catalogue = _catalogue(LATE, RUDE)
    catalogue.reconcile((LATE,), ADMIN, T0)

    catalogue.reconcile((LATE, RUDE), ADMIN, T0)

    assert catalogue.rule("rude") == RUDE


@pytest.mark.parametrize(
    "rules",
    [
        (LATE, replace(RUDE, code="lateness")),
        (replace(LATE, points=0),),
        (replace(LATE, points=101),),
        (replace(LATE, all_remaining=True),),
        (replace(LATE, name_zh=" "),),
        (replace(LATE, code="Late Arrival"),),
    ],
    ids=["code twice", "no points", "over 100", "all remaining below 100", "no name", "bad code"],
)
def test_a_catalogue_that_breaks_a_rule_is_refused_whole(rules: tuple[ConductRule, ...]) -> None:
    catalogue = ConductCatalogue.open(ADMIN, T0)

    with pytest.raises(InvalidConductCatalogue):
        catalogue.reconcile(rules, ADMIN, T0)

    assert catalogue.rules == ()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("rules: [{code: x}]", "missing field 'name_zh'"),
        ("rules: [{code: x, name_zh: 甲, name_en: A, points: 2, applies_to: hall}]", "staff"),
        ("rules: [{code: x, name_zh: 甲, name_en: A, points: two, applies_to: staff}]", "whole"),
        ("rules: [{code: x, name_zh: 甲, name_en: A, points: 2, applies_to: staff, n: 1}]", "'n'"),
        ("departments: []", "rules"),
    ],
)
def test_a_malformed_catalogue_file_is_refused_with_a_message(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(text, encoding="utf-8")

    with pytest.raises(ConductFileError, match=message):
        read_conduct_file(path)


def test_the_application_records_a_catalogue_once_and_lists_it(supervision: Supervision) -> None:
    first = supervision.load_conduct_rules(default_conduct_rules(), ADMIN)
    again = supervision.load_conduct_rules(default_conduct_rules(), ADMIN)

    assert first.changes == len(default_conduct_rules())
    assert again.changes == 0
    assert again.position == first.position
    assert supervision.list_conduct_rules() == default_conduct_rules()


def test_no_deduction_can_be_recorded_before_a_catalogue_is_loaded(
    supervision: Supervision,
) -> None:
    request = a_deduction()

    with pytest.raises(UnknownRule, match="rules load --default"):
        supervision.record_deduction(request, INSPECTOR)
