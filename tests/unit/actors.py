"""The unit tests' actors, one per role the case verbs and the administration need: the fixtures
of the same names answer these, and a test that only acts as them imports them."""

from __future__ import annotations

from domain.actor import Actor, Role

OPERATOR = Actor(principal="operator-wang", role=Role.OPERATOR)
INSPECTOR = Actor(principal="inspector-li", role=Role.INSPECTOR)
ADMIN = Actor(principal="admin-zhao", role=Role.ADMIN)
# The department that runs window W-A01.
DEEDS_DESK = Actor(
    principal="deeds-desk", role=Role.DEPARTMENT, department="real-estate-registration"
)
