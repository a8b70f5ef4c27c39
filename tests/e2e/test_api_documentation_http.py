"""The service documents itself where a newcomer looks first, and its pages work with no
internet: every file they load comes from the service."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from interfaces.http.app import API_PREFIX

# Every URL a page loads or links to: src= and href= attributes, and the OpenAPI it reads.
LOADED = re.compile(r"""(?:src|href|spec-url|url)\s*[=:]\s*["']([^"']+)["']""")
COMMANDS = frozenset({"post", "put", "patch", "delete"})


def test_the_openapi_is_served_at_the_root_and_under_the_api_prefix_alike(
    client: TestClient,
) -> None:
    at_root = client.get("/openapi.json")
    under_prefix = client.get(f"{API_PREFIX}/openapi.json")

    assert at_root.status_code == under_prefix.status_code == 200
    assert at_root.json() == under_prefix.json()
    assert at_root.json()["paths"]


def test_the_documentation_pages_load_every_file_from_the_service_itself(
    client: TestClient,
) -> None:
    for page in ("/docs", "/redoc"):
        html = client.get(page)
        urls = LOADED.findall(html.text)

        assert html.status_code == 200
        assert f"{API_PREFIX}/openapi.json" in urls
        assert any(url.endswith(".js") for url in urls), page
        for url in urls:
            assert re.match(r"/[^/]", url), f"{page} loads {url} from elsewhere"
            loaded = client.get(url)
            assert loaded.status_code == 200, f"{page} loads {url}: {loaded.status_code}"
            assert loaded.content, f"{page} loads {url}: empty"
        assert not re.search(r"https?://", html.text), page


def test_every_command_under_the_api_declares_the_idempotency_key_it_honours(
    client: TestClient,
) -> None:
    openapi = client.get("/openapi.json").json()

    undeclared = [
        f"{method.upper()} {path}"
        for path, operations in openapi["paths"].items()
        for method, operation in operations.items()
        if path.startswith(API_PREFIX)
        and method in COMMANDS
        and not any(
            parameter["in"] == "header" and parameter["name"].lower() == "idempotency-key"
            for parameter in operation.get("parameters", [])
        )
    ]

    assert undeclared == []
