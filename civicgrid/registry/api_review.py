"""The review queue's endpoints, under the registry router at /review. Thin, masked, keyset-paged."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from ninja import Router, Schema, Status

from civicgrid import access
from civicgrid.core.api import errors
from civicgrid.registry import selectors, services
from civicgrid.territory.models import Territory

router = Router(tags=["registry review"])


class PersonOut(Schema):
    name: str
    relation: str
    gender: str
    birth_date: dt.date
    id_number_masked: str
    phone_masked: str

    @staticmethod
    def resolve_id_number_masked(obj):
        return str(obj.id_number)

    @staticmethod
    def resolve_phone_masked(obj):
        return str(obj.phone)


class RegistrationOut(Schema):
    id: int
    code: str
    kind: str
    status: str
    reason: str
    house_code: str
    address: str
    territory_path: str
    created_at: dt.datetime
    decided_at: dt.datetime | None
    household_id: int | None
    people: list[PersonOut]

    @staticmethod
    def resolve_house_code(obj):
        return obj.house.house_code

    @staticmethod
    def resolve_address(obj):
        return obj.house.address

    @staticmethod
    def resolve_people(obj):
        return list(obj.people.all())


class MatchOut(Schema):
    person: PersonOut
    resident_id: int | None  # only where the reviewer may edit the resident
    household_id: int | None
    registered_elsewhere: bool  # matched outside the reviewer's area: ask above to merge


class RegistrationDetailOut(RegistrationOut):
    matches: list[MatchOut]
    can_merge: bool


class RegistrationPage(Schema):
    items: list[RegistrationOut]
    next_cursor: str | None


class ChangeOut(Schema):
    field: str
    label: str
    before: str
    after: str


class CorrectionOut(Schema):
    id: int
    household_id: int
    resident_id: int | None
    status: str
    reason: str
    source: str
    note: str
    fields: list[str]
    proposed_by: str | None
    territory_path: str
    created_at: dt.datetime
    decided_at: dt.datetime | None

    @staticmethod
    def resolve_fields(obj):
        return list(obj.changes)

    @staticmethod
    def resolve_proposed_by(obj):
        return str(obj.proposed_by) if obj.proposed_by_id else None


class CorrectionDetailOut(CorrectionOut):
    changes: list[ChangeOut]

    @staticmethod
    def resolve_changes(obj):
        return obj.changes_out  # set by _correction_detail: the stored `changes` is the raw proposal


class CorrectionPage(Schema):
    items: list[CorrectionOut]
    next_cursor: str | None


class CorrectionIn(Schema):
    household_id: int
    resident_id: int | None = None
    changes: dict[str, str]
    note: str = ""


class ApproveIn(Schema):
    household_id: int | None = None  # add the people to this household at the house, not a new one


class RejectIn(Schema):
    reason: str


def _reviewer(request, territory: int | None) -> Territory | None:
    if not access.has_anywhere(request.user, selectors.REVIEW):
        raise PermissionDenied
    if territory is None:
        return None
    return access.get_for(request.user, Territory.objects.all(), selectors.REVIEW, field="path", pk=territory)


def _registration_detail(user, registration) -> dict:
    review = selectors.self_registration_review_for(user, registration)
    matches = [
        {
            "person": m.person,
            "resident_id": m.resident.pk if m.visible else None,
            "household_id": m.resident.household_id if m.visible else None,
            "registered_elsewhere": m.resident is not None and not m.visible,
        }
        for m in review["matches"]
    ]
    registration.matches, registration.can_merge = matches, review["can_merge"]
    return registration


@router.get(
    "/registrations",
    response={200: RegistrationPage, **errors(400)},
    summary="Self-registrations waiting for my review",
)
def registration_list(request, territory: int | None = None, after: str | None = None, limit: int = 25):
    node = _reviewer(request, territory)
    page = selectors.self_registration_queue_for(
        request.user, territory=node, cursor=after, size=max(1, min(limit, 100))
    )
    return {"items": page.rows, "next_cursor": page.next_cursor}


@router.get("/registrations/{registration_id}", response={200: RegistrationDetailOut, **errors()})
def registration_get(request, registration_id: int):
    registration = selectors.self_registration_get_for(request.user, registration_id)
    return _registration_detail(request.user, registration)


@router.post(
    "/registrations/{registration_id}/approve",
    response={200: RegistrationDetailOut, **errors(400)},
    summary="Register the people: a new household at the house, or new members of one there",
)
def registration_approve(request, registration_id: int, payload: ApproveIn):
    registration = selectors.self_registration_get_for(request.user, registration_id)
    access.check(request.user, "registry.edit", registration.territory_path)
    household = None
    if payload.household_id is not None:
        household = selectors.household_get_for(request.user, payload.household_id, "registry.edit")
    services.self_registration_approve(actor=request.user, registration=registration, household=household)
    return _registration_detail(
        request.user, selectors.self_registration_get_for(request.user, registration_id)
    )


@router.post(
    "/registrations/{registration_id}/merge",
    response={200: RegistrationDetailOut, **errors(400)},
    summary="Update the residents matched by ID number; the others join their household",
)
def registration_merge(request, registration_id: int):
    registration = selectors.self_registration_get_for(request.user, registration_id)
    access.check(request.user, "registry.edit", registration.territory_path)
    if not selectors.self_registration_review_for(request.user, registration)["can_merge"]:
        raise PermissionDenied
    services.self_registration_merge(actor=request.user, registration=registration)
    return _registration_detail(
        request.user, selectors.self_registration_get_for(request.user, registration_id)
    )


@router.post(
    "/registrations/{registration_id}/reject",
    response={200: RegistrationDetailOut, **errors(400)},
    summary="Refuse it with a reason the resident reads on the portal",
)
def registration_reject(request, registration_id: int, payload: RejectIn):
    registration = selectors.self_registration_get_for(request.user, registration_id)
    services.self_registration_reject(actor=request.user, registration=registration, reason=payload.reason)
    return _registration_detail(
        request.user, selectors.self_registration_get_for(request.user, registration_id)
    )


def _correction_detail(correction):
    correction.changes_out = [
        {"field": f, "label": row.label, "before": row.before, "after": row.after}
        for f, row in zip(correction.changes, selectors.correction_changes(correction), strict=True)
    ]
    return correction


@router.get(
    "/corrections",
    response={200: CorrectionPage, **errors(400)},
    summary="Registry corrections waiting for my review",
)
def correction_list(request, territory: int | None = None, after: str | None = None, limit: int = 25):
    node = _reviewer(request, territory)
    page = selectors.correction_queue_for(
        request.user, territory=node, cursor=after, size=max(1, min(limit, 100))
    )
    return {"items": page.rows, "next_cursor": page.next_cursor}


@router.post(
    "/corrections",
    response={201: CorrectionDetailOut, **errors(400)},
    summary="Propose a correction of a household's or a resident's registry fields",
)
def correction_create(request, payload: CorrectionIn):
    household = selectors.household_get_for(request.user, payload.household_id, "registry.edit")
    resident = None
    if payload.resident_id is not None:
        resident = selectors.resident_get_for(request.user, payload.resident_id, "registry.edit")
    correction = services.correction_propose(
        actor=request.user,
        household=household,
        resident=resident,
        changes=payload.changes,
        note=payload.note,
        source="staff",
    )
    return Status(201, _correction_detail(correction))


@router.get("/corrections/{correction_id}", response={200: CorrectionDetailOut, **errors()})
def correction_get(request, correction_id: int):
    return _correction_detail(selectors.correction_get_for(request.user, correction_id))


@router.post("/corrections/{correction_id}/approve", response={200: CorrectionDetailOut, **errors(400)})
def correction_approve(request, correction_id: int):
    correction = selectors.correction_get_for(request.user, correction_id)
    access.check(request.user, "registry.edit", correction.territory_path)
    services.correction_approve(actor=request.user, correction=correction)
    return _correction_detail(selectors.correction_get_for(request.user, correction_id))


@router.post("/corrections/{correction_id}/reject", response={200: CorrectionDetailOut, **errors(400)})
def correction_reject(request, correction_id: int, payload: RejectIn):
    correction = selectors.correction_get_for(request.user, correction_id)
    services.correction_reject(actor=request.user, correction=correction, reason=payload.reason)
    return _correction_detail(selectors.correction_get_for(request.user, correction_id))
