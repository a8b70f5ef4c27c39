"""Routes on the directory: departments, windows and staff."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from interfaces.http.deps import SignedInDep, SupervisionDep
from interfaces.http.responses import SIGNED_IN, VALIDATED
from interfaces.http.schemas.cases import DIRECTORY_ID
from interfaces.http.schemas.directory import (
    DepartmentList,
    DepartmentPublic,
    StaffList,
    StaffPublic,
    WindowList,
    WindowPublic,
)

router = APIRouter(tags=["directory"], responses=SIGNED_IN)


@router.get("/departments")
def list_departments(app: SupervisionDep, _: SignedInDep) -> DepartmentList:
    """The centre's departments."""
    return DepartmentList(items=[DepartmentPublic.of(d) for d in app.list_departments()])


@router.get("/windows", responses=VALIDATED)
def list_windows(
    app: SupervisionDep,
    _: SignedInDep,
    department: Annotated[str | None, Query(pattern=DIRECTORY_ID)] = None,
) -> WindowList:
    """The service windows, optionally of one department."""
    windows = app.list_windows()
    if department:
        windows = tuple(w for w in windows if w.department == department)
    return WindowList(items=[WindowPublic.of(w) for w in windows])


@router.get("/staff", responses=VALIDATED)
def list_staff(
    app: SupervisionDep,
    _: SignedInDep,
    department: Annotated[str | None, Query(pattern=DIRECTORY_ID)] = None,
) -> StaffList:
    """The window staff and their A/B posts, optionally of one department."""
    staff = app.list_staff()
    if department:
        staff = tuple(s for s in staff if s.department == department)
    return StaffList(items=[StaffPublic.of(s) for s in staff])
