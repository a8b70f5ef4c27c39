"""Builders of reorganised directories (机构改革) shared by the tiers of tests: the sample
directory with departments retired into successors, windows (with their staff) moved, and
entries left out."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

import yaml

from domain.directory import Department, DirectorySpec
from infrastructure.directory_file import sample_directory

DEEDS = "real-estate-registration"  # runs W-A01..W-A05
FUND = "housing-provident-fund"
TAXATION = "taxation"
MARKET = "market-regulation"
# A department a merge creates: 不动产登记 and 公积金 merged into one.
MERGED = Department("deeds-and-fund", "不动产和公积金服务中心", "Deeds and Fund Service Centre")


def reorganised(
    *,
    retire: dict[str, str] | None = None,
    windows_to: dict[str, str] | None = None,
    add: Iterable[Department] = (),
    drop_departments: Iterable[str] = (),
    drop_windows: Iterable[str] = (),
    drop_staff: Iterable[str] = (),
) -> DirectorySpec:
    """The sample directory with each department of `retire` kept with its successor; its
    windows and staff moved to `windows_to`'s department or else the successor; `add`ed
    departments; and the `drop_`ped entries (and, for a window, its staff) left out."""
    retire, windows_to = retire or {}, windows_to or {}
    spec = sample_directory()
    dropped_departments, dropped_windows = set(drop_departments), set(drop_windows)
    dropped_staff = set(drop_staff)
    departments = [
        replace(d, successor=retire.get(d.id))
        for d in spec.departments
        if d.id not in dropped_departments
    ]
    windows = []
    for window in spec.windows:
        if window.id in dropped_windows or window.department in dropped_departments:
            continue
        moved = windows_to.get(window.id, retire.get(window.department, window.department))
        windows.append(replace(window, department=moved))
    running = {window.id: window.department for window in windows}
    staff = []
    for member in spec.staff:
        if member.id in dropped_staff or member.department in dropped_departments:
            continue
        if member.window in dropped_windows:
            continue
        if member.window is not None:
            staff.append(replace(member, department=running[member.window]))
        else:
            kept_in = retire.get(member.department, member.department)
            staff.append(replace(member, department=kept_in))
    return DirectorySpec((*departments, *add), tuple(windows), tuple(staff))


def written(spec: DirectorySpec, path: Path) -> Path:
    """`spec` as a directory file (the format of `oversight directory import`)."""

    def entry(item: object) -> dict[str, object]:
        return {k: v for k, v in vars(item).items() if k != "active" and v is not None}

    document = {
        "departments": [entry(d) for d in spec.departments],
        "windows": [entry(w) for w in spec.windows],
        "staff": [entry(s) for s in spec.staff],
    }
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), "utf-8")
    return path
