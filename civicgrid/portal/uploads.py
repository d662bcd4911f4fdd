"""A reporter's photo, re-encoded without its metadata: phone cameras write the place (GPS), the time
and the device into EXIF, which would tell more about an anonymous reporter than they chose to.
"""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from civicgrid.core.errors import ApplicationError

MAX_PIXELS = 40_000_000  # far above any phone camera; refuses decompression bombs early


def without_metadata(
    photos: list[tuple[bytes, str, str]], *, field: str = "photo"
) -> list[tuple[bytes, str, str]]:
    """Photos already checked by type and size (`cases.attachments.photos_check`), stripped of EXIF."""
    cleaned = []
    for content, content_type, ext in photos:
        try:
            with Image.open(io.BytesIO(content)) as image:
                if image.width * image.height > MAX_PIXELS:
                    raise ApplicationError(
                        _("This photo has too many pixels."), field=field, code="too_large"
                    )
                image = ImageOps.exif_transpose(image)  # keep it upright once the orientation tag is gone
                out = io.BytesIO()
                if content_type == "image/jpeg":
                    if image.mode not in ("RGB", "L"):
                        image = image.convert("RGB")
                    image.save(out, "JPEG", quality=88)
                else:
                    image.save(out, "PNG")
        except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError):
            raise ApplicationError(_("This photo cannot be read."), field=field, code="bad_type") from None
        cleaned.append((out.getvalue(), content_type, ext))
    return cleaned
