"""The closed choices both edges offer, the command line's options and the API's fields.

Plain enums, free of pydantic and of the application, so that `oversight --help` can show
them without loading the service.
"""

from __future__ import annotations

from enum import StrEnum


class TaskKind(StrEnum):
    """What the deadline is for: a case kind, or a rectification order."""

    COMPLAINT = "complaint"
    REPORT = "report"
    REQUEST = "request"
    CONSULTATION = "consultation"
    SUGGESTION = "suggestion"
    PRAISE = "praise"
    RECTIFICATION_ORDER = "rectification_order"


class ReportFormat(StrEnum):
    """How the monthly report is delivered."""

    JSON = "json"
    CSV = "csv"
    XLSX = "xlsx"
