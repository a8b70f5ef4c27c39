"""The shapes of what administrators read at the HTTP edge: accounts, tokens, calendar years."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel

from domain.actor import Role
from interfaces.http.schemas.answers import ReadOff


class AccountPublic(ReadOff):
    """A person's console account, nothing secret: its state and its last sign-in."""

    username: str
    name: str
    role: Role
    department: str | None
    disabled: bool
    second_factor: bool
    must_change_password: bool
    locked_until: datetime | None
    created_at: datetime
    last_signed_in_at: datetime | None


class AccountList(BaseModel):
    """Every account, oldest first, disabled ones included."""

    items: list[AccountPublic]


class TokenPublic(ReadOff):
    """An API token as issued (never the token itself): who holds it, whether it works."""

    id: UUID
    name: str
    role: Role
    department: str | None
    issued_at: datetime
    revoked: bool


class TokenList(BaseModel):
    """Every token issued, oldest first, revoked ones included."""

    items: list[TokenPublic]


class CalendarYearPublic(ReadOff):
    """A year the working-day calendar knows, and where its schedule comes from."""

    year: int
    days_off: int
    makeup_workdays: int
    source: str
    published: bool


class CalendarYearList(BaseModel):
    """The years the calendar knows, oldest first; any other year is provisional."""

    items: list[CalendarYearPublic]
