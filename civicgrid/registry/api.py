"""Registry endpoints. Thin: parse, access, one selector or service, serialise. Masked by default."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.core.exceptions import PermissionDenied
from ninja import Router, Schema

from civicgrid import access
from civicgrid.core.api import errors
from civicgrid.registry import selectors, services
from civicgrid.registry.api_review import router as review_router
from civicgrid.territory.models import Territory

router = Router(tags=["registry"])
router.add_router("/review", review_router)


class TagOut(Schema):
    code: str
    sensitive: bool


class ResidentOut(Schema):
    id: int
    household_id: int | None
    name: str
    gender: str
    birth_date: dt.date
    ethnicity: str
    relation: str
    id_number_masked: str
    phone_masked: str
    residence_type: str
    relocation_type: str
    status: str
    tags: list[TagOut]

    @staticmethod
    def resolve_id_number_masked(obj):
        return str(obj.id_number)

    @staticmethod
    def resolve_phone_masked(obj):
        return str(obj.phone)

    @staticmethod
    def resolve_tags(obj):
        return [{"code": t.tag.code, "sensitive": t.tag.sensitive} for t in obj.taggings.all()]


class HouseholdOut(Schema):
    id: int
    number: str
    status: str
    house_code: str
    address: str
    head_name: str | None
    territory_path: str
    tags: list[TagOut]

    @staticmethod
    def resolve_house_code(obj):
        return obj.house.house_code

    @staticmethod
    def resolve_address(obj):
        return obj.house.address

    @staticmethod
    def resolve_head_name(obj):
        return obj.head.name if obj.head else None

    @staticmethod
    def resolve_tags(obj):
        return [{"code": t.tag.code, "sensitive": t.tag.sensitive} for t in obj.taggings.all()]


class HouseholdPage(Schema):
    items: list[HouseholdOut]
    next_cursor: str | None


class ResidentPage(Schema):
    items: list[ResidentOut]
    next_cursor: str | None


class HouseholdDetailOut(HouseholdOut):
    members: list[ResidentOut]

    @staticmethod
    def resolve_members(obj):
        return obj.visible_members


class ResidentPatch(Schema):
    name: str | None = None
    gender: str | None = None
    birth_date: dt.date | None = None
    ethnicity: str | None = None
    relation: str | None = None
    id_number: str | None = None
    phone: str | None = None
    residence_type: str | None = None
    relocation_type: str | None = None
    status: str | None = None


class RevealIn(Schema):
    field: Literal["id_number", "phone"]
    reason: str


class RevealOut(Schema):
    field: str
    value: str


def _need_anywhere(user) -> None:
    if not access.has_anywhere(user, "registry.view"):
        raise PermissionDenied


def _filters(request, q: str, territory: int | None, status: str, tag: str, residence_type: str = ""):
    node = None
    if territory is not None:
        node = access.get_for(
            request.user, Territory.objects.all(), "registry.view", field="path", pk=territory
        )
    return selectors.ListFilters(q=q, territory=node, status=status, tag=tag, residence_type=residence_type)


@router.get(
    "/households", response={200: HouseholdPage, **errors(400)}, summary="List households in my scope"
)
def household_list(
    request,
    q: str = "",
    territory: int | None = None,
    status: str = "",
    tag: str = "",
    after: str | None = None,
    limit: int = 25,
):
    _need_anywhere(request.user)
    page = selectors.household_list_for(
        request.user, _filters(request, q, territory, status, tag), cursor=after, size=max(1, min(limit, 100))
    )
    return {"items": page.rows, "next_cursor": page.next_cursor}


@router.get("/households/{household_id}", response={200: HouseholdDetailOut, **errors()})
def household_get(request, household_id: int):
    household = selectors.household_get_for(request.user, household_id)
    household.visible_members = selectors.household_detail_for(request.user, household)["members"]
    return household


@router.get("/residents", response={200: ResidentPage, **errors(400)}, summary="List residents in my scope")
def resident_list(
    request,
    q: str = "",
    territory: int | None = None,
    status: str = "",
    tag: str = "",
    residence_type: str = "",
    after: str | None = None,
    limit: int = 25,
):
    _need_anywhere(request.user)
    page = selectors.resident_list_for(
        request.user,
        _filters(request, q, territory, status, tag, residence_type),
        cursor=after,
        size=max(1, min(limit, 100)),
    )
    return {"items": page.rows, "next_cursor": page.next_cursor}


@router.patch("/residents/{resident_id}", response={200: ResidentOut, **errors(400)})
def resident_patch(request, resident_id: int, payload: ResidentPatch):
    resident = selectors.resident_get_for(request.user, resident_id, "registry.edit")
    data = payload.dict(exclude_unset=True)
    resident = services.resident_update(actor=request.user, resident=resident, data=data)
    return selectors.resident_get_for(request.user, resident.pk)


@router.post(
    "/residents/{resident_id}/reveal",
    response={200: RevealOut, **errors(400)},
    summary="Reveal an ID number or phone, with a reason (recorded)",
)
def resident_reveal(request, resident_id: int, payload: RevealIn):
    resident = selectors.resident_get_for(request.user, resident_id)
    value = access.reveal(request.user, resident, payload.field, payload.reason)
    return {"field": payload.field, "value": value}
