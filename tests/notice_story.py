"""Cases flagged for a public notice (通报, §5.1), for the notice tests of every tier: a
consultation past its deadline, supervised, and still open 5 working days later; and notices
published, drafted or withdrawn."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol
from uuid import UUID, uuid4

from application.notices import NoticeView
from application.supervision import Supervision
from domain.actor import Actor
from domain.calendar import OFFICE_TZ
from domain.case import Kind
from domain.notice import Notice, NoticeKind, NoticeSubjectType
from tests.factories import INSPECTOR, SAMPLE_WINDOW, acknowledged_case, published_notice

# A complainant's identity typed into the text of a case: no notice may ever show it.
COMPLAINANT_NAME = "赵秀英"
COMPLAINANT_PHONE = "13912345678"
IDENTITY_IN_TEXT = {
    "summary": f"来电人{COMPLAINANT_NAME}反映窗口推诿，电话{COMPLAINANT_PHONE}",
    "details": f"{COMPLAINANT_NAME}（{COMPLAINANT_PHONE}）称其住在幸福小区3栋",
    "complainant": {"name": COMPLAINANT_NAME, "phone": COMPLAINANT_PHONE},
    "category": "推诿扯皮",
}
# Registered on Friday 27 November 2026 (the tests' start): a consultation is due on
# Tuesday 1 December; supervised on the 2nd, it is flagged 5 working days later.
SUPERVISED_AT = datetime(2026, 12, 2, 10, 0, tzinfo=OFFICE_TZ)
AFTER_THE_FLAG = datetime(2026, 12, 14, 10, 0, tzinfo=OFFICE_TZ)


class Settable(Protocol):
    def set(self, moment: datetime) -> None: ...


def supervised_case(app: Supervision, time_source: Settable) -> UUID:
    """A consultation, its complainant's identity in its text, past its deadline and
    supervised (the clock then stands at SUPERVISED_AT)."""
    case_id = acknowledged_case(app, kind=Kind.CONSULTATION, **IDENTITY_IN_TEXT)
    time_source.set(SUPERVISED_AT)
    app.observe_task_clock(case_id)
    app.supervise_case(case_id, note="已超期，请加快办理", by=INSPECTOR)
    return case_id


def flagged_case(app: Supervision, time_source: Settable) -> UUID:
    """A supervised case whose clock has recorded the public-notice flag (列入通报)."""
    case_id = supervised_case(app, time_source)
    time_source.set(AFTER_THE_FLAG)
    app.observe_task_clock(case_id)
    return case_id


def a_notice_draft(app: Supervision) -> UUID:
    """The id of a draft notice about the sample window, as the clock's flag would leave one."""
    subject = app.notice_subject(NoticeSubjectType.WINDOW, SAMPLE_WINDOW)
    draft = Notice.draft(
        notice_id=uuid4(),
        title="关于窗口超期未办结的通报",
        text="该窗口承办事项督办后仍超期，拟予通报批评。",
        kind=NoticeKind.CRITICISM,
        subject=subject,
        by=Actor.system(),
        at=app.time_source.now(),
    )
    app.save(draft)
    return draft.id


def a_kept_and_a_withdrawn_notice(
    app: Supervision, **criticism: Any
) -> tuple[NoticeView, NoticeView]:
    """The factory's commendation, kept, then a criticism (通报批评) withdrawn because its
    subject was wrong (对象认定有误); any field given replaces the criticism's."""
    kept = published_notice(app)
    gone = published_notice(app, title="通报批评", kind=NoticeKind.CRITICISM, **criticism)
    app.withdraw_notice(gone.id, reason="对象认定有误", by=INSPECTOR)
    return kept, gone
