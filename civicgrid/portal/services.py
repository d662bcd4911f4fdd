"""The resident's writes: a report (a case taken in from the portal, with its photo, in one
transaction) and a self-registration from the door plate, whose reviewers are told.
"""

from __future__ import annotations

import hashlib

from django.db import transaction
from django.urls import reverse

from civicgrid.cases import attachments
from civicgrid.cases.models import Case, Category, Channel
from civicgrid.cases.services import case_submit
from civicgrid.notify.selectors import holder_ids
from civicgrid.notify.services import notify_users
from civicgrid.registry.models import SelfRegistration
from civicgrid.registry.services import self_registration_submit


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
    photos = attachments.photos_check([photo] if photo else [], field="photo")
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


def portal_register(*, house, kind: str, people: list[dict], note: str, idempotency_key: str):
    """A resident's self-registration from the door plate, as nobody (residents have no account)."""
    return self_registration_submit(
        actor=None, house=house, kind=kind, people=people, note=note, idempotency_key=idempotency_key
    )


def on_self_registration_submitted(*, registration_id: int) -> None:
    """Tell whoever reviews self-registrations at the house (the grid chief, else the nearest above).

    Subscribed to the event the registry publishes once a new registration is committed, so a form
    sent twice tells nobody twice.
    """
    registration = SelfRegistration.objects.select_related("house").get(pk=registration_id)
    notify_users(
        user_ids=holder_ids("registry.review", registration.territory_path),
        text_code="registry.self_registration_waiting",
        params={"address": registration.house.address, "code": registration.code},
        link=reverse("registry:review_registration", args=[registration.pk]),
    )
