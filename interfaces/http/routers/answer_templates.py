"""Routes on a department's answer templates (答复模板): create, edit, retire, list."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query, status

from interfaces.http.deps import DepartmentDep, StaffDep, SupervisionDep
from interfaces.http.responses import (
    COMMAND,
    COMMAND_ON_A_RECORD,
    COMMAND_ON_A_RECORD_WITHOUT_BODY,
    ONE_RECORD,
    SOME_ROLES,
)
from interfaces.http.schemas.answer_templates import (
    AnswerTemplateCreate,
    AnswerTemplateEdit,
    AnswerTemplateList,
    AnswerTemplatePublic,
    AnswerTemplateQuery,
)
from interfaces.http.schemas.cases import DIRECTORY_ID

router = APIRouter(
    prefix="/departments/{department_id}/answer-templates",
    tags=["answer templates"],
    responses=SOME_ROLES,
)

DepartmentId = Annotated[str, Path(pattern=DIRECTORY_ID)]


@router.get("", responses=ONE_RECORD)
def list_answer_templates(
    department_id: DepartmentId,
    options: Annotated[AnswerTemplateQuery, Query()],
    app: SupervisionDep,
    actor: StaffDep,
) -> AnswerTemplateList:
    """A department's live answer templates, of one category if asked; a department reads
    its own only."""
    templates = app.answer_templates(department_id, actor, category=options.category)
    return AnswerTemplateList(
        items=[AnswerTemplatePublic.of(department_id, template) for template in templates]
    )


@router.post("", status_code=status.HTTP_201_CREATED, responses={**COMMAND, **ONE_RECORD})
def create_answer_template(
    department_id: DepartmentId,
    body: AnswerTemplateCreate,
    app: SupervisionDep,
    actor: DepartmentDep,
) -> AnswerTemplatePublic:
    """Add an answer template for a category of cases to your department's book (新增答复模板)."""
    template = app.create_answer_template(
        department_id, category=body.category, title=body.title, text=body.text, by=actor
    )
    return AnswerTemplatePublic.of(department_id, template)


@router.post("/{template_id}/edit", responses=COMMAND_ON_A_RECORD)
def edit_answer_template(
    department_id: DepartmentId,
    template_id: UUID,
    body: AnswerTemplateEdit,
    app: SupervisionDep,
    actor: DepartmentDep,
) -> AnswerTemplatePublic:
    """Change a live template of your department: its category, title and text (修改答复模板)."""
    template = app.edit_answer_template(
        department_id,
        template_id,
        category=body.category,
        title=body.title,
        text=body.text,
        by=actor,
    )
    return AnswerTemplatePublic.of(department_id, template)


@router.post("/{template_id}/retire", responses=COMMAND_ON_A_RECORD_WITHOUT_BODY)
def retire_answer_template(
    department_id: DepartmentId, template_id: UUID, app: SupervisionDep, actor: DepartmentDep
) -> AnswerTemplatePublic:
    """Retire a template of your department: it is offered no more (停用答复模板)."""
    return AnswerTemplatePublic.of(
        department_id, app.retire_answer_template(department_id, template_id, by=actor)
    )
