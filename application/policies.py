"""Policies: what the system does by itself when certain events happen.

A policy reacts to the events whose topics start with `topic_prefix`, in the order of the
notification log. Infrastructure runs it like a projection, with a tracking position of its
own; a policy's reaction must be idempotent (doing it again for the same event records
nothing new), because the reaction and the tracking position are saved separately and a
crash between the two makes the event be handled again.
"""

from __future__ import annotations

from typing import Any, Protocol


class Policy(Protocol):
    """A reaction to events, run once per event by the worker (and again after a crash)."""

    name: str
    topic_prefix: str

    def handle(self, event: Any) -> int:
        """React to one event; answer how many records the reaction made (0: nothing new)."""
        ...
