"""How the domain's value types are stored inside events."""

from __future__ import annotations

from typing import Any

from eventsourcing.persistence import Transcoding

from domain.actor import Actor
from domain.deadlines import Deadline


class ActorAsDict(Transcoding):
    """Stores an Actor as a plain mapping."""

    type = Actor
    name = "oversight_actor"

    def encode(self, obj: Actor) -> dict[str, Any]:
        return obj.as_dict()

    def decode(self, data: dict[str, Any]) -> Actor:
        return Actor.from_dict(data)


class DeadlineAsDict(Transcoding):
    """Stores a Deadline, with how it was computed, as a plain mapping."""

    type = Deadline
    name = "oversight_deadline"

    def encode(self, obj: Deadline) -> dict[str, Any]:
        return obj.as_dict()

    def decode(self, data: dict[str, Any]) -> Deadline:
        return Deadline.from_dict(data)


ALL = (ActorAsDict, DeadlineAsDict)
