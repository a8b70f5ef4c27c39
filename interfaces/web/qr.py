"""QR codes drawn on the server as inline SVG: no script, no image request, allowed by the
pages' Content-Security-Policy, and named for screen readers."""

from __future__ import annotations

import segno
from markupsafe import Markup, escape

# Medium error correction: a code shown on a screen or printed survives a smudge or a glare.
ERROR_CORRECTION = "m"
MODULE_SIZE = 4


def qr_svg(text: str, name: str) -> Markup:
    """`text` as a QR code in an `<svg role="img">` whose accessible name is `name`."""
    drawn = segno.make(text, error=ERROR_CORRECTION).svg_inline(
        scale=MODULE_SIZE, svgclass="qr-code", lineclass=None, omitsize=True
    )
    named = f'<svg role="img" aria-label="{escape(name)}"'
    return Markup(drawn.replace("<svg", named, 1))  # noqa: S704 (segno's own SVG, name escaped)
