"""The API's request bodies run as the application verbs they stand for, so the JSON
routes and the console's forms that read the same schema pass on the same fields."""

from __future__ import annotations

from uuid import UUID

from application.assessments import AssessmentSummary
from application.notices import NoticeView
from application.post_cover import AbsenceView
from application.rectification import OrderView
from application.supervision import Supervision
from application.surveys import SurveyBatchView
from application.views import CaseView, RegisteredCase
from application.visits import FindingAnswer, VisitView
from domain.actor import Actor
from domain.case import Intake
from domain.rectification import OrderRequest, OrderSourceType
from domain.survey import SurveyResults
from interfaces.http.schemas.assessments import AssessmentCreate
from interfaces.http.schemas.cases import CallbackCreate, CaseAssign, CaseCreate
from interfaces.http.schemas.notices import NoticeCreate
from interfaces.http.schemas.orders import OrderCreate
from interfaces.http.schemas.post_cover import AbsenceCreate
from interfaces.http.schemas.surveys import SurveyBatchCreate
from interfaces.http.schemas.visits import (
    DeductionFinding,
    FindingCreate,
    OrderFinding,
    VisitCreate,
)


def register_case(app: Supervision, body: CaseCreate, by: Actor) -> RegisteredCase:
    """Register the case the body describes (登记)."""
    fields = body.model_dump()
    if not fields["complainant"]["notify"]:  # recorded only when the citizen agreed to SMS
        del fields["complainant"]["notify"]
    return app.register_case(Intake(**fields), by=by)


def assign_case(app: Supervision, case_id: UUID, body: CaseAssign, by: Actor) -> CaseView:
    """Hand the case to the body's department (派单)."""
    return app.assign_case(case_id, **body.model_dump(), by=by)


def record_callback(app: Supervision, case_id: UUID, body: CallbackCreate, by: Actor) -> CaseView:
    """Record the callback the body tells of (回访)."""
    return app.record_callback(case_id, **body.model_dump(), by=by)


def issue_order(app: Supervision, body: OrderCreate, by: Actor) -> OrderView:
    """Issue the rectification order the body describes (下发整改通知)."""
    return app.issue_order(
        OrderRequest(
            **body.model_dump(exclude={"source"}),
            source_type=body.source.type,
            source_ref=body.source.ref,
        ),
        by,
    )


def publish_notice(app: Supervision, body: NoticeCreate, by: Actor) -> NoticeView:
    """Publish the notice the body describes (发布通报)."""
    return app.publish_notice(
        title=body.title,
        text=body.text,
        kind=body.kind,
        subject_type=body.subject.type,
        subject_id=body.subject.id,
        by=by,
    )


def record_assessment(app: Supervision, body: AssessmentCreate, by: Actor) -> AssessmentSummary:
    """Record the marked test session the body describes (录入千人千题成绩)."""
    return app.record_assessment(
        title=body.title,
        held_on=body.date,
        pass_mark=body.pass_mark,
        results=[(result.staff, result.score) for result in body.results],
        by=by,
    )


def record_absence(app: Supervision, body: AbsenceCreate, by: Actor) -> AbsenceView:
    """Record the absence of a post holder the body describes (请假)."""
    return app.record_absence(
        staff=body.staff,
        start=body.from_,
        end=body.to,
        reason=body.reason,
        covered_by=body.covered_by,
        by=by,
    )


def record_survey_batch(app: Supervision, body: SurveyBatchCreate, by: Actor) -> SurveyBatchView:
    """Record the batch of satisfaction forms the body describes (录入调查结果)."""
    results = SurveyResults(**body.model_dump(exclude={"counts"}), counts=body.counts.levels())
    return app.record_survey_batch(results, by)


def record_visit(app: Supervision, body: VisitCreate, by: Actor) -> VisitView:
    """Record the inspection visit the body describes (登记暗访巡查)."""
    return app.record_visit(
        day=body.date, method=body.method, windows=body.windows, summary=body.summary, by=by
    )


def record_finding(
    app: Supervision, visit_id: UUID, body: FindingCreate, by: Actor
) -> FindingAnswer:
    """Make a visit's finding into the record its `type` names, by that record's own verb."""
    if isinstance(body, DeductionFinding):
        return app.record_deduction_finding(visit_id, body.request(), by)
    if isinstance(body, OrderFinding):
        request = OrderRequest(
            **body.model_dump(exclude={"source", "type"}), source_type=OrderSourceType.VISIT
        )
        return app.issue_order_finding(visit_id, request, by)
    return app.register_case_finding(visit_id, Intake(**body.model_dump(exclude={"type"})), by)
