"""Request bodies more than one HTTP test sends."""

from __future__ import annotations

from tests.factories import SAMPLE_DEPARTMENT, SAMPLE_WINDOW

# Five points from S0001 (and so from their window W-A01), seen on an unannounced visit the day
# before the tests' clock.
RUDE_REMARK = {
    "rule": "harsh_attitude",
    "staff": "S0001",
    "occurred_at": "2026-11-26T10:15:00+08:00",
    "evidence": "暗访录像：言语生硬",
    "source": {"type": "unannounced_visit"},
}

# Ten paper questionnaires on the sample window, 1 to 20 November, most of them satisfied.
PAPER_SURVEY = {
    "source": "paper",
    "window": SAMPLE_WINDOW,
    "from": "2026-11-01",
    "to": "2026-11-20",
    "counts": {"1": 0, "2": 1, "3": 1, "4": 4, "5": 4},
}

# An inspection's order to the sample department to tell the public everything at once.
INSPECTION_ORDER = {
    "department": SAMPLE_DEPARTMENT,
    "problem": "未落实一次性告知",
    "requirements": "组织学习并提交整改报告",
    "source": {"type": "inspection"},
}
