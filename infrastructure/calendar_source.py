"""Where the working-day calendar and the deadline policy come from: a library and packaged YAML."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Any

import chinese_calendar
import yaml
from chinese_calendar import constants

from domain.calendar import YearSchedule
from domain.deadlines import DeadlinePolicy


def known_schedules() -> dict[int, YearSchedule]:
    """Every year the `chinesecalendar` library knows, as published schedules."""
    version = f"chinesecalendar {chinese_calendar.__version__}"
    years = {day.year for day in constants.holidays} | {day.year for day in constants.workdays}
    return {
        year: YearSchedule(
            year=year,
            holidays=frozenset(day for day in constants.holidays if day.year == year),
            makeup_workdays=frozenset(day for day in constants.workdays if day.year == year),
            version=version,
            provisional=False,
        )
        for year in sorted(years)
    }


def deadline_policy_data(path: Path | None = None) -> Any:
    """The deadline policy file at `path`, or the packaged `deadline_policy.yaml`, parsed."""
    if path is None:
        text = files("infrastructure").joinpath("data", "deadline_policy.yaml").read_text("utf-8")
    else:
        text = path.read_text("utf-8")
    return yaml.safe_load(text)


def load_deadline_policy(path: Path | None = None) -> DeadlinePolicy:
    """The deadline policy from `path`, or from the packaged `deadline_policy.yaml`."""
    return DeadlinePolicy.from_mapping(deadline_policy_data(path))
