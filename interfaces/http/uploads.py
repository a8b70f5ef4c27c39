"""Uploads of evidence files (§17): which requests may carry a file, and how large.

The service bounds every request body (OVERSIGHT_MAX_BODY_BYTES, 1 MB by default) as it is
received. A request that uploads a file to a record — the API's and the console's — may
instead carry up to the attachment limit (OVERSIGHT_MAX_ATTACHMENT_BYTES) and a little for
the multipart envelope; Starlette's multipart parser spools the file to a temporary file past
1 MB, so no upload is held in memory beyond that bound.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from starlette.types import Scope

from interfaces.http.errors import error_body

# The form fields and part headers around the file itself.
MULTIPART_OVERHEAD = 64 * 1024
_UPLOAD_PATHS = re.compile(
    r"^(/api/v1/(cases|rectification-orders|deductions|visits)"
    r"|/console/(cases|orders|deductions|visits))/[^/]+/attachments/?$"
)


def upload_body_limit(scope: Scope, max_attachment_bytes: int) -> int | None:
    """The body limit of a request that uploads a file, or None for any other request."""
    if scope.get("method") == "POST" and _UPLOAD_PATHS.match(scope.get("path", "")):
        return max_attachment_bytes + MULTIPART_OVERHEAD
    return None


def answered_as_a_page(scope: Scope) -> bool:
    """Whether an upload is the console's: refused, when too large, by the Chinese error page
    once the body grows past the limit (the pages' error handlers answer it), not by the
    API's JSON before it is read."""
    return str(scope.get("path", "")).startswith("/console/")


def upload_too_large(max_attachment_bytes: int) -> dict[str, Any]:
    """The answer to an upload whose body is larger than the attachment limit allows."""
    return error_body(
        "attachment_too_large", f"attachments are limited to {max_attachment_bytes} bytes"
    )


def content_disposition(name: str) -> str:
    """`attachment` with the file's name: an ASCII fallback and the UTF-8 name (RFC 6266,
    RFC 5987), so a Chinese name arrives as it is."""
    fallback = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\%;' else "_" for ch in name)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"
