"""Visit endpoints: my due list, logging a visit (safe to retry), visits, coverage and the households
not visited. Thin: parse → access → one selector or service → serialise.

Status codes: 400 a field is wrong (the body names it), 422 the body or a parameter does not fit its
schema, 403 inside your area without the permission, 404 outside it. Key-person visits exist only for
users holding `keypersons.view` where they are. No ID number or phone is returned.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Header, Query, Router, Schema, Status

from civicgrid import access
from civicgrid.cases.selectors import category_by_code
from civicgrid.core.api import errors
from civicgrid.core.errors import ApplicationError
from civicgrid.visits import coverage, selectors, services
from civicgrid.visits.models import Visit, VisitKind

router = Router(tags=["visits"])

Flag = Literal[Visit.FLAGS]  # type: ignore[valid-type]


# --- Shapes -----------------------------------------------------------------------------------------


class HouseholdRef(Schema):
    id: int
    number: str
    house_code: str
    address: str
    head_name: str | None

    @staticmethod
    def resolve_house_code(obj):
        return obj.house.house_code

    @staticmethod
    def resolve_address(obj):
        return obj.house.address

    @staticmethod
    def resolve_head_name(obj):
        return obj.head.name if obj.head_id else None


class DueOut(Schema):
    id: int
    household: HouseholdRef
    kind: VisitKind
    due_on: dt.date
    overdue: bool
    reason: str = Field(
        description="The tag or case the row is for; empty for a sensitive tag you may not see"
    )
    case_code: str | None

    @staticmethod
    def resolve_case_code(obj):
        return obj.case.code if obj.case_id else None


class DuePage(Schema):
    items: list[DueOut]
    next_cursor: str | None = Field(description="Pass as `after` for the next page; null on the last")


class VisitOut(Schema):
    id: int
    household: HouseholdRef
    resident_id: int | None
    kind: VisitKind
    visited_on: dt.date
    visitor: str
    findings: str
    all_well: bool
    needs_help: bool
    registry_wrong: bool
    safety_hazard: bool
    case_code: str | None
    correction_proposed: bool
    territory_path: str
    created_at: dt.datetime

    @staticmethod
    def resolve_visitor(obj):
        return str(obj.visitor)

    @staticmethod
    def resolve_case_code(obj):
        return obj.case.code if obj.case_id else None


class VisitPage(Schema):
    items: list[VisitOut]
    next_cursor: str | None


class LoggedOut(VisitOut):
    met_due_ids: list[int] = Field(description="The due rows this visit met (empty on a replay)")
    need_ids: list[int]

    @staticmethod
    def resolve_met_due_ids(obj):
        return [d.pk for d in getattr(obj, "met_dues", [])]

    @staticmethod
    def resolve_need_ids(obj):
        return [n.pk for n in obj.needs.all()]


class CaseIn(Schema):
    category: str = Field(description="A category code from GET /cases/categories")
    description: str = Field(max_length=2000)


class CorrectionIn(Schema):
    resident_id: int = Field(description="The member whose registry data is wrong")
    changes: dict[str, str] = Field(description="Field → what it should read (name, phone, id_number, …)")
    note: str = Field("", max_length=500)


class VisitIn(Schema):
    household_id: int
    kind: VisitKind
    visited_on: dt.date | None = Field(None, description="Defaults to today; at most 60 days back")
    resident_id: int | None = Field(None, description="Who was met; required for a key-person visit")
    findings: str = Field("", max_length=4000)
    flags: list[Flag] = Field(default_factory=list)  # type: ignore[valid-type]
    case: CaseIn | None = Field(None, description="Raise a case from this visit (home-visit channel)")
    need: str = Field("", max_length=1000, description="Note a need of the household")
    correction: CorrectionIn | None = Field(None, description="Propose a correction of registry data")
    idempotency_key: str | None = Field(
        None, min_length=1, max_length=64, description="Or the Idempotency-Key header"
    )


class CoverageRowOut(Schema):
    label: str
    territory_id: int | None
    total: int
    visited: int
    share: int = Field(description="Per cent, rounded")
    user_id: int | None = None
    role: str = ""
    own: int = Field(0, description="Households this worker visited themselves in the round")

    @staticmethod
    def resolve_territory_id(obj):
        return obj.node.pk if obj.node is not None else None

    @staticmethod
    def resolve_user_id(obj):
        return obj.user.pk if obj.user is not None else None


class CoverageOut(Schema):
    territory_id: int
    round_start: dt.date | None = Field(description="Null when no comprehensive rule applies here")
    round_end: dt.date | None
    total: CoverageRowOut
    places: list[CoverageRowOut]
    workers: list[CoverageRowOut]

    @staticmethod
    def resolve_territory_id(obj):
        return obj.node.pk


class HouseholdPage(Schema):
    items: list[HouseholdRef]
    next_cursor: str | None


# --- Helpers ----------------------------------------------------------------------------------------


def _need_anywhere(user, perm: str) -> None:
    if not access.has_anywhere(user, perm):
        raise PermissionDenied


def _size(limit: int) -> int:
    return max(1, min(limit, 100))


def _place(user, territory: int | None, perm: str):
    return selectors.place_get_for(user, territory, perm) if territory is not None else None


def _member(household, resident_id: int | None, field: str):
    if resident_id is None:
        return None
    member = next((m for m in selectors.members_of(household) if m.pk == resident_id), None)
    if member is None:
        raise ApplicationError(_("This person is not a member of the household."), field=field)
    return member


# --- Endpoints --------------------------------------------------------------------------------------


@router.get("/due", response={200: DuePage, **errors()}, summary="My visits due: overdue first, then soonest")
def due_list(
    request,
    kind: VisitKind | None = None,
    when: Literal["soon", "overdue", "all"] = Query(
        "soon", description="soon: overdue and due within a week"
    ),
    territory: int | None = Query(None, description="Only this node's subtree"),
    after: str | None = Query(None, description="The `next_cursor` of the previous page"),
    limit: int = Query(25, description="Page size, at most 100"),
):
    _need_anywhere(request.user, selectors.LOG)
    filters = selectors.DueFilters(
        kind=kind or "",
        when="" if when == "soon" else when,
        territory=_place(request.user, territory, selectors.LOG),
    )
    page = selectors.due_list_for(request.user, filters, cursor=after, size=_size(limit))
    return {"items": page.rows, "next_cursor": page.next_cursor}


@router.post(
    "",
    response={201: LoggedOut, 200: LoggedOut, **errors(400)},
    summary="Log a visit (201; 200 with the earlier visit when the idempotency key was used before)",
)
def visit_log(
    request,
    payload: VisitIn,
    idempotency_header: str | None = Header(
        None, alias="Idempotency-Key", min_length=1, max_length=64, description="Makes a retry safe"
    ),
):
    _need_anywhere(request.user, selectors.LOG)
    if idempotency_header and payload.idempotency_key and idempotency_header != payload.idempotency_key:
        raise ApplicationError(
            _("The Idempotency-Key header and the idempotency_key field differ."), field="idempotency_key"
        )
    try:
        household = selectors.household_get_for(request.user, payload.household_id)
    except (Http404, PermissionDenied):
        raise ApplicationError(_("No household with this id in your area."), field="household_id") from None
    raised = None
    if payload.case is not None:
        category = category_by_code(payload.case.category)
        if category is None:
            raise ApplicationError(_("No active category has this code."), field="case.category")
        raised = services.RaisedCase(category=category, description=payload.case.description)
    correction = None
    if payload.correction is not None:
        correction = services.Correction(
            changes=payload.correction.changes,
            resident=_member(household, payload.correction.resident_id, "correction.resident_id"),
            note=payload.correction.note,
        )
    data = services.VisitInput(
        household=household,
        kind=payload.kind,
        visited_on=payload.visited_on,
        resident=_member(household, payload.resident_id, "resident_id"),
        findings=payload.findings,
        flags=set(payload.flags),
        case=raised,
        need=payload.need,
        correction=correction,
    )
    visit = services.visit_log(
        actor=request.user, data=data, idempotency_key=idempotency_header or payload.idempotency_key
    )
    if visit.replayed:
        return Status(200, selectors.visit_get_for(request.user, visit.pk))
    return Status(201, visit)


@router.get("", response={200: VisitPage, **errors()}, summary="Visits in my area, newest first")
def visit_list(
    request,
    kind: VisitKind | None = None,
    territory: int | None = Query(None, description="Only this node's subtree"),
    household: int | None = Query(None, description="Only this household's visits"),
    after: str | None = Query(None, description="The `next_cursor` of the previous page"),
    limit: int = Query(25, description="Page size, at most 100"),
):
    _need_anywhere(request.user, selectors.VIEW)
    filters = selectors.VisitFilters(
        kind=kind or "",
        territory=_place(request.user, territory, selectors.VIEW),
        household=selectors.household_get_for(request.user, household, selectors.VIEW) if household else None,
    )
    page = selectors.visit_list_for(request.user, filters, cursor=after, size=_size(limit))
    return {"items": page.rows, "next_cursor": page.next_cursor}


@router.get(
    "/coverage",
    response={200: CoverageOut, **errors()},
    summary="Share of households visited in the current comprehensive round, per place and worker",
)
def coverage_get(request, territory: int | None = Query(None, description="Defaults to my highest node")):
    _need_anywhere(request.user, coverage.PERM)
    node = _place(request.user, territory, coverage.PERM) or selectors.default_place_for(
        request.user, coverage.PERM
    )
    return coverage.coverage_for(request.user, node)


@router.get(
    "/coverage/not-visited",
    response={200: HouseholdPage, **errors()},
    summary="Households never visited (or not visited in this round)",
)
def not_visited(
    request,
    territory: int | None = Query(None, description="Defaults to my highest node"),
    which: Literal["never", "round"] = "never",
    after: str | None = None,
    limit: int = Query(25, description="Page size, at most 100"),
):
    _need_anywhere(request.user, coverage.PERM)
    node = _place(request.user, territory, coverage.PERM) or selectors.default_place_for(
        request.user, coverage.PERM
    )
    page = coverage.households_not_visited_for(
        request.user, node, since_round=which == "round", cursor=after, size=_size(limit)
    )
    return {"items": page.rows, "next_cursor": page.next_cursor}


@router.get("/{visit_id}", response={200: VisitOut, **errors()}, summary="One visit")
def visit_get(request, visit_id: int):
    return selectors.visit_get_for(request.user, visit_id)
