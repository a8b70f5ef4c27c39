"""The Oversight application: every user verb over one event store."""

from __future__ import annotations

from application.access import AccessVerbs
from application.base import EVENT_STORE_NAME
from application.clock import ClockVerbs


class Supervision(ClockVerbs, AccessVerbs):
    """Cases, the directory and access, recorded in one notification log."""

    name = EVENT_STORE_NAME
