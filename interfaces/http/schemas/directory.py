"""The shapes of the directory at the HTTP edge."""

from __future__ import annotations

from pydantic import BaseModel

from domain.directory import Department, StaffMember, Window


class DepartmentPublic(BaseModel):
    """A department with windows in the hall."""

    id: str
    name: str
    name_en: str

    @classmethod
    def of(cls, department: Department) -> DepartmentPublic:
        return cls(id=department.id, name=department.name, name_en=department.name_en)


class WindowPublic(BaseModel):
    """A service window, its department and its service zone."""

    id: str
    name: str
    department: str
    zone: str

    @classmethod
    def of(cls, window: Window) -> WindowPublic:
        return cls(id=window.id, name=window.name, department=window.department, zone=window.zone)


class StaffPublic(BaseModel):
    """A member of staff and their post (A main, B backup) at a window."""

    id: str
    name: str
    department: str
    window: str | None
    post: str | None

    @classmethod
    def of(cls, staff: StaffMember) -> StaffPublic:
        return cls(
            id=staff.id,
            name=staff.name,
            department=staff.department,
            window=staff.window,
            post=staff.post,
        )


class DepartmentList(BaseModel):
    """The active departments."""

    items: list[DepartmentPublic]


class WindowList(BaseModel):
    """The active windows."""

    items: list[WindowPublic]


class StaffList(BaseModel):
    """The active staff."""

    items: list[StaffPublic]
