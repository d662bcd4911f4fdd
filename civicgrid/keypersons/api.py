"""Key-person endpoints: the list, one person, register, review, end; categories and cadences.

Only holders of `keypersons.view` read anything here (403 for everyone else, 404 outside their area);
every read that returns people is recorded in the audit log, as on the pages. ID numbers are masked.
Status codes: 400 a field is wrong (the body names it), 409 the key person is no longer active
(code "not_active"), 422 the body or a query parameter does not fit its schema.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.core.exceptions import PermissionDenied
from ninja import Field, Router, Schema, Status

from civicgrid import access
from civicgrid.core.api import errors
from civicgrid.core.errors import ApplicationError
from civicgrid.keypersons import selectors, services
from civicgrid.keypersons.models import EndRule, RiskColour
from civicgrid.keypersons.models import Status as KeyPersonStatus
from civicgrid.territory.models import Territory

router = Router(tags=["keypersons"])

NOT_ACTIVE = "not_active"


# --- Shapes -----------------------------------------------------------------------------------------


class CategoryOut(Schema):
    id: int
    code: str
    name_zh: str
    name_en: str
    end_rule: EndRule
    lapse_years: int | None
    territory_id: int | None = Field(description="The county that defined it; null for national defaults")


class KeyPersonOut(Schema):
    id: int
    resident_id: int
    resident_name: str
    id_number: str = Field(description="Masked, e.g. 520***********1234")
    category: str = Field(description="Category code")
    category_name: str
    risk_colour: RiskColour
    status: KeyPersonStatus
    since: dt.date
    until: dt.date | None = Field(description="The status lapses the day after; null: no automatic end")
    next_visit_due: dt.date | None
    last_visited_on: dt.date | None
    review_due: dt.date | None
    overdue: bool
    territory_path: str

    @staticmethod
    def resolve_resident_name(obj):
        return obj.resident.name

    @staticmethod
    def resolve_id_number(obj):
        return str(obj.resident.id_number)

    @staticmethod
    def resolve_category(obj):
        return obj.category.code

    @staticmethod
    def resolve_category_name(obj):
        return str(obj.category)


class KeyPersonPage(Schema):
    items: list[KeyPersonOut]
    counts: dict[str, int] = Field(description="red / yellow / green / overdue / due / total, as filtered")
    next_cursor: str | None = Field(description="Pass as `after` for the next page; null on the last")


class ReviewOut(Schema):
    action: str
    colour_from: str
    colour_to: str
    reason: str
    reviewer: str | None
    at: dt.datetime

    @staticmethod
    def resolve_reviewer(obj):
        return str(obj.reviewer) if obj.reviewer_id else None


class VisitOut(Schema):
    visit_id: int | None
    visited_on: dt.date


class KeyPersonDetailOut(KeyPersonOut):
    reason: str
    ended_on: dt.date | None
    end_reason: str
    visit_every_days: int = Field(description="The cadence of the person's colour where they live")
    reviews: list[ReviewOut] = Field(description="Registration, reviews and the end, oldest first")
    visits: list[VisitOut] = Field(description="Visits counted, newest first (at most 20)")

    @staticmethod
    def resolve_visit_every_days(obj):
        return obj.detail["every_days"]

    @staticmethod
    def resolve_reviews(obj):
        return obj.detail["reviews"]

    @staticmethod
    def resolve_visits(obj):
        return obj.detail["visits"]


class RegisterIn(Schema):
    resident_id: int
    category: str = Field(max_length=40, description="A category code from GET /keypersons/categories")
    risk_colour: RiskColour
    reason: str = Field(max_length=2000)
    since: dt.date | None = Field(None, description="Defaults to today")
    until: dt.date | None = Field(None, description="Required when the category's end rule is end_date")


class ReviewIn(Schema):
    risk_colour: RiskColour
    reason: str = Field(max_length=2000)


class EndIn(Schema):
    reason: str = Field(max_length=300)


class CadenceOut(Schema):
    territory_id: int
    days: dict[str, int] = Field(description="Days between visits per colour, as they apply on the node")
    own: dict[str, int | None] = Field(description="What the node sets itself (null: inherited)")


# --- Helpers ----------------------------------------------------------------------------------------


def _need_anywhere(user, perm: str = services.VIEW) -> None:
    if not access.has_anywhere(user, perm):
        raise PermissionDenied


def _perform(service, **kwargs):
    """A write on a key person that is no longer active is a conflict (409), not bad input."""
    try:
        return service(**kwargs)
    except ApplicationError as exc:
        if exc.code == NOT_ACTIVE:
            return Status(409, exc.as_dict())
        raise


# --- Reads ------------------------------------------------------------------------------------------


@router.get(
    "/categories", response={200: list[CategoryOut], **errors()}, summary="Categories that apply in my area"
)
def category_list(request):
    _need_anywhere(request.user)
    return selectors.categories_for(request.user, services.VIEW)


@router.get("/cadence", response={200: CadenceOut, **errors()}, summary="Visit cadence per colour on a node")
def cadence_get(request, territory: int):
    _need_anywhere(request.user)
    node = access.get_for(request.user, Territory.objects.all(), services.VIEW, field="path", pk=territory)
    shown = selectors.cadence_for(request.user, node)
    return {
        "territory_id": node.pk,
        "days": {c: row["days"] for c, row in shown.items()},
        "own": {c: row["own"] for c, row in shown.items()},
    }


@router.get(
    "", response={200: KeyPersonPage, **errors()}, summary="Key persons in my area, soonest due first"
)
def keyperson_list(
    request,
    colour: RiskColour | None = None,
    status: KeyPersonStatus = KeyPersonStatus.ACTIVE,
    due: Literal["overdue", "due"] | None = None,
    category: str = "",
    q: str = "",
    territory: int | None = None,
    after: str | None = None,
    limit: int = 25,
):
    _need_anywhere(request.user)
    node = None
    if territory is not None:
        node = access.get_for(
            request.user, Territory.objects.all(), services.VIEW, field="path", pk=territory
        )
    filters = selectors.Filters(
        colour=colour or "", status=status, due=due or "", category=category[:40], q=q[:50], territory=node
    )
    page = selectors.keyperson_list_for(
        request.user, filters, cursor=after, size=max(1, min(limit, 100)), view="api_list"
    )
    return {
        "items": page.rows,
        "counts": selectors.colour_counts_for(request.user, filters),
        "next_cursor": page.next_cursor,
    }


def _detail(user, pk: int):
    kp = selectors.keyperson_get_for(user, pk)
    kp.detail = selectors.keyperson_detail_for(user, kp, view="api_detail")
    return kp


@router.get("/{int:pk}", response={200: KeyPersonDetailOut, **errors()}, summary="One key person")
def keyperson_detail(request, pk: int):
    return _detail(request.user, pk)


# --- Writes -----------------------------------------------------------------------------------------


@router.post("", response={201: KeyPersonOut, **errors(400)}, summary="Register a resident as a key person")
def keyperson_register(request, body: RegisterIn):
    _need_anywhere(request.user, services.MANAGE)
    resident = selectors.resident_for_register(request.user, body.resident_id)
    category = selectors.category_by_code_for(request.user, body.category, resident.territory_path)
    kp = services.keyperson_register(
        actor=request.user,
        resident=resident,
        category=category,
        risk_colour=body.risk_colour,
        reason=body.reason,
        since=body.since,
        until=body.until,
    )
    return Status(201, selectors.keyperson_get_for(request.user, kp.pk))


@router.post(
    "/{int:pk}/review", response={200: KeyPersonOut, **errors(400, 409)}, summary="Review the colour"
)
def keyperson_review(request, pk: int, body: ReviewIn):
    kp = selectors.keyperson_get_for(request.user, pk, services.MANAGE)
    result = _perform(
        services.keyperson_review,
        actor=request.user,
        key_person=kp,
        risk_colour=body.risk_colour,
        reason=body.reason,
    )
    return result if isinstance(result, Status) else selectors.keyperson_get_for(request.user, pk)


@router.post("/{int:pk}/end", response={200: KeyPersonOut, **errors(400, 409)}, summary="End management")
def keyperson_end(request, pk: int, body: EndIn):
    kp = selectors.keyperson_get_for(request.user, pk, services.MANAGE)
    result = _perform(services.keyperson_end, actor=request.user, key_person=kp, reason=body.reason)
    return result if isinstance(result, Status) else selectors.keyperson_get_for(request.user, pk)
