"""The shapes of inspection visit (暗访巡查, §16) requests and answers at the HTTP edge.

A finding's body is the body of its record's own create route (`DeductionCreate`,
`OrderCreate`, `CaseCreate`), with `type` beside it and without `source`: the visit is the
source, filled in by the service.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, Discriminator, Field, Tag

from application.visits import Finding, FindingAnswer, VisitView
from domain.labels import described
from domain.scorecard import DeductionRequest, SourceType
from domain.text import first_unstorable
from domain.visit import MAX_SUMMARY, MAX_WINDOWS, FindingType, VisitMethod
from interfaces.http.schemas.answers import labelled
from interfaces.http.schemas.attachments import ATTACHMENTS_DESCRIPTION, AttachmentPublic
from interfaces.http.schemas.cases import DIRECTORY_ID, CaseCreate, CasePublic, Day, Strict
from interfaces.http.schemas.discipline import DeductionCreate, DeductionPublic
from interfaces.http.schemas.lists import ListPage, ListQuery
from interfaces.http.schemas.orders import OrderCreate, OrderPublic
from interfaces.http.schemas.visit_items import VisitItemPublic, visit_fields

WindowId = Annotated[str, Field(pattern=DIRECTORY_ID)]
NO_SOURCE = "not given: the visit is the finding's source"


class VisitCreate(Strict):
    """A visit to record (登记暗访巡查): its day, method, the windows visited, a summary."""

    date: Day = Field(description="the day of the visit, YYYY-MM-DD; today or in the past year")
    method: VisitMethod = Field(description=f"检查方式: {described('visit_method')}")
    windows: list[WindowId] = Field(
        max_length=MAX_WINDOWS, description="the windows visited (ids); at least one, each once"
    )
    summary: str = Field(min_length=1, max_length=MAX_SUMMARY, description="检查情况")


class DeductionFinding(DeductionCreate):
    """A finding that costs points: the body of POST /deductions, `type` deduction."""

    type: Literal["deduction"]
    source: None = Field(default=None, description=NO_SOURCE)  # type: ignore[assignment]

    def request(self) -> DeductionRequest:
        """The deduction asked for; its source is filled in as the visit by the verb."""
        return DeductionRequest(
            **self.model_dump(exclude={"source", "type"}),
            source_type=SourceType.VISIT,
            source_ref=None,
        )


class OrderFinding(OrderCreate):
    """A finding to rectify: the body of POST /rectification-orders, `type` order."""

    type: Literal["order"]
    source: None = Field(default=None, description=NO_SOURCE)  # type: ignore[assignment]


class CaseFinding(CaseCreate):
    """A finding to handle as a case: the body of POST /cases, `type` case."""

    type: Literal["case"]


def _finding_type(body: Any) -> str | None:
    """The `type` a finding's body names (the union's choice), before any field is read."""
    value = body.get("type") if isinstance(body, dict) else getattr(body, "type", None)
    if isinstance(value, str) and first_unstorable(value) is not None:
        # Text the record cannot hold is refused as `invalid_character`, as in every body:
        # one kind's checks name the field.
        return FindingType.DEDUCTION.value
    return value if isinstance(value, str) else None


FindingCreate = Annotated[
    Annotated[DeductionFinding, Tag("deduction")]
    | Annotated[OrderFinding, Tag("order")]
    | Annotated[CaseFinding, Tag("case")],
    Discriminator(
        _finding_type,
        custom_error_type="invalid_finding_type",
        custom_error_message="type must be deduction, order or case",
    ),
]


def finding_href(finding: Finding) -> str | None:
    """Where the record a finding became is read: an order's or a case's own route (a
    deduction is read in GET /deductions)."""
    if finding.type == FindingType.ORDER:
        return f"/rectification-orders/{finding.record_id}"
    if finding.type == FindingType.CASE:
        return f"/cases/{finding.record_id}"
    return None


class FindingPublic(BaseModel):
    """What one finding became: the record's type and id, and where to read it."""

    type: FindingType = Field(description=f"处理方式: {described('finding_type')}")
    id: UUID = Field(description="the deduction's, rectification order's or case's id")
    href: str | None = Field(description="the record's route; null for a deduction")

    type_label = labelled("finding_type", "type")

    @classmethod
    def of(cls, finding: Finding) -> FindingPublic:
        return cls(type=FindingType(finding.type), id=finding.record_id, href=finding_href(finding))


class VisitPublic(VisitItemPublic):
    """A visit and the records its findings became, in the order they were made."""

    outcomes: list[FindingPublic]
    version: int
    attachments: list[AttachmentPublic] = Field(
        default_factory=list, description=ATTACHMENTS_DESCRIPTION
    )

    @classmethod
    def of(cls, view: VisitView) -> VisitPublic:  # type: ignore[override]
        counts = {kind.value: 0 for kind in FindingType}
        for finding in view.outcomes:
            counts[finding.type] += 1
        return cls(
            **visit_fields(view),
            findings=counts,
            outcomes=[FindingPublic.of(f) for f in view.outcomes],
            version=view.version,
            attachments=[AttachmentPublic.of(a) for a in view.attachments],
        )


class FindingRecordedPublic(BaseModel):
    """A finding recorded: what it became, the record as its own route answers it, and the
    visit as it now stands."""

    finding: FindingPublic
    record: DeductionPublic | OrderPublic | CasePublic
    visit: VisitPublic

    @classmethod
    def of(cls, answer: FindingAnswer) -> FindingRecordedPublic:
        record: Any
        if answer.finding.type == FindingType.DEDUCTION:
            record = DeductionPublic.of(answer.record)
        elif answer.finding.type == FindingType.ORDER:
            record = OrderPublic.of(answer.record)
        else:
            record = CasePublic.of(answer.record.case)
        return cls(
            finding=FindingPublic.of(answer.finding),
            record=record,
            visit=VisitPublic.of(answer.visit),
        )


class VisitListQuery(ListQuery):
    """A page of the visit list; unknown parameters are refused."""


class VisitList(ListPage[VisitItemPublic]):
    """A page of visits, newest first; `next` is the cursor of the following page."""
