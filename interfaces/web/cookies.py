"""How the pages set their cookies: HttpOnly (no script reads them), Secure over HTTPS."""

from __future__ import annotations

from typing import Literal

from fastapi import Request
from starlette.responses import Response


def set_page_cookie(
    request: Request,
    response: Response,
    name: str,
    value: str,
    *,
    path: str = "/",
    max_age: int | None = None,
    samesite: Literal["lax", "strict"] = "lax",
) -> None:
    """Set a cookie of the pages on `response`, Secure when the visitor came over HTTPS."""
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=path,
        httponly=True,
        samesite=samesite,
        secure=request.url.scheme == "https",
    )
