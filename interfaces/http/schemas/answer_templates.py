"""The shapes of answer-template requests and answers (答复模板)."""

from __future__ import annotations

from dataclasses import asdict
from uuid import UUID

from pydantic import BaseModel, Field

from domain.answer_templates import MAX_TEXT_LENGTH, MAX_TITLE_LENGTH, AnswerTemplate
from domain.case import CATEGORIES
from interfaces.http.schemas.cases import Strict
from interfaces.http.schemas.office_time import OfficeTime
from interfaces.http.schemas.text import QueryText

CATEGORY_DESCRIPTION = "分类: one of the categories of cases, " + "、".join(CATEGORIES)


class AnswerTemplateCreate(Strict):
    """A template for answers to cases of one category (新增答复模板)."""

    category: str = Field(
        min_length=1,
        max_length=20,
        description=CATEGORY_DESCRIPTION,
        json_schema_extra={"enum": list(CATEGORIES)},
    )
    title: str = Field(min_length=1, max_length=MAX_TITLE_LENGTH, description="模板标题")
    text: str = Field(min_length=1, max_length=MAX_TEXT_LENGTH, description="模板内容")


class AnswerTemplateEdit(AnswerTemplateCreate):
    """A live template's new category, title and text, all three (修改答复模板)."""


class AnswerTemplateQuery(BaseModel):
    """Which of a department's templates to list."""

    category: QueryText | None = Field(
        default=None, max_length=20, description=f"only this category ({CATEGORY_DESCRIPTION})"
    )


class AnswerTemplatePublic(BaseModel):
    """One answer template of a department."""

    id: UUID
    department: str
    category: str
    title: str
    text: str
    created_at: OfficeTime
    updated_at: OfficeTime
    retired: bool

    @classmethod
    def of(cls, department: str, template: AnswerTemplate) -> AnswerTemplatePublic:
        return cls(department=department, **asdict(template))


class AnswerTemplateList(BaseModel):
    """A department's live templates, in the order created."""

    items: list[AnswerTemplatePublic]
