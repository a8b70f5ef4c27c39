"""Who did something, in which role, and through which request."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from domain.errors import Invalid


class Role(StrEnum):
    """The roles of DESIGN §3, plus the system itself and the public."""

    OPERATOR = "operator"
    DEPARTMENT = "department"
    INSPECTOR = "inspector"
    ADMIN = "admin"
    SYSTEM = "system"
    PUBLIC = "public"
    # Reads the service's metrics (GET /metrics) and nothing else; a token, never a person.
    MONITOR = "monitor"


class DepartmentRequired(Invalid):
    """A department token or account names its department, and only a department one does."""

    code = "department_required"


def require_department_as_role_says(role: Role, department: str | None, credential: str) -> None:
    """Refuse a `credential` (a token, an account) whose department does not follow its role."""
    if (role is Role.DEPARTMENT) != (department is not None):
        raise DepartmentRequired(
            f"a department {credential} names its department, "
            f"and only a department {credential} does"
        )


class SignedInPerson(Protocol):
    """Someone signed in under an account (§12): what the history records of who acted."""

    @property
    def username(self) -> str: ...

    @property
    def name(self) -> str: ...

    @property
    def role(self) -> Role: ...

    @property
    def department(self) -> str | None: ...


@dataclass(frozen=True)
class Actor:
    """The principal behind an event: stored on every event so history can say who and how."""

    principal: str
    role: Role
    department: str | None = None
    request_id: str | None = None
    # The person's display name, when a person signed in to act (an account, §12); events
    # recorded before names existed, and those of tokens and the system, have none.
    name: str | None = None

    @classmethod
    def system(cls, request_id: str | None = None) -> Actor:
        return cls(principal="system", role=Role.SYSTEM, request_id=request_id)

    @classmethod
    def signed_in(cls, person: SignedInPerson, request_id: str | None = None) -> Actor:
        """The actor a signed-in person acts as: the history names the person."""
        return cls(
            principal=person.username,
            role=person.role,
            department=person.department,
            request_id=request_id,
            name=person.name,
        )

    def acts_for(self, department: str | None) -> bool:
        return (
            self.role is Role.DEPARTMENT
            and department is not None
            and self.department == department
        )

    def as_dict(self) -> dict[str, str | None]:
        stored: dict[str, str | None] = {
            "principal": self.principal,
            "role": self.role.value,
            "department": self.department,
            "request_id": self.request_id,
        }
        if self.name is not None:
            stored["name"] = self.name
        return stored

    @classmethod
    def from_dict(cls, data: dict[str, str | None]) -> Actor:
        return cls(
            principal=str(data["principal"]),
            role=Role(str(data["role"])),
            department=data.get("department"),
            request_id=data.get("request_id"),
            name=data.get("name"),
        )
