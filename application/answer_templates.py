"""The answer-template verbs (答复模板): a department keeps its answers per category; the
centre reads them."""

from __future__ import annotations

from uuid import UUID

from application.base import OversightApplication
from domain.actor import Actor
from domain.answer_templates import (
    AnswerTemplate,
    AnswerTemplateBook,
    AnswerTemplateNotFound,
    answer_template_book_id,
    require_reader,
)
from domain.case import CATEGORIES


class AnswerTemplateVerbs(OversightApplication):
    """Create, edit, retire and list a department's answer templates."""

    def create_answer_template(
        self, department: str, *, category: str, title: str, text: str, by: Actor
    ) -> AnswerTemplate:
        """Add a template to the department's book, opening the book with its first one."""
        self.directory().active_department(department)
        now = self.time_source.now()
        book = self._load_or_none(answer_template_book_id(department))
        if book is None:
            book = AnswerTemplateBook.open(department, by=by, at=now)
        template = book.create(self.ids(), category=category, title=title, text=text, by=by, at=now)
        self._commit(book)
        return template

    def edit_answer_template(
        self,
        department: str,
        template_id: UUID,
        *,
        category: str,
        title: str,
        text: str,
        by: Actor,
    ) -> AnswerTemplate:
        """Change a live template's category, title or text."""
        book = self._book(department, template_id)
        template = book.edit(
            template_id,
            category=category,
            title=title,
            text=text,
            by=by,
            at=self.time_source.now(),
        )
        self._commit(book)
        return template

    def retire_answer_template(
        self, department: str, template_id: UUID, *, by: Actor
    ) -> AnswerTemplate:
        """Offer a template no more; the record keeps it."""
        book = self._book(department, template_id)
        template = book.retire(template_id, by=by, at=self.time_source.now())
        self._commit(book)
        return template

    def answer_templates(
        self, department: str, viewer: Actor, category: str | None = None
    ) -> list[AnswerTemplate]:
        """The department's live templates (of one category, when named), in the order
        created; a department reads its own only."""
        require_reader(department, viewer)
        self.directory().active_department(department)
        if category is not None and category not in CATEGORIES:
            return []
        book = self._load_or_none(answer_template_book_id(department))
        return book.live(category) if book is not None else []

    def _book(self, department: str, template_id: UUID) -> AnswerTemplateBook:
        return self._load(  # type: ignore[no-any-return]
            answer_template_book_id(department),
            lambda: AnswerTemplateNotFound(f"the department has no answer template {template_id}"),
        )
