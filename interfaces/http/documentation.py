"""How the service documents itself: the OpenAPI at the root and under the API prefix, and
its pages served with every file they load, so they work in a hall with no internet."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from fastapi_offline import FastAPIOffline

from interfaces.http.idempotency import idempotency_key_parameter, reads_idempotency_key

ROOT_OPENAPI = "/openapi.json"
# Swagger UI's and ReDoc's scripts, styles and icon, as the `fastapi-offline` package ships them.
DOCS_ASSETS = "/docs/assets"


def documented_api(api_prefix: str, **settings: Any) -> FastAPI:
    """A FastAPI app whose /docs (Swagger UI) and /redoc pages load nothing from elsewhere,
    whose OpenAPI is also at /openapi.json, and says which commands read an Idempotency-Key."""
    app = FastAPIOffline(
        openapi_url=f"{api_prefix}{ROOT_OPENAPI}",
        static_url=DOCS_ASSETS,
        # Swagger UI would otherwise show a badge fetched from swagger.io's online validator.
        swagger_ui_parameters={"validatorUrl": None},
        **settings,
    )
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            _declare_idempotency_key(generate(), api_prefix)
        return app.openapi_schema  # type: ignore[return-value]

    async def root_openapi() -> JSONResponse:
        return JSONResponse(app.openapi())

    app.openapi = openapi  # type: ignore[method-assign]
    app.add_api_route(ROOT_OPENAPI, root_openapi, include_in_schema=False)
    return app


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
