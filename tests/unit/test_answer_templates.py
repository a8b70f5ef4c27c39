"""Answer templates (答复模板): a department's book of answers per category, changed only by
the department itself, read by it and by the centre."""

from __future__ import annotations

import pytest

from application.supervision import Supervision
from domain.actor import Actor
from domain.answer_templates import (
    MAX_TEXT_LENGTH,
    MAX_TITLE_LENGTH,
    AnswerTemplate,
    AnswerTemplateInvalid,
    AnswerTemplateNotFound,
    AnswerTemplateRetired,
    AnswerTemplatesNotYours,
    AnswerTemplateTitleTaken,
    NotTemplateKeeper,
    UnknownCategory,
    category_first,
)
from domain.directory import UnknownDepartment

DEEDS = "real-estate-registration"
ATTITUDE = "服务态度"
EFFICIENCY = "办事效率"
APOLOGY = "经核实，窗口工作人员态度生硬，已批评教育，向您致歉。"


def a_template(
    app: Supervision, by: Actor, *, category: str = ATTITUDE, title: str = "致歉"
) -> AnswerTemplate:
    return app.create_answer_template(DEEDS, category=category, title=title, text=APOLOGY, by=by)


def test_a_department_creates_edits_and_retires_its_templates(
    supervision: Supervision, department_actor: Actor
) -> None:
    # Given a template the department created
    created = supervision.create_answer_template(
        DEEDS, category=ATTITUDE, title=" 致歉 ", text=APOLOGY, by=department_actor
    )
    # When it edits it, then adds another and retires the first
    edited = supervision.edit_answer_template(
        DEEDS,
        created.id,
        category=EFFICIENCY,
        title="致歉（效率）",
        text="已整改。",
        by=department_actor,
    )
    other = a_template(supervision, department_actor, title="解释政策")
    supervision.retire_answer_template(DEEDS, created.id, by=department_actor)

    # Then only the live one is offered, with its text as stripped and recorded
    assert created.title == "致歉"
    assert (edited.category, edited.title, edited.text) == (EFFICIENCY, "致歉（效率）", "已整改。")
    assert [t.id for t in supervision.answer_templates(DEEDS, department_actor)] == [other.id]


def test_the_centre_reads_a_departments_templates_and_another_department_does_not(
    supervision: Supervision,
    department_actor: Actor,
    other_department_actor: Actor,
    operator: Actor,
    inspector: Actor,
    admin: Actor,
) -> None:
    a_template(supervision, department_actor)

    assert len(supervision.answer_templates(DEEDS, operator)) == 1
    assert len(supervision.answer_templates(DEEDS, inspector, category=ATTITUDE)) == 1
    assert supervision.answer_templates(DEEDS, inspector, category=EFFICIENCY) == []
    for outsider in (other_department_actor, admin):
        with pytest.raises(AnswerTemplatesNotYours):
            supervision.answer_templates(DEEDS, outsider)


def test_only_the_department_itself_changes_its_book(
    supervision: Supervision,
    department_actor: Actor,
    other_department_actor: Actor,
    inspector: Actor,
) -> None:
    template = a_template(supervision, department_actor)

    for outsider in (other_department_actor, inspector):
        with pytest.raises(NotTemplateKeeper):
            a_template(supervision, outsider, title="别的")
        with pytest.raises(NotTemplateKeeper):
            supervision.retire_answer_template(DEEDS, template.id, by=outsider)


def test_a_book_nobody_opened_is_not_opened_by_an_outsider(
    supervision: Supervision, inspector: Actor
) -> None:
    with pytest.raises(NotTemplateKeeper):
        a_template(supervision, inspector)
    assert supervision.answer_templates(DEEDS, inspector) == []


@pytest.mark.parametrize(
    ("category", "title", "text", "refusal"),
    [
        ("没有的分类", "致歉", APOLOGY, UnknownCategory),
        (ATTITUDE, "   ", APOLOGY, AnswerTemplateInvalid),
        (ATTITUDE, "长" * (MAX_TITLE_LENGTH + 1), APOLOGY, AnswerTemplateInvalid),
        (ATTITUDE, "致歉", "", AnswerTemplateInvalid),
        (ATTITUDE, "致歉", "长" * (MAX_TEXT_LENGTH + 1), AnswerTemplateInvalid),
        (ATTITUDE, "致\x00歉", APOLOGY, AnswerTemplateInvalid),
        (ATTITUDE, "致歉", "答复\x1b内容", AnswerTemplateInvalid),
    ],
)
def test_a_template_is_refused_what_it_cannot_hold(
    supervision: Supervision,
    department_actor: Actor,
    category: str,
    title: str,
    text: str,
    refusal: type[Exception],
) -> None:
    with pytest.raises(refusal):
        supervision.create_answer_template(
            DEEDS, category=category, title=title, text=text, by=department_actor
        )


def test_two_live_templates_of_a_category_do_not_share_a_title_but_a_retired_one_frees_it(
    supervision: Supervision, department_actor: Actor
) -> None:
    first = a_template(supervision, department_actor)
    a_template(supervision, department_actor, category=EFFICIENCY)

    with pytest.raises(AnswerTemplateTitleTaken):
        a_template(supervision, department_actor)
    supervision.retire_answer_template(DEEDS, first.id, by=department_actor)
    a_template(supervision, department_actor)


def test_a_retired_or_unknown_template_is_not_changed(
    supervision: Supervision, department_actor: Actor
) -> None:
    template = a_template(supervision, department_actor)
    supervision.retire_answer_template(DEEDS, template.id, by=department_actor)

    with pytest.raises(AnswerTemplateRetired):
        supervision.retire_answer_template(DEEDS, template.id, by=department_actor)
    with pytest.raises(AnswerTemplateRetired):
        supervision.edit_answer_template(
            DEEDS, template.id, category=ATTITUDE, title="新", text="新", by=department_actor
        )
    with pytest.raises(AnswerTemplateNotFound):
        supervision.retire_answer_template(DEEDS, supervision.ids(), by=department_actor)
    with pytest.raises(UnknownDepartment):
        supervision.create_answer_template(
            "no-such-department", category=ATTITUDE, title="致歉", text=APOLOGY, by=department_actor
        )


def test_the_result_form_offers_the_cases_category_first(
    supervision: Supervision, department_actor: Actor
) -> None:
    efficiency = a_template(supervision, department_actor, category=EFFICIENCY, title="效率")
    attitude = a_template(supervision, department_actor)

    offered = category_first(supervision.answer_templates(DEEDS, department_actor), ATTITUDE)

    assert [t.id for t in offered] == [attitude.id, efficiency.id]
