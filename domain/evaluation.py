"""The Evaluation aggregate (好差评, GB/T 39734-2020 and 39735-2020): one evaluated encounter.

A citizen rates one service encounter at a window from 1 (非常不满意) to 5 (非常满意). A rating
of 1 or 2 is a bad rating (差评): it goes to the centre as a complaint of channel `rating`.
The evaluation records who rated as a keyed digest of their network (`client`), and a client's
bad ratings of one window on one office day (Asia/Shanghai) all go to one case, whose id is
derived from the three (`client_rating_case_id`): the first opens it, later ones are added
to it, and one client cannot open a case per rating. An evaluation recorded before clients were
known opens a case of its own, under an id derived from the evaluation's (`rating_case_id`).
Either way the id is the same every time, so doing it again finds it done.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from domain.actor import Actor
from domain.errors import Invalid
from domain.personal_data import personal_text
from domain.scorecard import day_of

LOWEST_RATING = 1
HIGHEST_RATING = 5
# Ratings at or below this open a case (差评).
BAD_RATING = 2
MAX_COMMENT = 1_000

RATING_CASE_NAMESPACE: UUID = uuid5(NAMESPACE_URL, "oversight:rating-case")
CLIENT_RATING_CASE_NAMESPACE: UUID = uuid5(NAMESPACE_URL, "oversight:client-rating-case")


class RatingOutOfRange(Invalid):
    """A rating is a whole number from 1 (非常不满意) to 5 (非常满意)."""

    code = "rating_out_of_range"


def rating_case_id(evaluation_id: UUID) -> UUID:
    """The id of the case a bad rating of an unknown client opens: the same every time, so
    it opens only once."""
    return uuid5(RATING_CASE_NAMESPACE, str(evaluation_id))


def client_rating_case_id(window: str, client: str, day: date) -> UUID:
    """The id of the one case a client's bad ratings of a window on an office day go to."""
    return uuid5(CLIENT_RATING_CASE_NAMESPACE, f"{window}|{client}|{day.isoformat()}")


def case_id_of_evaluation(
    evaluation_id: UUID, *, window: str, client: str | None, rating: int, rated_at: datetime
) -> UUID | None:
    """The case an evaluation goes to, if its rating is bad: its client's case of the window
    and office day, or (client unknown) a case of its own."""
    if not opens_case(rating):
        return None
    if client is None:
        return rating_case_id(evaluation_id)
    return client_rating_case_id(window, client, day_of(rated_at))


def opens_case(rating: int) -> bool:
    """Whether a rating is bad enough to open a case (1 or 2)."""
    return rating <= BAD_RATING


class Evaluation(Aggregate):
    """A citizen's evaluation of one encounter at a window, with who served them if known."""

    TOPIC = "oversight:Evaluation"

    class Event(Aggregate.Event):
        TOPIC = "oversight:Evaluation.Event"
        actor: Actor

    class Rated(Event, Aggregate.Created):
        TOPIC = "oversight:Evaluation.Rated"
        # Version 2 added `client`; a version 1 event knew no client.
        class_version = 2
        window: str
        department: str
        staff: str | None
        rating: int
        comment: str | None
        service_item: str | None
        client: str | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["client"] = None

    def __init__(
        self,
        window: str,
        department: str,
        staff: str | None,
        rating: int,
        comment: str | None,
        service_item: str | None,
        client: str | None,
        actor: Actor,
    ) -> None:
        self.window = window
        self.department = department
        self.staff = staff
        self.rating = rating
        self.comment = personal_text(comment)
        self.service_item = service_item
        # Who rated, as a keyed digest of their network (None: rated before it was recorded).
        self.client = client
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
        client: str | None,
        by: Actor,
        at: datetime,
    ) -> Evaluation:
        """Record an evaluation of one encounter; `department` is the window's at this moment and
        `client` a keyed digest of the rater's network, if known."""
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
            client=client or None,
            actor=by,
            timestamp=at,
        )

    # The service item rated (事项, §16), from the catalogue; None when the rating names none.
    item: str | None = None

    class ItemNamed(Event):
        """The encounter rated was for an item of the catalogue (事项清单)."""

        TOPIC = "oversight:Evaluation.ItemNamed"
        item: str
        rating: int
        window: str
        department: str

        def apply(self, evaluation: Evaluation) -> None:
            evaluation.item = self.item

    def name_item(self, item: str, *, by: Actor, at: datetime) -> None:
        """Name the service item rated (in the save that records the rating)."""
        self.trigger_event(
            self.ItemNamed,
            item=item,
            rating=self.rating,
            window=self.window,
            department=self.department,
            actor=by,
            timestamp=at,
        )

    @property
    def opens_case(self) -> bool:
        """Whether this evaluation's rating is bad enough to open a case (差评)."""
        return opens_case(self.rating)

    @property
    def case_id(self) -> UUID | None:
        """The id of the case this evaluation goes to, if its rating is bad (see
        `case_id_of_evaluation`)."""
        return case_id_of_evaluation(
            self.id,
            window=self.window,
            client=self.client,
            rating=self.rating,
            rated_at=self.created_on,
        )
