"""One router per group of pages."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from interfaces.http.deps import storable_parameters


def page_router(prefix: str = "") -> APIRouter:
    """A router of pages under `prefix`: left out of the API's OpenAPI document, and, like
    every route of the API, refusing a parameter the record cannot hold."""
    return APIRouter(
        prefix=prefix, include_in_schema=False, dependencies=[Depends(storable_parameters)]
    )
