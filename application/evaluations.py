"""Verbs on evaluations (好差评): evaluating an encounter, and the complaint a bad rating goes to.

A client's bad ratings of one window on one office day go to one case: the first opens it,
later ones are added to it (`Case.BadRatingAdded`), so a burst of bad ratings from one
client puts one case on the department's board, not one per rating, while every evaluation
still counts in the window's satisfaction. A later rating the same day goes onto the case
whatever became of it: a closed case takes it onto its record without reopening (the
centre decides whether it calls for more), and a case merged into another passes it on to
that one, where the matter is handled.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from application.cases import CaseVerbs
from application.numbering import AlreadyRecorded
from application.views import view_of
from domain.actor import Actor
from domain.case import BadRatingsFull, Case, Channel, Intake, Kind
from domain.errors import NotFound
from domain.evaluation import Evaluation, opens_case
from domain.labels import label
from domain.personal_data import PersonalDataAlreadyErased

# The citizen who rated is not known to the centre: the case has no one to call back.
ANONYMOUS = {"name": None, "phone": None, "address": None, "anonymous": True}
SUMMARY_COMMENT_CHARS = 80


class EvaluationNotFound(NotFound):
    """No evaluation has this id."""

    code = "evaluation_not_found"


@dataclass(frozen=True)
class EvaluationView:
    """An evaluation as recorded, and whether it goes to a case (a bad rating does)."""

    id: UUID
    window: str
    department: str
    staff: str | None
    rating: int
    rating_label: str
    comment: str | None
    service_item: str | None
    rated_at: datetime
    opens_case: bool
    position: int | None
    # The service item of the catalogue rated (事项, §16), if the rating named one.
    item: str | None = None

    @classmethod
    def of(cls, evaluation: Evaluation, position: int | None) -> EvaluationView:
        return view_of(
            cls,
            evaluation,
            rating_label=label("rating", str(evaluation.rating)),
            rated_at=evaluation.created_on,
            position=position,
        )


class EvaluationVerbs(CaseVerbs):
    """Evaluating an encounter at a window, and opening the complaint a bad rating calls for."""

    def record_evaluation(
        self,
        *,
        window: str,
        staff: str | None,
        rating: int,
        comment: str | None,
        service_item: str | None,
        by: Actor,
        client: str | None = None,
        item: str | None = None,
    ) -> EvaluationView:
        """Record a citizen's evaluation of an encounter (好差评); rated 1 or 2, it goes to a case.

        `client` is a keyed digest of the rater's network: their bad ratings of this window
        today go to one case.
        """
        routing = self.directory().route(None, window, staff)
        self.require_item(item)
        evaluation = Evaluation.rate(
            evaluation_id=self.ids(),
            window=window,
            department=str(routing.department),
            staff=staff,
            rating=rating,
            comment=comment,
            service_item=service_item,
            client=client,
            by=by,
            at=self.time_source.now(),
        )
        if item is not None:
            evaluation.name_item(item, by=by, at=evaluation.created_on)
        return EvaluationView.of(evaluation, self._commit(evaluation))

    def get_evaluation(self, evaluation_id: UUID) -> EvaluationView:
        """One evaluation as recorded."""
        return EvaluationView.of(self._evaluation(evaluation_id), position=None)

    def _evaluation(self, evaluation_id: UUID) -> Evaluation:
        found = self._load_or_none(evaluation_id)
        if not isinstance(found, Evaluation):
            raise EvaluationNotFound(f"there is no evaluation {evaluation_id}")
        return found

    def open_case_for_evaluation(self, evaluation_id: UUID) -> bool:
        """Take a bad rating to its case (差评转办): open the case if it is not there yet,
        registered by the system and assigned to the window's department in the same save,
        and add the rating to it; answer whether anything was recorded now.

        The case's id is derived (see `Evaluation.case_id`) and a rating is added to a case
        once, so doing this again (a replay after a crash, a second worker) records nothing.
        """
        evaluation = self._evaluation(evaluation_id)
        case_id = evaluation.case_id
        if case_id is None:
            return False
        opened = False
        if self._load_or_none(case_id) is None:
            opened = self._open_rating_case(evaluation, case_id)
        # Recorded on the case even when it is this rating's alone (no client known): the
        # case then lists every rating it holds, and erasing it erases their comments.
        return self._add_bad_rating(evaluation, case_id) or opened

    def _open_rating_case(self, evaluation: Evaluation, case_id: UUID) -> bool:
        department = self.directory().department(evaluation.department)
        # A department retired since the rating leaves the case for an operator to route.
        assign_to = department.id if department is not None and department.active else None
        try:
            self._register(
                Intake(
                    kind=Kind.COMPLAINT,
                    channel=Channel.RATING,
                    department=evaluation.department,
                    window=evaluation.window,
                    staff=evaluation.staff,
                    summary=_summary(evaluation),
                    details=_details(evaluation),
                    complainant=dict(ANONYMOUS),
                    # The rated item, as the catalogue held it when the rating was recorded.
                    item=evaluation.item,
                ),
                case_id=case_id,
                access_code=self.secrets.new_access_code(),
                by=Actor.system(),
                assign_to=assign_to,
            )
        except AlreadyRecorded:
            return False
        return True

    def _add_bad_rating(self, evaluation: Evaluation, case_id: UUID) -> bool:
        case = self._case_taking_rating(case_id, evaluation.id)
        if case is None:
            return False
        try:
            case.add_bad_rating(
                evaluation_id=evaluation.id,
                window=evaluation.window,
                rating=evaluation.rating,
                comment=evaluation.comment,
                rated_at=evaluation.created_on,
                by=Actor.system(),
                at=self.time_source.now(),
            )
        except (BadRatingsFull, PersonalDataAlreadyErased):
            return False  # the rating counts in the window's satisfaction all the same
        self._commit(case)
        return True

    def _case_taking_rating(self, case_id: UUID, evaluation_id: UUID) -> Case | None:
        """The case a rating is to be added to: the day's case, or the one it was merged
        into (and so on); None if the rating is on one of them already."""
        case = self._case(case_id)
        while not case.holds_bad_rating(evaluation_id):
            if case.merged_into is None:
                return case
            case = self._case(UUID(case.merged_into))
        return None


class BadRatingCasePolicy:
    """Every evaluation rated 1 or 2 goes to a complaint of channel `rating`, exactly once."""

    name = "rating_cases"
    topic_prefix = "oversight:Evaluation."

    def __init__(self, evaluations: EvaluationVerbs) -> None:
        self.evaluations = evaluations

    def handle(self, event: Any) -> int:
        if isinstance(event, Evaluation.Rated) and opens_case(event.rating):
            return int(self.evaluations.open_case_for_evaluation(event.originator_id))
        return 0


def _summary(evaluation: Evaluation) -> str:
    words = label("rating", str(evaluation.rating))
    summary = f"差评转办：窗口 {evaluation.window} 评价为「{words}」（{evaluation.rating} 分）"
    if evaluation.comment:
        comment = evaluation.comment
        if len(comment) > SUMMARY_COMMENT_CHARS:
            comment = comment[: SUMMARY_COMMENT_CHARS - 1] + "…"
        summary += f"：{comment}"
    return summary


def _details(evaluation: Evaluation) -> str:
    lines = [
        f"评价编号 {evaluation.id}，评价时间 {evaluation.created_on.isoformat()}",
        f"评分 {evaluation.rating}（{label('rating', str(evaluation.rating))}）",
    ]
    if evaluation.staff:
        lines.append(f"工作人员 {evaluation.staff}")
    if evaluation.service_item:
        lines.append(f"办理事项 {evaluation.service_item}")
    if evaluation.comment:
        lines.append(f"评价内容：{evaluation.comment}")
    if evaluation.client is not None:
        lines.append("同一来源当日对该窗口的其他差评记入本件，不另行立案")
    return "\n".join(lines)
