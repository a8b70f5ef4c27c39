"""How the service documents itself: the OpenAPI at the root and under the API prefix, and
its pages served with every file they load, so they work in a hall with no internet.

The pages are plain routes whose handlers are this module's functions, reading the app from
the request. FastAPI keeps every endpoint it has classified in a process-wide cache of 4,096
entries; an endpoint made per app (a closure over the app, as `fastapi_offline`'s pages are)
kept each app and its container alive there, which made a test process, creating an app per
test, grow by about 7 MB a test."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import FastAPI, Request
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from interfaces.http.idempotency import idempotency_key_parameter, reads_idempotency_key

ROOT_OPENAPI = "/openapi.json"
SWAGGER_UI = "/docs"
SWAGGER_UI_OAUTH2_REDIRECT = "/docs/oauth2-redirect"
REDOC = "/redoc"
# Swagger UI's and ReDoc's scripts, styles and icon, as the `fastapi-offline` package ships them.
DOCS_ASSETS = "/docs/assets"
ASSET_FILES = Path(fastapi_offline.__file__).parent / "static"


def documented_api(api_prefix: str, **settings: Any) -> FastAPI:
    """A FastAPI app whose /docs (Swagger UI) and /redoc pages load nothing from elsewhere,
    whose OpenAPI is also at /openapi.json, and says which commands read an Idempotency-Key."""
    app = FastAPI(
        openapi_url=f"{api_prefix}{ROOT_OPENAPI}",
        docs_url=None,
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=SWAGGER_UI_OAUTH2_REDIRECT,
        # Swagger UI would otherwise show a badge fetched from swagger.io's online validator.
        swagger_ui_parameters={"validatorUrl": None},
        **settings,
    )
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            _declare_idempotency_key(generate(), api_prefix)
        return app.openapi_schema  # type: ignore[return-value]

    app.openapi = openapi  # type: ignore[method-assign]
    app.mount(DOCS_ASSETS, StaticFiles(directory=ASSET_FILES), name="docs-assets")
    app.add_route(SWAGGER_UI, _swagger_ui, include_in_schema=False)
    app.add_route(SWAGGER_UI_OAUTH2_REDIRECT, _swagger_ui_oauth2_redirect, include_in_schema=False)
    app.add_route(REDOC, _redoc, include_in_schema=False)
    app.add_route(ROOT_OPENAPI, _root_openapi, include_in_schema=False)
    return app


async def _swagger_ui(request: Request) -> HTMLResponse:
    page = _DocsPage.of(request)
    return get_swagger_ui_html(
        openapi_url=page.openapi_url,
        title=f"{page.app.title} - Swagger UI",
        oauth2_redirect_url=SWAGGER_UI_OAUTH2_REDIRECT,
        swagger_js_url=page.asset("swagger-ui-bundle.js"),
        swagger_css_url=page.asset("swagger-ui.css"),
        swagger_favicon_url=page.asset("favicon.png"),
        swagger_ui_parameters=page.app.swagger_ui_parameters,
    )


async def _swagger_ui_oauth2_redirect(request: Request) -> HTMLResponse:
    return get_swagger_ui_oauth2_redirect_html()


async def _redoc(request: Request) -> HTMLResponse:
    page = _DocsPage.of(request)
    return get_redoc_html(
        openapi_url=page.openapi_url,
        title=f"{page.app.title} - ReDoc",
        redoc_js_url=page.asset("redoc.standalone.js"),
        redoc_favicon_url=page.asset("favicon.png"),
        with_google_fonts=False,
    )


@dataclass(frozen=True)
class _DocsPage:
    """What a documentation page links to, under the root path a proxy may serve it from."""

    app: FastAPI
    root: str

    @classmethod
    def of(cls, request: Request) -> _DocsPage:
        return cls(app=request.app, root=request.scope.get("root_path", ""))

    @property
    def openapi_url(self) -> str:
        return f"{self.root}{self.app.openapi_url}"

    def asset(self, name: str) -> str:
        return f"{self.root}{DOCS_ASSETS}/{name}"


async def _root_openapi(request: Request) -> JSONResponse:
    return JSONResponse(request.app.openapi())


def _declare_idempotency_key(schema: dict[str, Any], api_prefix: str) -> None:
    """The Idempotency-Key is honoured by a middleware, which the generated document cannot
    see: each command it reads the key of declares the header (once, if its route reads the
    key too)."""
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            if not reads_idempotency_key(method, path, api_prefix):
                continue
            parameters = operation.setdefault("parameters", [])
            names = {parameter["name"].lower() for parameter in parameters}
            if idempotency_key_parameter()["name"].lower() not in names:
                parameters.append(idempotency_key_parameter())
