"""Revoking and listing access tokens, and the moment a confirmed token is taken on trust."""

from __future__ import annotations

from uuid import uuid4

import pytest

from application.access import SIGN_IN_TRUSTED_FOR
from application.supervision import Supervision
from domain.access import AccessToken, TokenAlreadyRevoked, TokenNotFound
from domain.actor import Actor, Role
from tests.support import SettableTimeSource


def _position(supervision: Supervision) -> int:
    return supervision.recorder.max_notification_id() or 0


def test_a_revoked_token_signs_no_one_in_from_that_moment(
    supervision: Supervision, admin: Actor
) -> None:
    # given a token in use
    issued = supervision.issue_token(role=Role.OPERATOR, department=None, name="wang", by=admin)
    assert supervision.sign_in(issued.token) is not None

    # when
    revoked = supervision.revoke_token(issued.id, reason="工作证遗失", by=admin)

    # then
    assert revoked.revoked
    assert supervision.recently_signed_in(issued.token) is None
    assert supervision.sign_in(issued.token) is None


def test_a_token_is_revoked_once(supervision: Supervision, admin: Actor) -> None:
    issued = supervision.issue_token(role=Role.INSPECTOR, department=None, name="li", by=admin)
    supervision.revoke_token(issued.id, reason="调离", by=admin)
    before = _position(supervision)

    with pytest.raises(TokenAlreadyRevoked):
        supervision.revoke_token(issued.id, reason="again", by=admin)

    assert _position(supervision) == before


def test_revoking_an_unknown_token_is_refused(supervision: Supervision, admin: Actor) -> None:
    before = _position(supervision)

    with pytest.raises(TokenNotFound):
        supervision.revoke_token(uuid4(), reason="lost", by=admin)

    assert _position(supervision) == before


def test_the_token_list_shows_every_token_oldest_first_with_its_state(
    supervision: Supervision, admin: Actor
) -> None:
    first = supervision.issue_token(role=Role.OPERATOR, department=None, name="wang", by=admin)
    second = supervision.issue_token(
        role=Role.DEPARTMENT, department="taxation", name="tax-desk", by=admin
    )
    supervision.revoke_token(first.id, reason="离职", by=admin)

    listed = supervision.list_tokens()

    assert [(t.id, t.name, t.role, t.department, t.revoked) for t in listed] == [
        (first.id, "wang", Role.OPERATOR, None, True),
        (second.id, "tax-desk", Role.DEPARTMENT, "taxation", False),
    ]


def test_a_token_confirmed_a_moment_ago_is_taken_on_trust_and_checked_again_after(
    supervision: Supervision, admin: Actor, time_source: SettableTimeSource
) -> None:
    # given a token the store confirmed just now
    issued = supervision.issue_token(role=Role.OPERATOR, department=None, name="wang", by=admin)
    assert supervision.recently_signed_in(issued.token) is None, "never confirmed: ask the store"
    supervision.sign_in(issued.token)

    # when another process revokes it (straight in the store, past this process's verbs)
    token: AccessToken = supervision.repository.get(issued.id)
    token.revoke(reason="泄露", by=admin, at=time_source.now())
    supervision.save(token)

    # then it is trusted, with this request's id, until the moment of trust is over
    time_source.advance(seconds=SIGN_IN_TRUSTED_FOR.total_seconds() / 2)
    assert supervision.recently_signed_in(issued.token, "req-9") == Actor(
        "wang", Role.OPERATOR, request_id="req-9"
    )
    time_source.advance(seconds=SIGN_IN_TRUSTED_FOR.total_seconds() / 2)
    assert supervision.recently_signed_in(issued.token) is None
    assert supervision.sign_in(issued.token) is None


def test_a_clock_set_back_does_not_stretch_the_trust(
    supervision: Supervision, admin: Actor, time_source: SettableTimeSource
) -> None:
    issued = supervision.issue_token(role=Role.OPERATOR, department=None, name="wang", by=admin)
    supervision.sign_in(issued.token)

    time_source.advance(hours=-1)

    assert supervision.recently_signed_in(issued.token) is None
