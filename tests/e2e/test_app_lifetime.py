"""An app lets go of itself once it is closed: nothing process-wide keeps it, or the container
it serves, alive (a test process makes one per test)."""

from __future__ import annotations

import gc
import weakref

from fastapi.testclient import TestClient

from interfaces.bootstrap import Container
from interfaces.http.app import create_app


def test_a_closed_app_that_served_every_kind_of_page_is_collected(container: Container) -> None:
    app = create_app(container)
    with TestClient(app, raise_server_exceptions=False) as client:
        for path in ("/docs", "/docs/oauth2-redirect", "/redoc", "/openapi.json", "/status"):
            assert client.get(path).status_code == 200, path
        assert client.get("/api/v1/openapi.json").status_code == 200
        assert client.get("/console/").status_code in (200, 303)
    gone = weakref.ref(app)
    del app, client

    gc.collect()

    assert gone() is None
