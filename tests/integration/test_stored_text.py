"""Text already in the store that PostgreSQL's text and jsonb cannot hold stops nothing.

Events are immutable, and stores written before such text was refused at the entrance hold
NUL, control characters, U+FFFE, and (written by a JSON encoder that escapes non-ASCII) lone
surrogates. These tests record them through the application's own verbs, in every free-text
field of every aggregate, and ask the whole read side to keep up with them: every
projection, the policies, the audit feed, the ledger, a rebuild, verification, and the
monthly report in every format. Read tables show U+FFFD in place of what they cannot hold;
the events keep their text.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid4

import psycopg
import pytest
from openpyxl import load_workbook

from application.queries import Reading
from application.scores import monthly_report_as_of
from domain.actor import Actor, Role
from domain.calendar import OFFICE_TZ
from domain.case import Kind, Outcome, Satisfaction
from domain.notice import NoticeKind, NoticeSubjectType
from domain.rectification import OrderRequest, OrderSourceType
from domain.scorecard import SourceType
from domain.survey import SurveyBatch
from domain.text import REPLACEMENT, first_unstorable, storable
from infrastructure.conduct_file import default_conduct_rules
from infrastructure.directory_file import sample_directory
from interfaces.bootstrap import Container
from interfaces.http.schemas.discipline import MonthlyReportPublic
from interfaces.reports import SURVEY_HEADERS, report_csv, report_xlsx
from tests.factories import ADMIN, INSPECTOR, OPERATOR, a_deduction, registered_case
from tests.integration.read_side import DEPARTMENT, DEPARTMENT_ID, events_of, head, open_container
from tests.item_story import a_listed_item
from tests.support import SettableTimeSource

# Every C0 control (tab, line feed and carriage return among them, which stay), a lone
# surrogate, and the two non-characters.
UNHOLDABLE = "".join(map(chr, range(0x20))) + "\ud800" + "\ufffe\uffff"
# What reaches a deduction's fingerprint and a token's name is encoded as UTF-8 on the way
# in, so no stored event can hold a lone surrogate there.
NO_SURROGATE = UNHOLDABLE.replace("\ud800", "")
MONTH = "2026-11"
RUNNERS = (
    "case_list",
    "order_list",
    "evaluation_list",
    "directory_subjects",
    "deductions",
    "case_assignments",
    "audit_events",
    "rating_cases",
    # Reminders by hand (人工催办)
    "case_reminders",
    "order_reminders",
    # Notices (通报): their read table and the policies drafting them from flags
    "notice_list",
    "notice_drafts_cases",
    "notice_drafts_orders",
    # Appeals (申诉)
    "appeal_list",
    # Satisfaction surveys (满意度调查)
    "survey_list",
    # Staff assessments (千人千题)
    "assessment_list",
    # A/B post cover (AB岗)
    "absence_list",
    "cover_gap_list",
    "post_cover_list",
    # The item catalogue (事项清单) and the cases and ratings naming its items
    "item_list",
    "case_items",
    "rating_items",
    # Inspection visits (暗访巡查): their read table and the policies noting findings
    "visit_list",
    "visit_findings_deductions",
    "visit_findings_orders",
    "visit_findings_cases",
    # Notifications (外发消息, §17): the feed writing the outbox
    "notification_feed",
)


def hostile(field: str, characters: str = UNHOLDABLE) -> str:
    return f"{field}[{characters}]"


@pytest.fixture
def container(database_url: str, time_source: SettableTimeSource) -> Iterator[Container]:
    with open_container(database_url, time_source) as built:
        # A writer that escapes non-ASCII in its JSON can store a lone surrogate as \ud800;
        # this one stands for such a writer of the past.
        transcoder = built.supervision.mapper.transcoder
        transcoder.encoder = json.JSONEncoder(  # type: ignore[attr-defined]
            default=transcoder._encode_obj,  # type: ignore[attr-defined]
            separators=(",", ":"),
            ensure_ascii=True,
        )
        yield built


@dataclass
class Recorded:
    """What the scenario recorded, to look for afterwards."""

    case: UUID
    order: UUID
    deduction: UUID
    summary: str


def record_unholdable_text_everywhere(
    container: Container, time_source: SettableTimeSource
) -> Recorded:
    """Every aggregate, every free-text field, holding what PostgreSQL cannot."""
    app = container.supervision
    directory = sample_directory()
    staff = next(member for member in directory.staff if member.id == "S0001")
    window = next(window for window in directory.windows if window.id == staff.window)
    app.import_directory(
        replace(
            directory,
            departments=tuple(
                replace(d, name=hostile("部门"), name_en=hostile("dept"))
                if d.id == DEPARTMENT_ID
                else d
                for d in directory.departments
            ),
            windows=tuple(
                replace(w, name=hostile("窗口"), zone=hostile("区")) if w == window else w
                for w in directory.windows
            ),
            staff=tuple(
                replace(s, name=hostile("人员")) if s == staff else s for s in directory.staff
            ),
        ),
        ADMIN,
    )
    rules = default_conduct_rules()
    app.load_conduct_rules(
        tuple(
            replace(rule, name_zh=hostile("规则"), name_en=hostile("rule"))
            if rule.code == "harsh_attitude"
            else rule
            for rule in rules
        ),
        ADMIN,
    )
    token = app.issue_token(
        role=Role.OPERATOR, department=None, name=hostile("name", NO_SURROGATE), by=ADMIN
    )
    app.revoke_token(token.id, reason=hostile("revoke"), by=ADMIN)
    app.publish_calendar_year(
        year=2027,
        holidays=[date(2027, 1, 1)],
        makeup_workdays=[],
        source=hostile("source"),
        by=ADMIN,
    )
    someone = Actor(hostile("principal"), Role.OPERATOR, request_id=hostile("request"))

    # A case through its whole life.
    summary = hostile("summary")
    case = registered_case(
        container.supervision,
        window=window.id,
        staff=staff.id,
        category=hostile("category"),
        summary=summary,
        details=hostile("details"),
        complainant={
            "name": hostile("name"),
            "phone": hostile("phone"),
            "address": hostile("address"),
        },
    )
    app.assign_case(
        case,
        department=DEPARTMENT_ID,
        urgent=None,
        final=False,
        note=hostile("assign"),
        by=someone,
    )
    app.acknowledge_case(case, DEPARTMENT)
    app.stop_case_clock(case, reason=hostile("stop"), by=DEPARTMENT)
    app.resume_case_clock(case, DEPARTMENT)
    app.request_extension(case, working_days=3, reason=hostile("extension"), by=DEPARTMENT)
    app.refuse_extension(case, reason=hostile("refuse"), by=OPERATOR)
    app.add_case_note(case, text=hostile("public note"), public=True, by=DEPARTMENT)
    app.add_case_note(case, text=hostile("internal note"), public=False, by=OPERATOR)
    app.remind_case(case, message=hostile("case reminder"), by=OPERATOR)
    time_source.advance(days=40)
    app.supervise_case(case, note=hostile("supervise"), by=INSPECTOR)
    app.post_result(
        case,
        outcome=Outcome.SUBSTANTIATED,
        actions=hostile("actions"),
        answer=hostile("answer"),
        by=DEPARTMENT,
        proposed_deduction={"rule": "harsh_attitude"},
    )
    app.dismiss_proposed_deduction(case, reason=hostile("dismiss"), by=INSPECTOR)
    app.record_callback(
        case,
        reached=True,
        satisfaction=Satisfaction.SATISFIED,
        comment=hostile("callback"),
        by=OPERATOR,
    )
    app.close_case(case, OPERATOR)
    app.reopen_case(case, reason=hostile("reopen"), by=OPERATOR)
    returned = registered_case(
        container.supervision, kind=Kind.REQUEST, summary=hostile("returned")
    )
    app.assign_case(
        returned, department=DEPARTMENT_ID, urgent=None, final=False, note=None, by=OPERATOR
    )
    app.return_case(returned, reason=hostile("return"), by=DEPARTMENT)
    app.merge_case(
        registered_case(container.supervision, summary=hostile("merged")), into=case, by=OPERATOR
    )
    app.erase_personal_data(returned, reason=hostile("erase"), by=INSPECTOR)

    # A deduction, and one revoked.
    occurred = datetime(2026, 11, 3, 10, 15, tzinfo=OFFICE_TZ)
    deduction = app.record_deduction(
        a_deduction(
            rule="harsh_attitude",
            staff=staff.id,
            occurred_at=occurred,
            evidence=hostile("evidence", NO_SURROGATE),
            source_ref=hostile("ref", NO_SURROGATE),
        ),
        INSPECTOR,
    )
    revoked = app.record_deduction(
        a_deduction(
            staff=staff.id, occurred_at=occurred, evidence="迟到", source_type=SourceType.OTHER
        ),
        INSPECTOR,
    )
    app.revoke_deduction(revoked.id, reason=hostile("revoked"), by=INSPECTOR)

    # A rectification order through its life.
    order = app.issue_order(
        OrderRequest(
            department=DEPARTMENT_ID,
            window=window.id,
            staff=staff.id,
            problem=hostile("problem"),
            requirements=hostile("requirements"),
            working_days=5,
            source_type=OrderSourceType.INSPECTION,
            source_ref=hostile("order ref"),
        ),
        INSPECTOR,
    ).id
    app.acknowledge_order(order, DEPARTMENT)
    app.stop_order_clock(order, reason=hostile("order stop"), by=DEPARTMENT)
    app.resume_order_clock(order, DEPARTMENT)
    app.request_order_extension(
        order, working_days=2, reason=hostile("order extension"), by=DEPARTMENT
    )
    app.refuse_order_extension(order, reason=hostile("order refuse"), by=INSPECTOR)
    app.remind_order(order, message=hostile("order reminder"), by=INSPECTOR)
    time_source.advance(days=20)
    app.supervise_order(order, note=hostile("order supervise"), by=INSPECTOR)
    app.report_rectification(
        order, measures=hostile("measures"), evidence=hostile("order evidence"), by=DEPARTMENT
    )
    app.reject_rectification(order, reasons=hostile("reasons"), working_days=3, by=INSPECTOR)
    app.report_rectification(order, measures=hostile("again"), evidence=None, by=DEPARTMENT)
    app.accept_rectification(order, note=hostile("accept"), by=INSPECTOR)

    # A bad rating: the policy opens a case whose text comes from the comment; it names an
    # item of the catalogue (事项清单), so the case does too.
    app.record_evaluation(
        window=window.id,
        staff=staff.id,
        rating=1,
        comment=hostile("comment"),
        service_item=hostile("item"),
        by=Actor.system(),
        item=a_listed_item(app),
    )

    # A notice about the window (its name is stored text too), published and withdrawn.
    notice = app.publish_notice(
        title=hostile("title"),
        text=hostile("text"),
        kind=NoticeKind.CRITICISM,
        subject_type=NoticeSubjectType.WINDOW,
        subject_id=window.id,
        by=INSPECTOR,
    )
    app.withdraw_notice(notice.id, reason=hostile("withdraw"), by=INSPECTOR)
    # A third party's survey batch at the window, its provider stored as it came (the domain
    # refuses such a name now: the event is made as an older version would have made it).
    batch = SurveyBatch._create(
        SurveyBatch.Recorded,
        id=uuid4(),
        source="third_party",
        provider=hostile("provider"),
        window=window.id,
        department=window.department,
        period_start="2026-11-01",
        period_end="2026-11-20",
        counts=[0, 1, 2, 3, 4],
        actor=INSPECTOR,
        timestamp=time_source.now(),
    )
    app._commit(batch)
    return Recorded(case=case, order=order, deduction=deduction.id, summary=summary)


def fetch(database_url: str, query: str, *params: Any) -> list[tuple[Any, ...]]:
    with psycopg.connect(database_url) as connection:
        return connection.execute(query, params).fetchall()


def positions(database_url: str) -> dict[str, int]:
    return dict(fetch(database_url, "SELECT name, position FROM projection_tracking"))


def read_text(database_url: str) -> list[str]:
    """Every text, text[] and jsonb value of every read table, as text."""
    found: list[str] = []
    tables = fetch(
        database_url,
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND data_type IN ('text', 'ARRAY', 'jsonb') "
        "AND table_name NOT LIKE 'oversight%%' ORDER BY 1, 2",
    )
    for table, column in tables:
        rows = fetch(database_url, f'SELECT "{column}"::text FROM "{table}"')
        found += [value for (value,) in rows if value is not None]
    return found


def test_every_runner_keeps_up_with_text_postgresql_cannot_hold_and_the_events_keep_it(
    container: Container, time_source: SettableTimeSource, database_url: str
) -> None:
    recorded = record_unholdable_text_everywhere(container, time_source)
    worker = container.worker()
    try:
        worker.run_once()
        worker.run_once()  # the case the policy opened, projected
    finally:
        worker.close()

    end = head(container)
    assert positions(database_url) == dict.fromkeys(RUNNERS, end)
    assert fetch(database_url, "SELECT max(through) FROM ledger") == [(end,)]
    assert fetch(database_url, "SELECT name FROM runner_health") == []
    texts = read_text(database_url)
    assert not [text for text in texts if first_unstorable(text) is not None]
    assert any(f"summary[{REPLACEMENT}" in text for text in texts)
    summary = fetch(database_url, "SELECT summary FROM case_list WHERE id = %s", recorded.case)
    assert summary == [(storable(recorded.summary),)]
    assert "\t\n" in summary[0][0]  # what the record can hold is kept
    (evidence,) = fetch(
        database_url,
        "SELECT DISTINCT evidence FROM deductions WHERE deduction_id = %s",
        recorded.deduction,
    )
    assert evidence[0].startswith(f"evidence[{REPLACEMENT}")
    # The events themselves are as they were recorded.
    assert events_of(container, recorded.case)[0].summary == recorded.summary


def test_a_rebuild_and_the_audit_verification_pass_over_text_postgresql_cannot_hold(
    container: Container, time_source: SettableTimeSource, database_url: str
) -> None:
    record_unholdable_text_everywhere(container, time_source)
    worker = container.worker()
    try:
        worker.run_once()
        worker.run_once()
    finally:
        worker.close()
    tables = (
        "case_list",
        "order_list",
        "deductions",
        "directory_subjects",
        "evaluation_list",
        "case_assignments",
        "case_reminders",
        "order_reminders",
        "notice_list",
        "appeal_list",
        "survey_list",
        "item_list",
        "case_items",
        "rating_items",
    )
    before = {t: fetch(database_url, f'SELECT * FROM "{t}" ORDER BY 1') for t in tables}

    report = container.rebuild_projections()
    verification = container.ledger.verify()

    assert report.position == head(container)
    for table, rows in before.items():
        assert fetch(database_url, f'SELECT * FROM "{table}" ORDER BY 1') == rows
    assert verification.ok, verification.message


def test_the_monthly_report_is_written_in_every_format_from_text_postgresql_cannot_hold(
    container: Container, time_source: SettableTimeSource
) -> None:
    record_unholdable_text_everywhere(container, time_source)
    container.catch_up_projections()

    async def monthly() -> Any:
        await container.reads.open()
        try:
            return await monthly_report_as_of(
                container.scores, MONTH, Reading(time_source.now()), department=None
            )
        finally:
            await container.reads.close()

    report = asyncio.run(monthly())

    as_json = json.loads(MonthlyReportPublic.of(report).model_dump_json())
    book = load_workbook(io.BytesIO(report_xlsx(report)))
    rows = list(csv.reader(io.StringIO(report_csv(report).decode("utf-8-sig"), newline="")))
    (department,) = [d for d in as_json["departments"] if d["id"] == DEPARTMENT_ID]
    assert department["name"] == storable(hostile("部门"))
    evidence = storable(hostile("evidence", NO_SURROGATE))
    assert [d["evidence"] for d in department["deductions"]] == [evidence]
    cells = [c.value for sheet in book for row in sheet.iter_rows() for c in row]
    assert evidence.replace("\r", "\n") in cells  # XML reads a carriage return as a line feed
    assert evidence in [row[10] for row in rows[1:] if row]  # a blank line ends a table
    (surveyed,) = as_json["surveys"]
    provider = storable(hostile("provider"))
    assert [s["provider"] for s in surveyed["satisfaction"]] == [None, provider]
    assert provider in [row[3] for row in rows if len(row) == len(SURVEY_HEADERS)]
