"""Evaluations' journeys: citizens evaluate an encounter at a window; a bad rating opens a complaint
at once (what BadRatingCasePolicy does in the worker) and now and then a rectification order."""

from __future__ import annotations

from application.evaluations import ANONYMOUS
from domain.evaluation import rating_case_id
from domain.rectification import OrderSourceType
from simulation.journeys.cases import CaseJourneys
from simulation.mixes import ORDER_AFTER_BAD_RATING_SHARE, RATING_MIX
from simulation.texts import BAD_RATING_COMMENTS, GOOD_RATING_COMMENTS, SERVICE_ITEMS
from simulation.world import PUBLIC, CaseJourney


class EvaluationJourneys(CaseJourneys):
    """What citizens do at the windows' evaluation pads, and what a bad rating brings."""

    def _evaluate(self) -> None:
        """A citizen evaluates an encounter at a window; a bad rating opens a complaint."""
        window = self.rng.choice(list(self._windows.values()))
        posted = self._staff_at.get(window.id, [])
        staff = self.rng.choice(posted) if posted and self.rng.random() < 0.8 else None
        careless = self._sloppiness(window.department) * 4 + (
            self._staff_risk[staff.id] if staff else 0
        )
        mix = {
            rating: weight * (1 + careless if rating <= 2 else 1)
            for rating, weight in RATING_MIX.items()
        }
        rating = self._weighted(mix)
        comment = None
        if rating <= 2:
            comment = self.rng.choice(BAD_RATING_COMMENTS)
        elif rating == 5 and self.rng.random() < 0.2:
            comment = self.rng.choice(GOOD_RATING_COMMENTS)
        evaluation = self.supervision.record_evaluation(
            window=window.id,
            staff=staff.id if staff else None,
            rating=rating,
            comment=comment,
            service_item=self.rng.choice(SERVICE_ITEMS),
            by=PUBLIC,
            item=item.code if (item := self._item_for(window.id)) else None,
        )
        if not evaluation.opens_case:
            return
        # What BadRatingCasePolicy does in the worker, at once: the complaint, assigned.
        self.supervision.open_case_for_evaluation(evaluation.id)
        view = self.supervision.get_case(rating_case_id(evaluation.id), self._operator())
        journey = CaseJourney(view, home=evaluation.department, complainant=dict(ANONYMOUS))
        self._cases[journey.id] = journey
        self._rating_cases += 1
        self._case_changed(journey, view)
        self._at_acknowledgement(journey)
        if self.rng.random() < ORDER_AFTER_BAD_RATING_SHARE:
            self._issue_order(
                self._departments[evaluation.department],
                window=window.id,
                problem=f"窗口 {window.id} 收到差评：{comment}",
                source_type=OrderSourceType.EVALUATION,
                source_ref=str(evaluation.id),
            )
