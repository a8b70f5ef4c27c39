"""The printable sheet of the windows' QR codes (§13): one SVG code per window, pointing at
its rating page `/rate/{window}` at the address the public reaches the service at, named for
screen readers by the window, with its name and number printed under it, on A4."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool

from domain.directory import Window
from interfaces.http.deps import ContainerDep
from interfaces.web.admin import admin_router
from interfaces.web.desk import shown
from interfaces.web.qr import qr_svg
from interfaces.web.session import AdminPersonDep
from interfaces.web.templating import render

router = admin_router("qr-codes")


@dataclass(frozen=True)
class WindowCode:
    """A window's QR code, the address it holds, and the name it is read out by."""

    window: Window
    department: str
    url: str
    name: str
    code: Markup


@router.get("", response_class=HTMLResponse)
async def qr_code_sheet(
    request: Request, person: AdminPersonDep, container: ContainerDep
) -> HTMLResponse:
    """Every active window's QR code to its rating page, printable on A4."""
    base = container.settings.public_url or str(request.base_url)
    codes = await run_in_threadpool(_codes, container, base.rstrip("/"))
    return render(
        request, "admin/qr_codes.html", {"codes": codes, "base": base}, person=shown(person)
    )


def _codes(container: ContainerDep, base: str) -> list[WindowCode]:
    directory = container.supervision.directory()
    departments = {d.id: d.name for d in directory.departments}
    codes = []
    for window in directory.windows:
        url = f"{base}/rate/{window.id}"
        # Several windows share a name (综合受理窗口): the number tells them apart.
        name = f"{window.name} {window.id}"
        codes.append(
            WindowCode(
                window=window,
                department=departments.get(window.department, window.department),
                url=url,
                name=name,
                code=qr_svg(url, name),
            )
        )
    return codes
