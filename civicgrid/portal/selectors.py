"""Reads for the resident portal. Residents have no account: what they see is public by nature (a
house's address, place names, the public categories) or reached through a key only they hold (the
tracking code). Nothing here returns a resident's personal data, a staff name or an internal event;
a self-registration shows its people's names cut to the first character.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicgrid.cases import selectors as cases_selectors
from civicgrid.cases.ledger import mask_name
from civicgrid.cases.models import Attachment, Case, CaseEvent, Category, Rating, State, Tier
from civicgrid.registry import selectors as registry_selectors
from civicgrid.registry.models import House, ReviewStatus, SelfRegistration
from civicgrid.territory.models import Level, Territory


def house_public(house_code: str) -> House | None:
    """The house behind a QR door plate, with its place; None for an unknown code."""
    code = (house_code or "").strip().upper()
    if not code or len(code) > 16:
        return None
    return House.objects.select_related("unit__parent__parent").filter(house_code=code).first()


def category_groups() -> list[tuple[Category, list[Category]]]:
    """Public categories as (top-level category, its sub-categories), in catalogue order."""
    categories = cases_selectors.categories_public()
    tops = [c for c in categories if c.parent_id is None]
    children: dict[int, list[Category]] = {}
    for c in categories:
        if c.parent_id is not None:
            children.setdefault(c.parent_id, []).append(c)
    return [(top, children.get(top.pk, [])) for top in tops]


def category_public(pk: int) -> Category | None:
    return Category.objects.filter(pk=pk, active=True, public=True).first()


def communities_public() -> list[Territory]:
    return list(
        Territory.objects.filter(level=Level.COMMUNITY, retired_at__isnull=True)
        .select_related("parent")
        .order_by("path")
    )


def grids_public(community_id: int | None) -> list[Territory]:
    if not community_id:
        return []
    return list(
        Territory.objects.filter(parent_id=community_id, level=Level.GRID, retired_at__isnull=True).order_by(
            "path"
        )
    )


def place_public(pk: int | None, level: str) -> Territory | None:
    if not pk:
        return None
    return Territory.objects.filter(pk=pk, level=level, retired_at__isnull=True).first()


def case_public(code: str) -> Case | None:
    return cases_selectors.case_by_code(code) if code and len(code) <= 20 else None


# What a resident reads for each state: plain words, and what (if anything) is asked of them.
STATE_WORDS = {
    State.RECEIVED: gettext_lazy("Received"),
    State.HANDLING: gettext_lazy("Being handled"),
    State.RESOLVED: gettext_lazy("Resolved – please rate"),
    State.CLOSED: gettext_lazy("Closed"),
    State.MERGED: gettext_lazy("Merged into another case"),
}


def state_words(case: Case) -> str:
    if case.state == State.MERGED and case.merged_into_id:
        return _("Merged into %(code)s") % {"code": case.merged_into.code}
    return str(STATE_WORDS.get(case.state, case.get_state_display()))


@dataclass
class PublicEvent:
    at: object
    what: str
    by: str  # a tier or a department, never a person
    note: str
    photos: list = field(default_factory=list)


def _event_words(event: CaseEvent) -> str:
    data = event.data or {}
    tier = Tier(event.tier).label if event.tier in Tier.values else ""
    words = {
        "submit": _("Your report was received"),
        "respond": _("Accepted: being handled"),
        "escalate": _("Passed up to the %(tier)s tier") % {"tier": tier},
        "return": _("Passed down to the %(tier)s tier") % {"tier": tier},
        "dispatch": _("Sent to a department"),
        "resolve": _("Resolved"),
        "reopen": _("Reopened after an unsatisfied rating"),
        "merge": _("Joined with another report of the same matter: %(code)s")
        % {"code": data.get("into", "")},
        "merged_in": _("Another report of the same matter was joined to this case"),
    }
    if event.action == "rate":
        rating = data.get("rating", "")
        label = Rating(rating).label if rating in Rating.values else rating
        return _("Rated: %(rating)s") % {"rating": label}
    return str(words.get(event.action, _("Updated")))


def case_public_view(case: Case) -> dict:
    """The public part of a case for its tracking page: the state in plain words, the public timeline
    (who acted shown as a tier or a department), and the public photos.
    """
    departments = "、".join(
        a.department.name for a in case.assignments.select_related("department").order_by("-lead", "id")
    )
    photos = list(Attachment.objects.filter(case=case, public=True).order_by("id"))
    by_event: dict[int, list[Attachment]] = {}
    for photo in photos:
        if photo.event_id:
            by_event.setdefault(photo.event_id, []).append(photo)
    events = []
    for e in cases_selectors.case_timeline(case, public_only=True):
        by = (
            departments
            if e.tier == Tier.DEPARTMENT and departments
            else (str(Tier(e.tier).label) if e.tier in Tier.values else "")
        )
        if e.action in ("rate", "reopen"):
            by = ""  # the reporter's own act
        note = e.shown_note
        if e.action == "dispatch":
            note = ""  # its note is the list of departments, already shown as who acts
        events.append(
            PublicEvent(at=e.at, what=_event_words(e), by=by, note=note, photos=by_event.get(e.pk, []))
        )
    return {
        "case": case,
        "state_words": state_words(case),
        "events": events,
        "photos": [p for p in photos if not p.event_id],
        "can_rate": case.state == State.RESOLVED,
    }


def photo_public(case: Case, pk: int) -> Attachment | None:
    return Attachment.objects.filter(case=case, pk=pk, public=True).first()


def registration_public(code: str) -> SelfRegistration | None:
    return registry_selectors.self_registration_public(code)


REGISTRATION_WORDS = {
    ReviewStatus.WAITING: gettext_lazy("Waiting for the grid chief's review"),
    ReviewStatus.APPROVED: gettext_lazy("Approved: you are registered"),
    ReviewStatus.MERGED: gettext_lazy("Approved: your registration was brought up to date"),
    ReviewStatus.REJECTED: gettext_lazy("Not accepted"),
}


def registration_public_view(registration: SelfRegistration) -> dict:
    """The public part of a self-registration for its tracking page: the outcome in plain words, the
    reason of a refusal, and the names cut to their first character. No ID number, no phone.
    """
    return {
        "registration": registration,
        "state_words": str(REGISTRATION_WORDS[registration.status]),
        "names": [mask_name(p.name) for p in registration.people.all()],
        "reason": registration.reason if registration.status == ReviewStatus.REJECTED else "",
    }
