"""The service documents itself where a newcomer looks first, and its pages work with no
internet: every file they load comes from the service."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from interfaces.http.app import API_PREFIX
from interfaces.http.errors import HTTP_CODES

ROOT = Path(__file__).resolve().parents[2]

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


# The code base's refusals, read from its source: each error class's `code = "..."`, and the
# first argument of each `error_body(...)`, a literal or a module constant naming one.
SERVING_LAYERS = ("domain", "application", "infrastructure", "interfaces")
CLASS_CODE = re.compile(r'^\s+code = "([a-z_]+)"$', re.MULTILINE)
BODY_CODE = re.compile(r'error_body\(\s*(?:"([a-z_]+)"|([A-Z_]+)\s*,)')
CONSTANT = re.compile(r'^([A-Z_]+) = "([a-z_]+)"', re.MULTILINE)


def codes_in_the_source() -> set[str]:
    sources = [
        path.read_text(encoding="utf-8")
        for layer in SERVING_LAYERS
        for path in (ROOT / layer).rglob("*.py")
    ]
    constants = {name: value for text in sources for name, value in CONSTANT.findall(text)}
    codes = {code for text in sources for code in CLASS_CODE.findall(text)}
    for text in sources:
        for literal, constant in BODY_CODE.findall(text):
            codes.add(literal or constants[constant])
    return codes | set(HTTP_CODES.values())


def test_the_openapi_lists_every_error_code_the_service_can_answer(client: TestClient) -> None:
    error = client.get("/openapi.json").json()["components"]["schemas"]["ErrorDetailPublic"]
    listed = set(error["properties"]["code"]["enum"])
    in_the_source = codes_in_the_source()

    assert len(in_the_source) > 90
    assert sorted(in_the_source - listed) == []
    assert {"bad_request", "invalid_cursor", "method_not_allowed", "internal_error"} <= listed


def test_the_api_guide_says_what_every_error_code_means(client: TestClient) -> None:
    error = client.get("/openapi.json").json()["components"]["schemas"]["ErrorDetailPublic"]
    guide = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    table = {row.split("|")[1].strip() for row in guide.splitlines() if row.startswith("| `")}

    assert sorted({f"`{code}`" for code in error["properties"]["code"]["enum"]} - table) == []


def test_the_tracking_number_pattern_takes_either_letter_case_as_the_service_does(
    client: TestClient,
) -> None:
    query = client.get("/openapi.json").json()["components"]["schemas"]["CaseStatusQuery"]
    pattern = re.compile(query["properties"]["tracking_number"]["pattern"])
    ligature = client.post(
        f"{API_PREFIX}/public/case-status",
        json={"tracking_number": "\ufb0020261127-0042", "access_code": "K7M2P-9QXRT"},
    )

    assert pattern.fullmatch("hl20261127-0042")
    assert pattern.fullmatch("HL20261127-0042")
    # "ﬀ" upper-cases to "FF", yet is no ASCII letter: the pattern and the service refuse it.
    assert not pattern.fullmatch("\ufb0020261127-0042")
    assert ligature.status_code == 422
