"""Erasing a complainant's personal data: the event says who and why, the key goes."""

from __future__ import annotations

from uuid import UUID

import structlog

from application.cases import CaseVerbs
from application.views import CaseView
from domain.actor import Actor
from domain.case import Case
from domain.personal_data import PersonalDataAlreadyErased

log = structlog.get_logger("oversight.privacy")


class PrivacyVerbs(CaseVerbs):
    """What the centre does with complainants' personal data beyond handling their case."""

    def erase_personal_data(self, case_id: UUID, *, reason: str, by: Actor) -> CaseView:
        """Erase the complainant's name, phone and address, and the case's summary and details
        (with a bad rating's comment they copy), from a case for good (inspectors).

        The event is recorded first, then the key destroyed: if the process stops in
        between, erasing again answers "already erased" and destroys the key then.
        """
        case = self._case(case_id)
        try:
            case.erase_personal_data(reason=reason, by=by, at=self.time_source.now())
        except PersonalDataAlreadyErased:
            self.personal_data_keys.erase(case_id)
            self._erase_ratings_copied_into(case)
            raise
        view = self._answer(case, by)
        if not self.personal_data_keys.erase(case_id):
            # Registered before personal data was sealed: hidden everywhere from now on, but
            # the stored event still holds it (operations.md, "Personal data").
            log.warning("personal_data_erased_without_key", case_id=str(case_id))
        self._erase_ratings_copied_into(case)
        return view

    def _erase_ratings_copied_into(self, case: Case) -> None:
        """A bad rating's comment is sealed under its evaluation's own key, and the case it
        went to copies it: erasing the case erases each of those ratings' comments too."""
        for entry in case.bad_ratings:
            self.personal_data_keys.erase(UUID(entry["evaluation"]))
