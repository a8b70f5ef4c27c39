"""The Evaluation aggregate (好差评, GB/T 39734-2020 and 39735-2020): one rated encounter.

A citizen rates one service encounter at a window from 1 (非常不满意) to 5 (非常满意). A rating
of 1 or 2 is a bad rating (差评): the centre opens a complaint of channel `rating` for it, once,
under an id derived from the evaluation's (`rating_case_id`), so doing it again finds it done.
"""

from __future__ import annotations

from datetime import datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from domain.actor import Actor
from domain.errors import Invalid
from domain.personal_data import personal_text

LOWEST_RATING = 1
HIGHEST_RATING = 5
# Ratings at or below this open a case (差评).
BAD_RATING = 2
MAX_COMMENT = 1_000

RATING_CASE_NAMESPACE: UUID = uuid5(NAMESPACE_URL, "oversight:rating-case")


class RatingOutOfRange(Invalid):
    """A rating is a whole number from 1 (非常不满意) to 5 (非常满意)."""

    code = "rating_out_of_range"


def rating_case_id(evaluation_id: UUID) -> UUID:
    """The id of the case a bad rating opens: the same every time, so it opens only once."""
    return uuid5(RATING_CASE_NAMESPACE, str(evaluation_id))


def opens_case(rating: int) -> bool:
    """Whether a rating is bad enough to open a case (1 or 2)."""
    return rating <= BAD_RATING


class Evaluation(Aggregate):
    """A citizen's rating of one encounter at a window, with who served them if known."""

    TOPIC = "oversight:Evaluation"

    class Event(Aggregate.Event):
        TOPIC = "oversight:Evaluation.Event"
        actor: Actor

    class Rated(Event, Aggregate.Created):
        TOPIC = "oversight:Evaluation.Rated"
        window: str
        department: str
        staff: str | None
        rating: int
        comment: str | None
        service_item: str | None

        def personal_data_key(self) -> UUID:
            """The comment (sealed: people write names and numbers into it) is keyed to the
            case a bad rating opens, which copies it into its summary and details: erasing
            that case's personal data makes the comment unreadable everywhere at once."""
            if opens_case(self.rating):
                return rating_case_id(self.originator_id)
            return self.originator_id

    def __init__(
        self,
        window: str,
        department: str,
        staff: str | None,
        rating: int,
        comment: str | None,
        service_item: str | None,
        actor: Actor,
    ) -> None:
        self.window = window
        self.department = department
        self.staff = staff
        self.rating = rating
        self.comment = personal_text(comment)
        self.service_item = service_item
        self.rated_by = actor

    @classmethod
    def rate(
        cls,
        *,
        evaluation_id: UUID,
        window: str,
        department: str,
        staff: str | None,
        rating: int,
        comment: str | None,
        service_item: str | None,
        by: Actor,
        at: datetime,
    ) -> Evaluation:
        """Record a rating of one encounter; `department` is the window's at this moment."""
        if (
            isinstance(rating, bool)
            or not isinstance(rating, int)
            or not LOWEST_RATING <= rating <= HIGHEST_RATING
        ):
            raise RatingOutOfRange(
                f"a rating is a whole number from {LOWEST_RATING} to {HIGHEST_RATING}, "
                f"got {rating!r}"
            )
        comment = comment.strip() if comment else None
        if comment and len(comment) > MAX_COMMENT:
            raise Invalid(f"a comment is at most {MAX_COMMENT} characters")
        return cls._create(
            cls.Rated,
            id=evaluation_id,
            window=window,
            department=department,
            staff=staff,
            rating=rating,
            comment=comment or None,
            service_item=service_item.strip() if service_item else None,
            actor=by,
            timestamp=at,
        )

    @property
    def opens_case(self) -> bool:
        """Whether this rating is bad enough to open a case (差评)."""
        return opens_case(self.rating)

    @property
    def case_id(self) -> UUID | None:
        """The id of the case this rating opens, if it opens one."""
        return rating_case_id(self.id) if self.opens_case else None
