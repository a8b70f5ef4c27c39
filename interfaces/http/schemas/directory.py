"""The shapes of the directory at the HTTP edge."""

from __future__ import annotations

from pydantic import BaseModel, Field

from interfaces.http.schemas.answers import ReadOff


class DepartmentPublic(ReadOff):
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


class WindowPublic(ReadOff):
    """A service window, its department and its service zone."""

    id: str
    name: str
    department: str
    zone: str


class StaffPublic(ReadOff):
    """A member of staff and their post (A main, B backup) at a window."""

    id: str
    name: str
    department: str
    window: str | None
    post: str | None


class DepartmentList(BaseModel):
    """The active departments."""

    items: list[DepartmentPublic]


class WindowList(BaseModel):
    """The active windows."""

    items: list[WindowPublic]


class StaffList(BaseModel):
    """The active staff."""

    items: list[StaffPublic]
