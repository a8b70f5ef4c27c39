"""Which deductions of a department's month its scores page offers to appeal (申诉)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from application.scores import DepartmentReport
from application.supervision import Supervision
from domain.actor import Actor


def appealable_deductions(
    app: Supervision, report: DepartmentReport, by: Actor
) -> dict[UUID, datetime]:
    """The deductions in force, not yet appealed, that `by` may still appeal, each with the
    moment its appeal window closes: the very check the appeal command makes."""
    found: dict[UUID, datetime] = {}
    for line in report.deductions:
        if line.revoked or line.appeal_status is not None:
            continue
        until = app.appealable_until(line.id, by)
        if until is not None:
            found[line.id] = until
    return found
