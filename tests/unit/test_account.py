"""The Account record (§12): its rules, given / when / then."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.account import (
    LOCK_DURATION,
    Account,
    AccountAlreadyDisabled,
    AccountDisabled,
    AccountRoleInvalid,
    DisplayNameInvalid,
    PasswordIsUsername,
    PasswordTooLong,
    PasswordTooShort,
    SecondFactorAlreadyEnrolled,
    SignInFailure,
    SignInStep,
    UsernameInvalid,
    account_id,
    require_acceptable_password,
)
from domain.actor import Actor, DepartmentRequired, Role
from tests.support import START
from tests.unit.actors import ADMIN


def account(role: Role = Role.OPERATOR, department: str | None = None) -> Account:
    return Account.create(
        username="wang.fang",
        name="王芳",
        role=role,
        department=department,
        password_hash="hash-1",
        by=ADMIN,
        at=START,
    )


def fail(subject: Account, times: int, minutes_apart: int = 0) -> bool:
    locked = False
    for n in range(times):
        at = START + timedelta(minutes=n * minutes_apart)
        locked = subject.fail_sign_in(SignInFailure.WRONG_PASSWORD, by=subject.as_actor(), at=at)
    return locked


def test_a_username_names_one_record() -> None:
    assert account().id == account_id("wang.fang")
    assert account_id("wang.fang") != account_id("wang.fan")


@pytest.mark.parametrize(
    "username", ["", "a", "Wang", "wang fang", "-wang", "王芳", "wang\x00", "x" * 33, "wang@x"]
)
def test_a_username_is_lower_case_letters_digits_dots_underscores_and_dashes(
    username: str,
) -> None:
    with pytest.raises(UsernameInvalid):
        Account.create(
            username=username,
            name="王芳",
            role=Role.OPERATOR,
            department=None,
            password_hash="h",
            by=ADMIN,
            at=START,
        )


@pytest.mark.parametrize("name", ["", "   ", "王\x00芳", "王\x1b芳", "名" * 51])
def test_a_display_name_is_required_bounded_and_storable(name: str) -> None:
    with pytest.raises(DisplayNameInvalid):
        Account.create(
            username="wang",
            name=name,
            role=Role.OPERATOR,
            department=None,
            password_hash="h",
            by=ADMIN,
            at=START,
        )


@pytest.mark.parametrize("role", [Role.SYSTEM, Role.PUBLIC])
def test_accounts_are_only_for_the_four_roles_of_people(role: Role) -> None:
    with pytest.raises(AccountRoleInvalid):
        account(role)


def test_a_department_account_names_its_department_and_only_it_does() -> None:
    with pytest.raises(DepartmentRequired):
        account(Role.DEPARTMENT)
    with pytest.raises(DepartmentRequired):
        account(Role.OPERATOR, "taxation")
    assert account(Role.DEPARTMENT, "taxation").department == "taxation"


def test_a_password_has_at_least_ten_characters() -> None:
    with pytest.raises(PasswordTooShort):
        require_acceptable_password("123456789", "wang")
    require_acceptable_password("1234567890", "wang")


def test_a_password_is_not_the_username_whatever_its_case() -> None:
    with pytest.raises(PasswordIsUsername):
        require_acceptable_password("Wang.Fang.01", "wang.fang.01")


def test_a_password_is_bounded() -> None:
    with pytest.raises(PasswordTooLong):
        require_acceptable_password("x" * 257, "wang")


def test_a_new_account_must_change_its_one_time_password_first() -> None:
    assert account().next_step(second_factor_passed=False) is SignInStep.CHANGE_PASSWORD


def test_a_changed_password_lets_an_operator_sign_in_without_a_second_factor() -> None:
    subject = account()
    subject.change_password("hash-2", by=subject.as_actor(), at=START)
    assert subject.password_hash == "hash-2"
    assert subject.next_step(second_factor_passed=False) is SignInStep.SIGNED_IN


@pytest.mark.parametrize("role", [Role.INSPECTOR, Role.ADMIN])
def test_inspectors_and_admins_set_up_a_second_factor_after_their_first_password(
    role: Role,
) -> None:
    subject = account(role)
    subject.change_password("hash-2", by=subject.as_actor(), at=START)
    assert subject.next_step(second_factor_passed=False) is SignInStep.ENROL_SECOND_FACTOR
    subject.enrol_second_factor("SECRET", code_step=7, by=subject.as_actor(), at=START)
    assert subject.next_step(second_factor_passed=False) is SignInStep.SECOND_FACTOR
    assert subject.next_step(second_factor_passed=True) is SignInStep.SIGNED_IN


def test_a_second_factor_is_set_up_once() -> None:
    subject = account(Role.INSPECTOR)
    subject.enrol_second_factor("SECRET", code_step=7, by=subject.as_actor(), at=START)
    with pytest.raises(SecondFactorAlreadyEnrolled):
        subject.enrol_second_factor("OTHER", code_step=8, by=subject.as_actor(), at=START)


def test_a_code_of_a_time_step_already_used_is_not_fresh() -> None:
    subject = account(Role.INSPECTOR)
    subject.enrol_second_factor("SECRET", code_step=7, by=subject.as_actor(), at=START)
    assert not subject.fresh_code_step(7)
    assert subject.fresh_code_step(8)


def test_the_fifth_failure_in_a_row_locks_the_account_for_fifteen_minutes() -> None:
    subject = account()
    assert not fail(subject, 4)
    assert fail(subject, 1)
    assert subject.locked_until == START + LOCK_DURATION
    assert subject.refusal(password_matches=True, at=START) is SignInFailure.LOCKED


def test_a_lock_lifts_after_fifteen_minutes() -> None:
    subject = account()
    fail(subject, 5)
    assert subject.is_locked(START + LOCK_DURATION - timedelta(seconds=1))
    assert not subject.is_locked(START + LOCK_DURATION)
    assert subject.refusal(password_matches=True, at=START + LOCK_DURATION) is None


def test_a_sign_in_between_failures_starts_the_count_again() -> None:
    subject = account()
    fail(subject, 4)
    subject.sign_in(by=subject.as_actor(), at=START)
    assert not fail(subject, 4)


def test_attempts_on_a_locked_account_do_not_lengthen_the_lock() -> None:
    subject = account()
    fail(subject, 5)
    subject.fail_sign_in(SignInFailure.LOCKED, by=subject.as_actor(), at=START)
    assert subject.locked_until == START + LOCK_DURATION
    assert subject.consecutive_failures == 0


def test_a_reset_password_lifts_the_lock_and_must_be_changed() -> None:
    subject = account()
    subject.change_password("hash-2", by=subject.as_actor(), at=START)
    fail(subject, 5)
    subject.reset_password("hash-3", by=ADMIN, at=START)
    assert not subject.is_locked(START)
    assert subject.next_step(second_factor_passed=False) is SignInStep.CHANGE_PASSWORD


def test_a_disabled_account_cannot_sign_in_even_with_the_right_password() -> None:
    subject = account()
    subject.disable(by=ADMIN, at=START)
    assert subject.refusal(password_matches=True, at=START) is SignInFailure.DISABLED
    with pytest.raises(AccountDisabled):
        subject.sign_in(by=subject.as_actor(), at=START)


def test_an_account_is_disabled_once() -> None:
    subject = account()
    subject.disable(by=ADMIN, at=START)
    with pytest.raises(AccountAlreadyDisabled):
        subject.disable(by=ADMIN, at=START)


def test_the_account_acts_under_its_username_and_display_name() -> None:
    actor = account(Role.DEPARTMENT, "taxation").as_actor("req-1")
    assert actor == Actor("wang.fang", Role.DEPARTMENT, "taxation", "req-1", name="王芳")


def test_an_actor_stored_before_names_existed_still_reads() -> None:
    old = {"principal": "ops", "role": "operator", "department": None, "request_id": None}
    assert Actor.from_dict(old) == Actor("ops", Role.OPERATOR)
    assert "name" not in Actor("ops", Role.OPERATOR).as_dict()
    named = Actor("wang", Role.OPERATOR, name="王芳")
    assert Actor.from_dict(named.as_dict()) == named
