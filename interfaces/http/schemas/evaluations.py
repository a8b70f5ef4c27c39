"""The shapes of evaluations (好差评) at the HTTP edge."""

from __future__ import annotations

from uuid import UUID

from pydantic import Field

from domain.evaluation import HIGHEST_RATING, LOWEST_RATING, MAX_COMMENT
from domain.item import CODE_PATTERN
from domain.labels import described
from interfaces.http.schemas.answers import ReadOff
from interfaces.http.schemas.cases import DIRECTORY_ID, Integer, Strict
from interfaces.http.schemas.office_time import OfficeTime


class EvaluationCreate(Strict):
    """A citizen's evaluation of one encounter at a window."""

    window: str = Field(pattern=DIRECTORY_ID, description="the window, e.g. W-A01")
    staff: str | None = Field(
        default=None, pattern=DIRECTORY_ID, description="who served, if the citizen knows"
    )
    rating: Integer = Field(ge=LOWEST_RATING, le=HIGHEST_RATING, description=described("rating"))
    comment: str | None = Field(default=None, max_length=MAX_COMMENT)
    service_item: str | None = Field(default=None, max_length=200, description="办理事项")
    item: str | None = Field(
        default=None,
        pattern=CODE_PATTERN,
        description="the service item's code in the item catalogue (事项清单, GET /items); "
        "an item not in service is refused with `unknown_item`",
    )


class EvaluationPublic(ReadOff):
    """A recorded evaluation; `opens_case` says whether it goes to the centre as a complaint."""

    id: UUID
    window: str
    department: str
    staff: str | None
    rating: int
    rating_label: str
    service_item: str | None
    item: str | None = Field(default=None, description="the catalogue's item code (事项)")
    rated_at: OfficeTime
    opens_case: bool = Field(
        description="a rating of 1 or 2 (差评) goes to a complaint: it opens one, or is added "
        "to the one an earlier bad rating of the window from the same client opened that "
        "day; the answer is the same either way, so it tells nothing of other raters"
    )
    position: int | None
