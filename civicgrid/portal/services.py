"""The resident's report: a case taken in from the portal, with its photo, in one transaction."""

from __future__ import annotations

import hashlib

from django.db import transaction

from civicgrid.cases import attachments
from civicgrid.cases.models import Case, Category, Channel
from civicgrid.cases.services import case_submit
from civicgrid.portal import uploads


def _key(form_key: str, category: Category, description: str) -> str:
    """The form's key plus the content: a double tap repeats both and gets the first case; a different
    report sent from a form restored by the Back button keeps the key but not the content, and is new.
    """
    digest = hashlib.sha256(f"{category.pk}:{description.strip()}".encode()).hexdigest()[:16]
    return f"portal:{form_key}:{digest}"


@transaction.atomic
def portal_report(
    *,
    category: Category,
    description: str,
    idempotency_key: str,
    house=None,
    territory=None,
    lon: float | None = None,
    lat: float | None = None,
    name: str = "",
    phone: str = "",
    anonymous: bool = False,
    photo=None,
) -> Case:
    """Submit as nobody (residents have no account). An anonymous report goes to the suggestion box
    and keeps no name and no phone. The same key twice (a double tap) returns the first case.
    """
    photos = uploads.without_metadata(attachments.photos_check([photo] if photo else [], field="photo"))
    case = case_submit(
        actor=None,
        channel=Channel.SUGGESTION_BOX if anonymous else Channel.PORTAL,
        category=category,
        title="",
        description=description,
        house=house,
        territory=territory,
        lon=lon,
        lat=lat,
        reporter_name="" if anonymous else name,
        reporter_phone="" if anonymous else phone,
        anonymous=anonymous,
        idempotency_key=_key(idempotency_key, category, description),
    )
    # A repeated submission returns the case made first, which already holds its photo.
    if photos and not case.attachments.exists():
        event = case.events.filter(action="submit").first()
        attachments.attachments_add(actor=None, case=case, photos=photos, event=event, public=True)
    return case
