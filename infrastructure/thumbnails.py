"""Thumbnails of photos (§17), drawn with Pillow: at most THUMBNAIL_EDGE pixels a side,
turned upright by the photo's EXIF orientation; a JPEG, or a PNG for an image with
transparency. Images too large to open safely are refused rather than decoded."""

from __future__ import annotations

import io
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError

THUMBNAIL_EDGE = 240
# A 20 MB photo of 50 megapixels opens; a crafted "decompression bomb" does not.
MAX_PIXELS = 60_000_000


def thumbnail_of(data: bytes) -> tuple[str, bytes]:
    """(content type, bytes) of a small copy of a JPEG or PNG photo; ValueError when the
    image cannot be read or is too large to open safely."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.width * image.height > MAX_PIXELS:
                    raise ValueError("the image is too large to draw a thumbnail of")
                image.draft("RGB", (THUMBNAIL_EDGE, THUMBNAIL_EDGE))  # JPEG: decode small
                small = ImageOps.exif_transpose(image)
                small.thumbnail((THUMBNAIL_EDGE, THUMBNAIL_EDGE))
                out = io.BytesIO()
                if small.mode in ("RGBA", "LA") or "transparency" in small.info:
                    small.save(out, format="PNG", optimize=True)
                    return "image/png", out.getvalue()
                small.convert("RGB").save(out, format="JPEG", quality=80)
                return "image/jpeg", out.getvalue()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as error:
        raise ValueError(f"the image cannot be read: {error}") from error
    except Image.DecompressionBombWarning as error:
        raise ValueError("the image is too large to draw a thumbnail of") from error
