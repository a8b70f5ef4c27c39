"""Which events make which notifications to whom, in which words (§17), on the in-memory
store: the pure part of the notification feed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID

import pytest

from application.notifications import (
    MASKED_CODE,
    Channels,
    Contact,
    Draft,
    TemplateProblem,
    check_templates,
    messages_for,
)
from application.supervision import Supervision
from domain.actor import Actor, Role
from domain.calendar import OFFICE_TZ
from domain.case import Intake, NotifyWithoutPhone, Outcome, Satisfaction
from domain.personal_data import ERASED
from infrastructure.conduct_file import default_conduct_rules
from infrastructure.directory_file import DirectoryFileError, parse_directory_file
from infrastructure.notification_feed import notification_templates
from infrastructure.yaml_files import read_packaged_yaml
from tests.factories import (
    SAMPLE_DEPARTMENT,
    a_complaint,
    a_deduction,
    assign,
    escalated_case,
    issued_order,
)
from tests.support import DIRECTORY_ADMIN, SettableTimeSource

ALL_ON = Channels(
    sms=True,
    email=True,
    inspectors_email="inspectors@example.gov.cn",
    inspectors_webhook="https://robot.example.com/hook",
    status_url="https://oversight.example.gov.cn/status",
)
AGREES = {"name": "王芳", "phone": "13812345678", "notify": True}
CONTACTS = {
    SAMPLE_DEPARTMENT: Contact(
        name="不动产登记中心",
        email="deeds@example.gov.cn",
        webhook="https://robot.example.com/deeds",
        superior="natural-resources-bureau",
    ),
    "natural-resources-bureau": Contact(name="市自然资源局", email="bureau@example.gov.cn"),
}
TEMPLATES = notification_templates()


def sent(app: Supervision, record_id: UUID, channels: Channels = ALL_ON) -> list[Draft]:
    """Every draft the record's events make, in order, as the feed would make them."""
    drafts: list[Draft] = []
    for event in app.events.get(record_id):
        record = app.repository.get(record_id, version=event.originator_version)
        drafts += drafts_of(event, record, channels)
    return drafts


def drafts_of(
    event: Any,
    record: Any,
    channels: Channels = ALL_ON,
    contact: Callable[[str], Contact | None] = CONTACTS.get,
) -> list[Draft]:
    """The drafts one event of a record makes, as the feed would make them."""
    return messages_for(
        event,
        record,
        topic=type(event).TOPIC,
        templates=TEMPLATES,
        channels=channels,
        contact=contact,
    )


def registered(app: Supervision, operator: Actor, **fields: Any) -> tuple[UUID, str]:
    answer = app.register_case(Intake(**a_complaint(**fields)), by=operator)
    return answer.case.id, answer.access_code


def test_a_citizen_who_agreed_is_told_the_number_and_the_code_by_sms(
    supervision: Supervision, operator: Actor
) -> None:
    case_id, code = registered(supervision, operator, complainant=AGREES)

    (sms,) = sent(supervision, case_id)
    number = supervision.get_case(case_id, operator).tracking_number
    assert sms.channel == "sms"
    assert sms.recipient == "complainant"
    assert sms.phone == "13812345678"
    assert sms.masked_address == "138****5678"
    assert number in sms.text
    assert code in sms.text
    assert "https://oversight.example.gov.cn/status" in sms.text
    assert code not in sms.shown_text
    assert MASKED_CODE in sms.shown_text


def test_a_citizen_who_did_not_agree_or_with_sms_off_gets_nothing(
    supervision: Supervision, operator: Actor
) -> None:
    silent, _ = registered(supervision, operator)
    agreed, _ = registered(supervision, operator, complainant=AGREES)
    assert sent(supervision, silent) == []
    assert sent(supervision, agreed, Channels(email=True)) == []


def test_agreeing_to_sms_needs_a_phone(supervision: Supervision, operator: Actor) -> None:
    with pytest.raises(NotifyWithoutPhone):
        registered(supervision, operator, complainant={"name": "王芳", "notify": True})


def test_the_answer_and_the_callback_are_told_to_a_citizen_who_agreed(
    supervision: Supervision, operator: Actor, department_actor: Actor
) -> None:
    case_id, code = registered(supervision, operator, complainant=AGREES)
    assign(supervision, case_id, operator)
    supervision.acknowledge_case(case_id, department_actor)
    supervision.post_result(
        case_id, outcome=Outcome.SUBSTANTIATED, actions="约谈", answer="已整改", by=department_actor
    )
    supervision.record_callback(
        case_id, reached=True, satisfaction=Satisfaction.SATISFIED, comment=None, by=operator
    )

    to_citizen = [d for d in sent(supervision, case_id) if d.recipient_kind == "citizen"]
    assert [d.template for d in to_citizen] == [
        "citizen_registered",
        "citizen_answered",
        "citizen_callback",
    ]
    assert all(code not in d.text for d in to_citizen[1:])


def test_an_assignment_goes_to_the_department_by_email_and_webhook(
    supervision: Supervision, operator: Actor
) -> None:
    case_id, _ = registered(supervision, operator)
    assign(supervision, case_id, operator)

    drafts = sent(supervision, case_id)
    assert [(d.channel, d.address) for d in drafts] == [
        ("email", "deeds@example.gov.cn"),
        ("webhook", "https://robot.example.com/deeds"),
    ]
    assert all(d.template == "department_case_assigned" for d in drafts)
    assert drafts[1].text.startswith("**新派单**")  # markdown for the group robot
    assert "不动产登记中心" in drafts[0].text


def test_with_email_off_a_department_is_told_by_webhook_only(
    supervision: Supervision, operator: Actor
) -> None:
    case_id, _ = registered(supervision, operator)
    assign(supervision, case_id, operator)
    drafts = sent(supervision, case_id, Channels(sms=True))
    assert [d.channel for d in drafts] == ["webhook"]


def test_supervision_and_a_reminder_by_hand_are_told_to_the_department(
    supervision: Supervision,
    operator: Actor,
    inspector: Actor,
    time_source: SettableTimeSource,
) -> None:
    case_id, _ = registered(supervision, operator)
    assign(supervision, case_id, operator)
    supervision.remind_case(case_id, message="请今天内签收", by=operator)
    time_source.set(datetime(2027, 1, 15, 10, 0, tzinfo=OFFICE_TZ))
    supervision.observe_task_clock(case_id)
    supervision.supervise_case(case_id, note="超期未办，限三日内办结", by=inspector)

    mails = [d for d in sent(supervision, case_id) if d.channel == "email"]
    templates = [d.template for d in mails]
    assert "department_reminder" in templates
    assert "department_deadline_missed" in templates
    assert templates[-1] == "department_supervised"
    assert "限三日内办结" in mails[-1].text
    assert any("请今天内签收" in d.text for d in mails)


def test_an_extension_request_goes_to_the_inspectors(
    supervision: Supervision, operator: Actor, department_actor: Actor
) -> None:
    case_id, _ = registered(supervision, operator)
    assign(supervision, case_id, operator)
    supervision.acknowledge_case(case_id, department_actor)
    supervision.request_extension(
        case_id, working_days=5, reason="需要调取档案", by=department_actor
    )

    to_inspectors = [d for d in sent(supervision, case_id) if d.recipient_kind == "inspectors"]
    assert [(d.channel, d.template) for d in to_inspectors] == [
        ("email", "inspectors_extension_requested"),
        ("webhook", "inspectors_extension_requested"),
    ]
    assert "5个工作日" in to_inspectors[0].text
    assert "需要调取档案" in to_inspectors[0].text


def test_an_sms_at_night_waits_for_eight_unless_the_case_is_urgent(
    supervision: Supervision, operator: Actor, time_source: SettableTimeSource
) -> None:
    night = datetime(2026, 11, 27, 23, 15, tzinfo=OFFICE_TZ)
    time_source.set(night)
    calm, _ = registered(supervision, operator, complainant=AGREES)
    urgent, _ = registered(supervision, operator, complainant=AGREES, urgent=True)

    (waiting,) = sent(supervision, calm)
    (at_once,) = sent(supervision, urgent)
    assert waiting.next_attempt_at == datetime(2026, 11, 28, 8, 0, tzinfo=OFFICE_TZ)
    assert at_once.next_attempt_at == night


def test_an_erased_complainant_is_sent_nothing(supervision: Supervision, operator: Actor) -> None:
    case_id, _ = registered(supervision, operator, complainant=AGREES)
    (event,) = supervision.events.get(case_id)
    record = supervision.repository.get(case_id)
    record.complainant = dict(ERASED)
    assert drafts_of(event, record) == []


def test_the_packaged_templates_pass_their_check() -> None:
    document = read_packaged_yaml("notification_templates.yaml", DirectoryFileError)
    assert check_templates(document, "notification_templates.yaml") == TEMPLATES


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (lambda d: d.pop("citizen_answered"), "missing template 'citizen_answered'"),
        (lambda d: d.update(citizen_party={"subject": "x", "text": "y"}), "unknown template"),
        (lambda d: d["citizen_answered"].update(text="{colour}"), "unknown placeholder {colour}"),
        (lambda d: d["department_reminder"].pop("markdown"), "missing text for 'markdown'"),
        (lambda d: d["citizen_answered"].update(text="码{access_code}"), "only citizen_registered"),
        (lambda d: d["citizen_answered"].update(text="{"), "citizen_answered.text"),
        (lambda d: d["citizen_callback"].update(markdown="x"), "unknown part 'markdown'"),
    ],
)
def test_a_broken_template_file_is_refused_naming_what_is_wrong(change: Any, named: str) -> None:
    document = read_packaged_yaml("notification_templates.yaml", DirectoryFileError)
    document = {name: dict(entry) for name, entry in document.items()}
    change(document)
    with pytest.raises(TemplateProblem, match=named.replace("{", r"\{").replace("}", r"\}")):
        check_templates(document, "notification_templates.yaml")


def test_a_directory_file_takes_a_departments_email_and_webhook() -> None:
    spec = parse_directory_file(
        "departments:\n"
        "  - {id: a, name: 甲, name_en: A, email: a@example.gov.cn,"
        " webhook: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x'}\n"
        "windows: []\nstaff: []\n",
        "upload.yaml",
    )
    (department,) = spec.departments
    assert department.email == "a@example.gov.cn"
    assert department.webhook == "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x"


@pytest.mark.parametrize(
    ("entry", "code"),
    [
        ("email: not-an-address", "bad_email"),
        ("email: 'a b@example.gov.cn'", "bad_email"),
        ("email: 5", "not_text"),
        ("webhook: ftp://robot.example.com", "bad_webhook"),
        ("webhook: 'https://robot.example.com/a b'", "bad_webhook"),
        (f"email: {'a' * 300}@example.gov.cn", "bad_email"),
    ],
)
def test_a_bad_department_contact_is_refused_on_its_line(entry: str, code: str) -> None:
    text = (
        "departments:\n"
        "  - {id: a, name: 甲, name_en: A}\n"
        "  - id: b\n"
        "    name: 乙\n"
        "    name_en: B\n"
        f"    {entry}\n"
        "windows: []\nstaff: []\n"
    )
    with pytest.raises(DirectoryFileError) as refused:
        parse_directory_file(text, "upload.yaml")
    ((line, found, field),) = [(p.line, p.code, p.field) for p in refused.value.problems]
    assert (line, found) == (6, code)
    assert field in ("email", "webhook")


def test_every_sample_department_has_an_address_and_no_webhook(supervision: Supervision) -> None:
    assert all(d.email == f"{d.id}@example.gov.cn" for d in supervision.directory().departments)
    assert all(d.webhook is None for d in supervision.directory().departments)


def test_a_department_recorded_before_contacts_reads_as_having_none(
    supervision: Supervision,
) -> None:
    stored = supervision.mapper.to_stored_event(
        next(e for e in supervision.events.get(supervision.directory().id) if hasattr(e, "email"))
    )
    state = supervision.mapper.transcoder.decode(stored.state)
    del state["email"], state["webhook"]
    old = supervision.mapper.to_domain_event(
        type(stored)(
            originator_id=stored.originator_id,
            originator_version=stored.originator_version,
            topic=stored.topic,
            state=supervision.mapper.transcoder.encode(state),
        )
    )
    assert old.email is None  # type: ignore[attr-defined]
    assert old.webhook is None  # type: ignore[attr-defined]


def test_the_sample_department_is_reached_at_its_address(supervision: Supervision) -> None:
    department = supervision.directory().department(SAMPLE_DEPARTMENT)
    assert department is not None
    assert department.email == f"{SAMPLE_DEPARTMENT}@example.gov.cn"
    assert department.webhook is None


def test_a_rectification_order_is_told_to_its_department(
    supervision: Supervision, inspector: Actor
) -> None:
    order_id = issued_order(supervision, inspector)
    (mail, hook) = sent(supervision, order_id)
    assert mail.template == "department_order_issued"
    assert mail.record_type == "RectificationOrder"
    assert mail.recipient == SAMPLE_DEPARTMENT
    assert hook.channel == "webhook"
    assert "整改通知" in mail.subject


def test_an_escalation_goes_to_the_superior(
    supervision: Supervision, time_source: SettableTimeSource
) -> None:
    case_id = escalated_case(supervision, time_source.set)
    escalated = [d for d in sent(supervision, case_id) if d.template == "department_escalated"]
    assert [d.recipient for d in escalated] == ["natural-resources-bureau"]
    assert "市自然资源局" in escalated[0].text
    assert "不动产登记中心" in escalated[0].text


def test_an_escalation_without_a_superior_goes_to_the_inspectors(
    supervision: Supervision, time_source: SettableTimeSource
) -> None:
    case_id = escalated_case(supervision, time_source.set)
    contacts = {SAMPLE_DEPARTMENT: Contact(name="不动产登记中心")}
    drafts: list[Draft] = []
    for event in supervision.events.get(case_id):
        if type(event).__name__ == "Escalated":
            object.__setattr__(event, "superior", None)
            record = supervision.repository.get(case_id, version=event.originator_version)
            drafts += drafts_of(event, record, contact=contacts.get)
    assert [(d.recipient, d.template) for d in drafts] == [
        ("inspectors", "inspectors_escalated"),
        ("inspectors", "inspectors_escalated"),
    ]


def test_an_appeal_is_told_to_the_inspectors(supervision: Supervision, inspector: Actor) -> None:
    supervision.load_conduct_rules(default_conduct_rules(), DIRECTORY_ADMIN)
    deduction = supervision.record_deduction(
        a_deduction(occurred_at=datetime(2026, 11, 26, 15, 0, tzinfo=OFFICE_TZ)), inspector
    )
    department = Actor("deeds-desk", Role.DEPARTMENT, department=SAMPLE_DEPARTMENT)
    appeal = supervision.appeal_deduction(
        deduction.id, reasons="当事人当时在解释政策", evidence=None, by=department
    )
    (mail, hook) = sent(supervision, appeal.id)
    assert mail.template == "inspectors_appeal_filed"
    assert mail.address == "inspectors@example.gov.cn"
    assert "当事人当时在解释政策" in mail.text
    assert "不动产登记中心" in mail.text
    assert hook.address == "https://robot.example.com/hook"
