"""Photos on a case: checked by their first bytes and size (never by name or browser-sent type), audited.

Used when staff resolve a case with photos; the resident portal and the API can reuse `photos_check`
and `attachments_add` for the photos a reporter sends.
"""

from __future__ import annotations

import io
import uuid

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from civicgrid.audit.services import audit_record
from civicgrid.cases import services
from civicgrid.cases.models import Attachment, Case, CaseEvent
from civicgrid.core.errors import ApplicationError

MAX_BYTES = 5 * 1024 * 1024
MAX_FILES = 6
# The signatures that open each accepted format; a renamed executable or SVG matches neither.
SIGNATURES = {
    b"\xff\xd8\xff": ("image/jpeg", "jpg"),
    b"\x89PNG\r\n\x1a\n": ("image/png", "png"),
}


def _sniff(head: bytes) -> tuple[str, str] | None:
    for magic, kind in SIGNATURES.items():
        if head.startswith(magic):
            return kind
    return None


def photos_check(files, *, field: str = "photos") -> list[tuple[bytes, str, str]]:
    """Read and check uploaded photos: (content, content type, extension) each, or an ApplicationError."""
    files = [f for f in (files or []) if f]
    if len(files) > MAX_FILES:
        raise ApplicationError(_("Attach at most %(n)d photos.") % {"n": MAX_FILES}, field=field)
    checked = []
    for f in files:
        if f.size > MAX_BYTES:
            raise ApplicationError(
                _("%(name)s is larger than 5 MB.") % {"name": f.name[:80]}, field=field, code="too_large"
            )
        content = f.read(MAX_BYTES + 1)
        if len(content) > MAX_BYTES:
            raise ApplicationError(
                _("%(name)s is larger than 5 MB.") % {"name": f.name[:80]}, field=field, code="too_large"
            )
        kind = _sniff(content[:8])
        if kind is None:
            raise ApplicationError(
                _("%(name)s is not a JPEG or PNG photo.") % {"name": f.name[:80]},
                field=field,
                code="bad_type",
            )
        checked.append((content, *kind))
    # Phone cameras write the place (GPS), the time and the device into EXIF, which would tell more
    # about a reporter, a visited household or a patrol than anyone chose to: no photo keeps it.
    return without_metadata(checked, field=field)


MAX_PIXELS = 40_000_000  # far above any phone camera; refuses decompression bombs early


def without_metadata(
    photos: list[tuple[bytes, str, str]], *, field: str = "photo"
) -> list[tuple[bytes, str, str]]:
    """Photos already checked by type and size (`photos_check`), stripped of EXIF."""
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


def attachments_add(
    *, actor, case: Case, photos: list[tuple[bytes, str, str]], event: CaseEvent | None = None, public=True
) -> list[Attachment]:
    """Store checked photos on the case (and the timeline event they belong to). Names are random."""
    made = []
    try:
        for content, content_type, ext in photos:
            attachment = Attachment(
                case=case, event=event, content_type=content_type, size=len(content), public=public
            )
            attachment.file.save(f"{uuid.uuid4().hex}.{ext}", ContentFile(content), save=False)
            made.append(attachment)
            attachment.save()
    except Exception:
        # The rows roll back with the transaction; the files on disk would not.
        for attachment in made:
            attachment.file.delete(save=False)
        raise
    if made:
        audit_record(
            actor=actor,
            action="case.attach",
            obj=case,
            summary={"files": len(made), "event": event.action if event else ""},
        )
    return made


@transaction.atomic
def case_resolve_with_photos(*, actor, case: Case, note: str, on_the_spot: bool = False, photos=()) -> Case:
    """Resolve, and keep the photos on the resolve event: both happen, or neither does."""
    checked = photos_check(photos)
    case = services.case_resolve(actor=actor, case=case, note=note, on_the_spot=on_the_spot)
    event = case.events.filter(action="resolve").order_by("-id").first()
    attachments_add(actor=actor, case=case, photos=checked, event=event)
    return case
