"""One way to write a moment in every answer: ISO 8601 with the centre's offset, +08:00.

The centre works, counts its deadlines and cuts its days and months in Asia/Shanghai time,
and the people who read the answers do too: a deadline reads `…T17:30:00+08:00`, office
closing, whatever offset a caller sent or the server's clock reads. Callers may still send
any offset; only answers are written this way.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from pydantic import PlainSerializer, SerializerFunctionWrapHandler, WrapSerializer

from domain.calendar import OFFICE_TZ

# A moment written as text, where a recorded value's type is not declared (notes, changes).
_WRITTEN_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})")


def in_office_time(moment: datetime) -> datetime:
    return moment.astimezone(OFFICE_TZ)


def _moments_in_office_time(value: Any) -> Any:
    if isinstance(value, datetime):
        return in_office_time(value)
    if isinstance(value, str) and _WRITTEN_MOMENT.fullmatch(value):
        return in_office_time(datetime.fromisoformat(value)).isoformat()
    if isinstance(value, dict):
        return {key: _moments_in_office_time(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [_moments_in_office_time(inner) for inner in value]
    return value


def _recorded_in_office_time(
    value: dict[str, Any], serialize: SerializerFunctionWrapHandler
) -> dict[str, Any]:
    return _moments_in_office_time(serialize(value))  # type: ignore[no-any-return]


# Every moment of an answer: its own type, or the one of recorded values kept as plain data,
# whose moments are read side JSON text (a text holding nothing but a moment is one).
OfficeTime = Annotated[datetime, PlainSerializer(in_office_time, return_type=datetime)]
Recorded = Annotated[
    dict[str, Any], WrapSerializer(_recorded_in_office_time, return_type=dict[str, Any])
]
