"""Routes on the directory: departments, windows and staff."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from interfaces.http.deps import SignedInDep, SupervisionDep
from interfaces.http.responses import ONE_RECORD, SIGNED_IN, VALIDATED
from interfaces.http.schemas.cases import DIRECTORY_ID
from interfaces.http.schemas.directory import (
    DepartmentList,
    DepartmentPublic,
    StaffList,
    StaffPublic,
    WindowList,
    WindowPublic,
)
from interfaces.http.schemas.text import QueryText

router = APIRouter(tags=["directory"], responses=SIGNED_IN)


@router.get("/departments")
def list_departments(app: SupervisionDep, _: SignedInDep) -> DepartmentList:
    """The centre's departments."""
    return DepartmentList(items=[DepartmentPublic.of(d) for d in app.list_departments()])


@router.get("/departments/{department_id}", responses=ONE_RECORD)
def get_department(
    department_id: Annotated[str, Path(pattern=DIRECTORY_ID)], app: SupervisionDep, _: SignedInDep
) -> DepartmentPublic:
    """One department, retired or not, with where its notifications go (`email`, `webhook`)."""
    return DepartmentPublic.of(app.get_department(department_id))


# A picker's search: part of a number or a name (窗口号、工号、姓名).
Search = Annotated[
    QueryText | None,
    Query(min_length=1, max_length=50, description="part of the number or the name, any case"),
]


@router.get("/windows", responses=VALIDATED)
def list_windows(
    app: SupervisionDep,
    _: SignedInDep,
    department: Annotated[str | None, Query(pattern=DIRECTORY_ID)] = None,
    q: Search = None,
) -> WindowList:
    """The service windows, optionally of one department, or found by number or name."""
    windows = app.list_windows(department=department or None, matching=q)
    return WindowList(items=[WindowPublic.of(w) for w in windows])


@router.get("/staff", responses=VALIDATED)
def list_staff(
    app: SupervisionDep,
    _: SignedInDep,
    department: Annotated[str | None, Query(pattern=DIRECTORY_ID)] = None,
    q: Search = None,
) -> StaffList:
    """The window staff and their A/B posts, optionally of one department, or found by
    number or name."""
    staff = app.list_staff(department=department or None, matching=q)
    return StaffList(items=[StaffPublic.of(s) for s in staff])
