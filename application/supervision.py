"""The Oversight application: every user verb over one event store."""

from __future__ import annotations

from application.access import AccessVerbs
from application.accounts import AccountRecords
from application.answer_templates import AnswerTemplateVerbs
from application.appeals import AppealVerbs
from application.assessments import AssessmentVerbs
from application.attachments import AttachmentVerbs
from application.audit import AuditVerbs
from application.base import EVENT_STORE_NAME
from application.clock import ClockVerbs
from application.discipline import DisciplineVerbs
from application.escalation import EscalationVerbs
from application.evaluations import EvaluationVerbs
from application.items import ItemVerbs
from application.notices import NoticeVerbs
from application.past import PastCaseVerbs
from application.post_cover import PostCoverVerbs
from application.privacy import PrivacyVerbs
from application.proposals import ProposalVerbs
from application.rectification import RectificationVerbs
from application.surveys import SurveyVerbs
from application.visits import VisitVerbs


class Supervision(
    AttachmentVerbs,  # evidence files (附件, §17): first, it builds on the visit verbs
    VisitVerbs,  # first too: it builds on the deduction, order and case verbs
    EscalationVerbs,  # first: it builds on the case and order verbs below
    PastCaseVerbs,  # a case as it stood at an earlier instant (§14)
    ProposalVerbs,
    PostCoverVerbs,  # before DisciplineVerbs, on which it builds
    EvaluationVerbs,
    RectificationVerbs,
    DisciplineVerbs,
    ClockVerbs,
    AccessVerbs,
    AccountRecords,
    PrivacyVerbs,
    AuditVerbs,
    AnswerTemplateVerbs,
    AppealVerbs,
    NoticeVerbs,
    SurveyVerbs,
    AssessmentVerbs,
    ItemVerbs,
):
    """Cases, the directory, access and accounts, recorded in one notification log."""

    name = EVENT_STORE_NAME
