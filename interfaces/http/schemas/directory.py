"""The shapes of the directory at the HTTP edge."""

from __future__ import annotations

from pydantic import BaseModel, Field

from domain.directory import Department, StaffMember, Window


class DepartmentPublic(BaseModel):
    """A department with windows in the hall."""

    id: str
    name: str
    name_en: str
    superior: str | None = Field(
        default=None,
        description="the superior department (上级主管部门), which reads this department's "
        "board and takes its escalated work (提级督办); null when it has none",
    )
    email: str | None = Field(
        default=None, description="where its notifications are e-mailed (§17); null: none"
    )
    webhook: str | None = Field(
        default=None,
        description="its group-robot webhook URL (WeCom, DingTalk) for notifications; null: none",
    )

    @classmethod
    def of(cls, department: Department) -> DepartmentPublic:
        return cls.model_validate(department, from_attributes=True)


class WindowPublic(BaseModel):
    """A service window, its department and its service zone."""

    id: str
    name: str
    department: str
    zone: str

    @classmethod
    def of(cls, window: Window) -> WindowPublic:
        return cls.model_validate(window, from_attributes=True)


class StaffPublic(BaseModel):
    """A member of staff and their post (A main, B backup) at a window."""

    id: str
    name: str
    department: str
    window: str | None
    post: str | None

    @classmethod
    def of(cls, staff: StaffMember) -> StaffPublic:
        return cls.model_validate(staff, from_attributes=True)


class DepartmentList(BaseModel):
    """The active departments."""

    items: list[DepartmentPublic]


class WindowList(BaseModel):
    """The active windows."""

    items: list[WindowPublic]


class StaffList(BaseModel):
    """The active staff."""

    items: list[StaffPublic]
