"""Answer templates (答复模板): the answers a department keeps per category of case, to start
its result (办理结果) from rather than typing the same reply again.

One book per department, whose id follows from the department's id, so listing a
department's templates is loading its book. Only the department itself changes its book;
a retired template stays in the record (its answers were sent) but is offered no more.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from domain.actor import Actor, Role
from domain.case import CATEGORIES
from domain.errors import Conflict, Forbidden, Invalid, NotFound
from domain.text import stripped_text

MAX_TITLE_LENGTH = 60
MAX_TEXT_LENGTH = 10_000
# A book is loaded whole by every change and every result form: bound what it grows to.
MAX_LIVE_TEMPLATES = 200


class AnswerTemplateNotFound(NotFound):
    """The department's book has no template of this id."""

    code = "answer_template_not_found"


class AnswerTemplateRetired(Conflict):
    """A retired template is neither edited nor retired again."""

    code = "answer_template_retired"


class AnswerTemplateTitleTaken(Conflict):
    """Two live templates of one category do not share a title."""

    code = "answer_template_title_taken"


class AnswerTemplatesFull(Conflict):
    """A department keeps at most MAX_LIVE_TEMPLATES live templates."""

    code = "answer_templates_full"


class UnknownCategory(Invalid):
    """A template is for one of the categories of cases (`domain.case.CATEGORIES`)."""

    code = "unknown_category"


class AnswerTemplateInvalid(Invalid):
    """A title of 1 to 60 characters and a text of 1 to 10,000, both text the record can hold."""

    code = "invalid_answer_template"


class AnswerTemplatesNotYours(Forbidden):
    """A department reads its own answer templates; the centre reads any department's."""

    code = "answer_templates_not_yours"


class NotTemplateKeeper(Forbidden):
    """Only the department itself changes its answer templates."""

    code = "not_template_keeper"


def answer_template_book_id(department: str) -> UUID:
    """A department's book id follows from the department's id: one department, one book."""
    return uuid5(NAMESPACE_URL, f"oversight:answer-templates:{department}")


def require_reader(department: str, viewer: Actor) -> None:
    """Refuse a viewer who may not read this department's templates: another department,
    or a role outside the centre's staff."""
    if viewer.acts_for(department) or viewer.role in (Role.OPERATOR, Role.INSPECTOR):
        return
    raise AnswerTemplatesNotYours("a department reads its own answer templates only")


def category_first(templates: list[AnswerTemplate], category: str) -> list[AnswerTemplate]:
    """The templates of `category` first, then the others, each group in its own order."""
    return sorted(templates, key=lambda template: template.category != category)


@dataclass(frozen=True)
class AnswerTemplate:
    """One template as it stands: its category, title and text, and whether it is retired."""

    id: UUID
    category: str
    title: str
    text: str
    created_at: datetime
    updated_at: datetime
    retired: bool = False


def _required_text(what: str, value: str, longest: int) -> str:
    return stripped_text(
        value,
        subject=f"a template's {what}",
        label=what,
        longest=longest,
        error=AnswerTemplateInvalid,
    )


def _require_keeper(department: str, by: Actor) -> None:
    if not by.acts_for(department):
        raise NotTemplateKeeper("only the department itself changes its answer templates")


def _known_category(category: str) -> str:
    if category not in CATEGORIES:
        raise UnknownCategory(f"{category!r} is not a category of cases")
    return category


class AnswerTemplateBook(Aggregate):
    """A department's answer templates, live and retired, in the order they were created."""

    TOPIC = "oversight:AnswerTemplateBook"

    class Event(Aggregate.Event):
        TOPIC = "oversight:AnswerTemplateBook.Event"
        actor: Actor

    class Opened(Event, Aggregate.Created):
        TOPIC = "oversight:AnswerTemplateBook.Opened"
        department: str

    def __init__(self, department: str, actor: Actor) -> None:
        self.department = department
        self.templates: dict[UUID, AnswerTemplate] = {}

    @classmethod
    def open(cls, department: str, *, by: Actor, at: datetime) -> AnswerTemplateBook:
        """Start the department's book (its first template's creation opens it)."""
        _require_keeper(department, by)
        return cls._create(
            cls.Opened,
            id=answer_template_book_id(department),
            department=department,
            actor=by,
            timestamp=at,
        )

    # Reading ---------------------------------------------------------------------------------

    def live(self, category: str | None = None) -> list[AnswerTemplate]:
        """The templates offered today, of one category or all, in the order created."""
        return [
            template
            for template in self.templates.values()
            if not template.retired and category in (None, template.category)
        ]

    def template(self, template_id: UUID) -> AnswerTemplate:
        """One template, live or retired; AnswerTemplateNotFound if the book has none."""
        found = self.templates.get(template_id)
        if found is None:
            raise AnswerTemplateNotFound(f"the department has no answer template {template_id}")
        return found

    # Changing --------------------------------------------------------------------------------

    class TemplateCreated(Event):
        TOPIC = "oversight:AnswerTemplateBook.TemplateCreated"
        template_id: UUID
        category: str
        title: str
        text: str

        def apply(self, book: AnswerTemplateBook) -> None:
            book.templates[self.template_id] = AnswerTemplate(
                id=self.template_id,
                category=self.category,
                title=self.title,
                text=self.text,
                created_at=self.timestamp,
                updated_at=self.timestamp,
            )

    def create(
        self, template_id: UUID, *, category: str, title: str, text: str, by: Actor, at: datetime
    ) -> AnswerTemplate:
        """Add a template for a category (新增答复模板)."""
        self._require_keeper(by)
        if len(self.live()) >= MAX_LIVE_TEMPLATES:
            raise AnswerTemplatesFull(
                f"a department keeps at most {MAX_LIVE_TEMPLATES} live answer templates"
            )
        content = self._content(category, title, text, but=None)
        self.trigger_event(
            self.TemplateCreated, template_id=template_id, **content, actor=by, timestamp=at
        )
        return self.templates[template_id]

    class TemplateEdited(Event):
        TOPIC = "oversight:AnswerTemplateBook.TemplateEdited"
        template_id: UUID
        category: str
        title: str
        text: str

        def apply(self, book: AnswerTemplateBook) -> None:
            book.templates[self.template_id] = replace(
                book.templates[self.template_id],
                category=self.category,
                title=self.title,
                text=self.text,
                updated_at=self.timestamp,
            )

    def edit(
        self, template_id: UUID, *, category: str, title: str, text: str, by: Actor, at: datetime
    ) -> AnswerTemplate:
        """Change a live template's category, title or text (修改答复模板)."""
        self._require_keeper(by)
        self._require_live(template_id)
        content = self._content(category, title, text, but=template_id)
        self.trigger_event(
            self.TemplateEdited, template_id=template_id, **content, actor=by, timestamp=at
        )
        return self.templates[template_id]

    class TemplateRetired(Event):
        TOPIC = "oversight:AnswerTemplateBook.TemplateRetired"
        template_id: UUID

        def apply(self, book: AnswerTemplateBook) -> None:
            book.templates[self.template_id] = replace(
                book.templates[self.template_id], retired=True, updated_at=self.timestamp
            )

    def retire(self, template_id: UUID, *, by: Actor, at: datetime) -> AnswerTemplate:
        """Offer a template no more (停用答复模板); the record keeps it."""
        self._require_keeper(by)
        self._require_live(template_id)
        self.trigger_event(self.TemplateRetired, template_id=template_id, actor=by, timestamp=at)
        return self.templates[template_id]

    # Guards ----------------------------------------------------------------------------------

    def _require_keeper(self, by: Actor) -> None:
        _require_keeper(self.department, by)

    def _content(self, category: str, title: str, text: str, *, but: UUID | None) -> dict[str, str]:
        """A template's category, title and text as recorded: checked, stripped, and its
        title free among the category's other live templates."""
        category = _known_category(category)
        title = _required_text("title", title, MAX_TITLE_LENGTH)
        text = _required_text("text", text, MAX_TEXT_LENGTH)
        self._require_title_free(category, title, but=but)
        return {"category": category, "title": title, "text": text}

    def _require_live(self, template_id: UUID) -> None:
        if self.template(template_id).retired:
            raise AnswerTemplateRetired(f"the answer template {template_id} is retired")

    def _require_title_free(self, category: str, title: str, *, but: UUID | None) -> None:
        if any(t.title == title and t.id != but for t in self.live(category)):
            raise AnswerTemplateTitleTaken(
                f"the department already has a live {category} template titled {title!r}"
            )
