"""Photos taken on a visit: checked like case photos (first bytes and size), stored under random names."""

from __future__ import annotations

import uuid

from django.core.files.base import ContentFile

from civicgrid.cases.attachments import MAX_BYTES, MAX_FILES, photos_check
from civicgrid.visits.models import Visit, VisitPhoto

__all__ = ["MAX_BYTES", "MAX_FILES", "photos_check", "photos_store"]


def photos_store(visit: Visit, photos: list[tuple[bytes, str, str]]) -> list[VisitPhoto]:
    """Store photos already checked by `photos_check`; inside the caller's transaction."""
    made: list[VisitPhoto] = []
    try:
        for content, content_type, ext in photos:
            photo = VisitPhoto(visit=visit, content_type=content_type, size=len(content))
            photo.file.save(f"{uuid.uuid4().hex}.{ext}", ContentFile(content), save=False)
            made.append(photo)
            photo.save()
    except Exception:
        # The rows roll back with the transaction; the files on disk would not.
        for photo in made:
            photo.file.delete(save=False)
        raise
    return made
