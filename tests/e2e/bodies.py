"""Request bodies more than one HTTP test sends."""

from __future__ import annotations

# Five points from S0001 (and so from their window W-A01), seen on an unannounced visit the day
# before the tests' clock.
RUDE_REMARK = {
    "rule": "harsh_attitude",
    "staff": "S0001",
    "occurred_at": "2026-11-26T10:15:00+08:00",
    "evidence": "暗访录像：言语生硬",
    "source": {"type": "unannounced_visit"},
}
