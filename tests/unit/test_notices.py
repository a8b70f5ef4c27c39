"""Notices (通报, §15): an inspector publishes, edits a draft, withdraws; the clock's 5-day
flag drafts one, once; a notice never carries a case's text or the people in it."""

from __future__ import annotations

import dataclasses
from uuid import uuid4

import pytest

from application.notices import NoticeDraftPolicy, notice_draft_policies
from application.projections.notice_list import NoticeListProjection
from application.supervision import Supervision
from domain.case import Case
from domain.notice import (
    Notice,
    NoticeContentRequired,
    NoticeKind,
    NoticeNotDraft,
    NoticeNotFound,
    NoticeNotPublished,
    NoticeStatus,
    NoticeSubject,
    NoticeSubjectNotFound,
    NoticeSubjectType,
    flag_notice_id,
)
from domain.task import ReasonRequired
from tests.factories import (
    SAMPLE_DEPARTMENT,
    SAMPLE_WINDOW,
    issued_order,
    published_notice,
    registered_case,
)
from tests.notice_story import (
    COMPLAINANT_NAME,
    COMPLAINANT_PHONE,
    flagged_case,
    supervised_case,
)
from tests.support import START, SettableTimeSource
from tests.unit.actors import INSPECTOR
from tests.unit.projection_fold import folded

SUBJECT = NoticeSubject(
    NoticeSubjectType.WINDOW, SAMPLE_WINDOW, "不动产登记窗口", SAMPLE_DEPARTMENT
)


def a_draft(**fields: object) -> Notice:
    arguments: dict[str, object] = {
        "notice_id": uuid4(),
        "title": "关于窗口服务的通报",
        "text": "该窗口服务态度生硬，予以通报批评。",
        "kind": NoticeKind.CRITICISM,
        "subject": SUBJECT,
        "by": INSPECTOR,
        "at": START,
        **fields,
    }
    return Notice.draft(**arguments)  # type: ignore[arg-type]


def published(**fields: object) -> Notice:
    notice = a_draft(**fields)
    notice.publish(by=INSPECTOR, at=START)
    return notice


# The aggregate ---------------------------------------------------------------------------


def test_a_draft_is_not_public_until_it_is_published() -> None:
    notice = a_draft()
    assert (notice.status, notice.is_public) == (NoticeStatus.DRAFT, False)

    notice.publish(by=INSPECTOR, at=START)

    assert (notice.status, notice.is_public, notice.published_at) == (
        NoticeStatus.PUBLISHED,
        True,
        START,
    )


@pytest.mark.parametrize(
    ("title", "text"), [("", "正文"), ("标题", "   "), ("标" * 101, "正文"), ("标题", "文" * 5_001)]
)
def test_a_notice_needs_a_title_and_a_text_within_their_lengths(title: str, text: str) -> None:
    with pytest.raises(NoticeContentRequired):
        a_draft(title=title, text=text)


def test_a_draft_is_edited_before_publication_but_not_after() -> None:
    notice = a_draft()
    notice.edit(title="新标题", text="新正文", kind=NoticeKind.COMMENDATION, by=INSPECTOR, at=START)
    assert (notice.title, notice.text, notice.kind) == ("新标题", "新正文", NoticeKind.COMMENDATION)

    notice.publish(by=INSPECTOR, at=START)

    with pytest.raises(NoticeNotDraft):
        notice.edit(title="再改", text="再改", kind=NoticeKind.CRITICISM, by=INSPECTOR, at=START)
    with pytest.raises(NoticeNotDraft):
        notice.publish(by=INSPECTOR, at=START)


def test_a_withdrawn_notice_keeps_its_words_and_says_why_it_was_withdrawn() -> None:
    notice = published()

    notice.withdraw(reason="对象认定有误", by=INSPECTOR, at=START)

    assert (notice.status, notice.withdraw_reason, notice.title) == (
        NoticeStatus.WITHDRAWN,
        "对象认定有误",
        "关于窗口服务的通报",
    )
    assert notice.is_public


def test_only_a_published_notice_is_withdrawn_and_only_with_a_reason() -> None:
    with pytest.raises(NoticeNotPublished):
        a_draft().withdraw(reason="草稿", by=INSPECTOR, at=START)
    with pytest.raises(ReasonRequired):
        published().withdraw(reason="  ", by=INSPECTOR, at=START)
    twice = published()
    twice.withdraw(reason="有误", by=INSPECTOR, at=START)
    with pytest.raises(NoticeNotPublished):
        twice.withdraw(reason="有误", by=INSPECTOR, at=START)


# The application -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("subject_type", "subject_id", "name"),
    [
        (NoticeSubjectType.DEPARTMENT, SAMPLE_DEPARTMENT, None),
        (NoticeSubjectType.WINDOW, SAMPLE_WINDOW, None),
        (NoticeSubjectType.STAFF, "S0001", None),
    ],
)
def test_an_inspector_publishes_a_notice_about_a_directory_entry_under_its_name(
    supervision: Supervision, subject_type: NoticeSubjectType, subject_id: str, name: None
) -> None:
    notice = published_notice(supervision, subject_type=subject_type, subject_id=subject_id)

    assert notice.status == "published"
    assert notice.subject.id == subject_id
    assert notice.subject.name
    assert notice.subject.name != subject_id
    assert notice.subject.department == SAMPLE_DEPARTMENT
    assert supervision.get_notice(notice.id) == dataclasses.replace(notice, position=None)


@pytest.mark.parametrize(
    ("subject_type", "subject_id"),
    [
        (NoticeSubjectType.DEPARTMENT, "no-such-department"),
        (NoticeSubjectType.WINDOW, "W-Z99"),
        (NoticeSubjectType.STAFF, "S9999"),
        (NoticeSubjectType.CASE, str(uuid4())),
        (NoticeSubjectType.ORDER, "not-a-uuid"),
    ],
)
def test_a_notice_about_a_subject_that_does_not_exist_is_refused(
    supervision: Supervision, subject_type: NoticeSubjectType, subject_id: str
) -> None:
    with pytest.raises(NoticeSubjectNotFound):
        published_notice(supervision, subject_type=subject_type, subject_id=subject_id)


def test_a_case_of_one_kind_is_not_taken_for_an_order(
    supervision: Supervision, time_source: SettableTimeSource
) -> None:
    case_id = supervised_case(supervision, time_source)
    with pytest.raises(NoticeSubjectNotFound):
        supervision.notice_subject(NoticeSubjectType.ORDER, str(case_id))


def test_a_notice_about_a_case_names_its_number_and_category_never_its_text_or_people(
    supervision: Supervision, time_source: SettableTimeSource
) -> None:
    case_id = supervised_case(supervision, time_source)
    case = supervision.get_case(case_id, INSPECTOR)

    notice = published_notice(
        supervision,
        title="关于推诿扯皮的通报",
        kind=NoticeKind.CRITICISM,
        subject_type=NoticeSubjectType.CASE,
        subject_id=str(case_id),
    )

    assert (notice.subject.name, notice.subject.category) == (case.tracking_number, "推诿扯皮")
    shown = repr(notice)
    assert COMPLAINANT_NAME not in shown
    assert COMPLAINANT_PHONE not in shown


def test_a_category_typed_outside_the_catalogue_is_not_shown(supervision: Supervision) -> None:
    case_id = registered_case(supervision, category=f"{COMPLAINANT_NAME}的事")

    subject = supervision.notice_subject(NoticeSubjectType.CASE, str(case_id))

    assert subject.category is None


def test_a_notice_about_an_order_names_its_tracking_number(supervision: Supervision) -> None:
    order_id = issued_order(supervision)
    order = supervision.get_order(order_id, INSPECTOR)

    subject = supervision.notice_subject(NoticeSubjectType.ORDER, str(order_id))

    assert (subject.name, subject.department) == (order.tracking_number, order.department)


def test_the_public_does_not_find_a_draft_but_an_inspector_does(supervision: Supervision) -> None:
    draft = a_draft()
    supervision.save(draft)

    with pytest.raises(NoticeNotFound):
        supervision.get_notice(draft.id)
    assert supervision.get_notice(draft.id, INSPECTOR).status == "draft"
    with pytest.raises(NoticeNotFound):
        supervision.get_notice(uuid4())


def test_an_inspector_edits_publishes_and_withdraws_a_draft(supervision: Supervision) -> None:
    draft = a_draft()
    supervision.save(draft)

    supervision.edit_notice(
        draft.id, title="改后标题", text="改后正文", kind=NoticeKind.CRITICISM, by=INSPECTOR
    )
    supervision.publish_draft(draft.id, INSPECTOR)
    withdrawn = supervision.withdraw_notice(draft.id, reason="已整改到位", by=INSPECTOR)

    assert (withdrawn.title, withdrawn.status, withdrawn.withdraw_reason) == (
        "改后标题",
        "withdrawn",
        "已整改到位",
    )


# The 5-day flag drafts a notice, once ----------------------------------------------------


def flag_of(supervision: Supervision, case_id: object) -> Case.PublicNoticeFlagged:
    (flag,) = [
        e
        for e in supervision.repository.event_store.get(case_id)  # type: ignore[arg-type]
        if isinstance(e, Case.PublicNoticeFlagged)
    ]
    return flag


def test_the_public_notice_flag_drafts_a_criticism_of_the_case_once(
    supervision: Supervision, time_source: SettableTimeSource
) -> None:
    case_id = flagged_case(supervision, time_source)
    flag = flag_of(supervision, case_id)
    (policy, _) = notice_draft_policies(supervision)

    first, again = policy.handle(flag), policy.handle(flag)

    assert (first, again) == (1, 0)
    draft = supervision.get_notice(flag_notice_id(case_id, flag.notice_at), INSPECTOR)
    assert (draft.status, draft.kind, draft.subject.type) == ("draft", "criticism", "case")
    assert draft.subject.name in draft.title
    assert "督办" in draft.text
    assert COMPLAINANT_NAME not in repr(draft)
    assert COMPLAINANT_PHONE not in repr(draft)


def test_the_policies_read_the_flags_of_cases_and_of_orders_and_nothing_else(
    supervision: Supervision, time_source: SettableTimeSource
) -> None:
    cases, orders = notice_draft_policies(supervision)
    assert (cases.topic_prefix, orders.topic_prefix) == (
        "oversight:Case.",
        "oversight:RectificationOrder.",
    )
    assert cases.name != orders.name
    case_id = supervised_case(supervision, time_source)
    events = supervision.repository.event_store.get(case_id)
    assert sum(NoticeDraftPolicy.handle(cases, e) for e in events) == 0


# The read table --------------------------------------------------------------------------


def test_the_notice_list_row_follows_the_notice_and_a_withdrawal_keeps_its_place() -> None:
    notice = published()
    notice.withdraw(reason="有误", by=INSPECTOR, at=START)

    row = folded(NoticeListProjection(), notice.collect_events(), first=10)

    assert (row["status"], row["listed_position"], row["position"]) == ("withdrawn", 11, 12)
    assert (row["published_month"], row["withdraw_reason"]) == ("2026-11", "有误")
    assert row["subject_name"] == "不动产登记窗口"
