"""A visit as lists and the monthly report show it (暗访巡查, §16), apart from the visit
routes' schemas so that the report's schema may name it without importing them."""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field

from application.visits import VisitSummary, VisitView
from domain.labels import described
from domain.visit import VisitMethod
from interfaces.http.schemas.answers import labelled
from interfaces.http.schemas.office_time import OfficeTime


class VisitLabels(BaseModel):
    """The Chinese label of a visit's method beside the code."""

    method: VisitMethod = Field(description=f"检查方式: {described('visit_method')}")

    method_label = labelled("visit_method", "method")


class VisitItemPublic(VisitLabels):
    """A visit as the list shows it, its findings counted by type."""

    id: UUID
    date: dt.date
    windows: list[str]
    summary: str
    recorded_at: OfficeTime
    recorded_by: str | None
    findings: dict[str, int] = Field(description="the findings counted by type")
    position: int | None = Field(
        description="a list's item: its place in the list; a command's answer: the global "
        "position of its last event"
    )

    @classmethod
    def of(cls, item: VisitSummary) -> VisitItemPublic:
        return cls(**visit_fields(item), findings=item.findings)


def visit_fields(visit: VisitSummary | VisitView) -> dict[str, Any]:
    """The fields a visit's line in a list and its own page read alike off either record."""
    return {
        "id": visit.id,
        "date": visit.day,
        "method": VisitMethod(visit.method),
        "windows": visit.windows,
        "summary": visit.summary,
        "recorded_at": visit.recorded_at,
        "recorded_by": visit.recorded_by,
        "position": visit.position,
    }
