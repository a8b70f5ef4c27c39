"""Erasing a complainant's personal data: the event says who and why, the key goes."""

from __future__ import annotations

from uuid import UUID

import structlog

from application.cases import CaseVerbs
from application.views import CaseView
from domain.actor import Actor
from domain.case import Case
from domain.personal_data import PersonalDataAlreadyErased, is_placeholder

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

    def complainant_contact(self, case_id: UUID) -> tuple[str, str | None] | None:
        """The complainant's phone and the access code kept for their registration SMS, to
        seal a resent SMS under (§17); None once their personal data was erased, or when they
        gave no phone."""
        complainant = self._case(case_id).complainant
        if not isinstance(complainant, dict) or is_placeholder(complainant):
            return None
        phone = complainant.get("phone")
        if not isinstance(phone, str) or not phone:
            return None
        registered = next(iter(self.events.get(case_id, lte=1)), None)
        kept = getattr(registered, "notification", None)
        code = kept.get("access_code") if isinstance(kept, dict) else None
        return phone, code if isinstance(code, str) else None

    def _erase_ratings_copied_into(self, case: Case) -> None:
        """A bad rating's comment is sealed under its evaluation's own key, and the case it
        went to copies it: erasing the case erases each of those ratings' comments too."""
        for entry in case.bad_ratings:
            self.personal_data_keys.erase(UUID(entry["evaluation"]))
